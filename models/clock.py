"""The time and the secret randomness every write uses, replaceable for seeding a synthetic past.

Writes stamp moments with `now()` (UTC) and the lottery draws its nonces with `token_hex`. In the app
both are the real clock and the operating system's cryptographic randomness. The seeder, which writes
ten years of history through the same workflow functions, runs them inside `simulated`: moments it
sets (so a 2019 draw is stamped 2019) and nonces from a seeded generator (so the same seed gives the
same store). Nothing a user does reaches `simulated`; it is a context variable, set only by code.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

__all__ = ["Simulation", "now", "simulated", "token_hex"]


@dataclass
class Simulation:
    """A simulated clock and nonce source: ``moment`` (aware, UTC) and ``random_bytes(n) -> bytes``."""

    moment: dt.datetime
    random_bytes: Callable[[int], bytes]

    def at(self, moment: dt.datetime) -> None:
        """Move the clock to ``moment`` (naive moments are taken as UTC)."""
        self.moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


_SIMULATION: ContextVar[Simulation | None] = ContextVar("regdash_simulation", default=None)


def now() -> dt.datetime:
    """The current moment, aware UTC (the simulated one inside `simulated`)."""
    simulation = _SIMULATION.get()
    return dt.datetime.now(dt.UTC) if simulation is None else simulation.moment


def token_hex(nbytes: int) -> str:
    """``nbytes`` secret random bytes as hex (`secrets.token_hex`; seeded inside `simulated`)."""
    simulation = _SIMULATION.get()
    return secrets.token_hex(nbytes) if simulation is None else simulation.random_bytes(nbytes).hex()


@contextlib.contextmanager
def simulated(moment: dt.datetime, random_bytes: Callable[[int], bytes]) -> Iterator[Simulation]:
    """Within the block, `now` is the simulation's moment (move it with ``.at``) and `token_hex`
    draws from ``random_bytes`` (e.g. ``numpy.random.Generator.bytes``)."""
    simulation = Simulation(moment, random_bytes)
    simulation.at(moment)
    token = _SIMULATION.set(simulation)
    try:
        yield simulation
    finally:
        _SIMULATION.reset(token)
