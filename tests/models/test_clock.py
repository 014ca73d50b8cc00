"""models.clock: the real clock and randomness outside `simulated`, the simulation's inside it."""

from __future__ import annotations

import datetime as dt

import numpy as np

from models import clock


def test_simulated_moments_and_nonces_are_the_simulations_and_end_with_the_block():
    start = dt.datetime(2019, 4, 10, 9, 30)  # naive: taken as UTC
    with clock.simulated(start, np.random.default_rng(7).bytes) as simulation:
        assert clock.now() == start.replace(tzinfo=dt.UTC)
        first = clock.token_hex(32)
        simulation.at(dt.datetime(2019, 6, 1, 17, tzinfo=dt.UTC))
        assert clock.now() == dt.datetime(2019, 6, 1, 17, tzinfo=dt.UTC)
    assert first == np.random.default_rng(7).bytes(32).hex()  # the same seed, the same nonce
    before = dt.datetime.now(dt.UTC)
    assert clock.now() >= before and clock.now().tzinfo is not None
    assert clock.token_hex(32) != first and len(clock.token_hex(32)) == 64
