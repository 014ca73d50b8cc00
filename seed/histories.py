"""Histories of the seeded certificates and institutions (models/history.py), consistent with their rows.

Each certificate cycle is issued on ``issued_on``; it gets surveillance audits a year and two years on
while valid, sometimes a scope change, sometimes a past suspension it was reinstated from, and the
event that its current status implies: a suspension or a withdrawal (often after a suspension) on a
day drawn between issue and AS_OF, or expiry the day after ``expires_on``. Institutions are approved on
``approved_on``; cancelled ones cancelled on ``cancelled_on``; suspended and revoked ones (bad actors)
get that event on a day drawn after their approval, and some approved bad actors a past suspension.
Everything is vectorised: national scale has millions of events.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from models.history import CERTIFICATE_STATUS_AFTER, INSTITUTION_STATUS_AFTER
from models.reference_data import PROVINCE_CODES, SCHEME_CODES
from models.vocabulary import (
    CERTIFICATE_EVENT_KINDS,
    CERTIFICATE_STATUSES,
    INSTITUTION_EVENT_KINDS,
    INSTITUTION_STATUSES,
)
from seed import calibration as cal
from seed.certificates import STATUS_INDEX, Certificates
from seed.dates import day
from seed.institutions import Institutions

# Same-day events go in this order (an issue before its audit, a reinstatement before an audit).
KIND_ORDER = (
    "issue",
    "recertification",
    "reinstatement",  # an audit on the day of a reinstatement follows it
    "surveillance",
    "scope_change",
    "suspension",
    "withdrawal",
    "expiry",
)
KIND_INDEX = {kind: CERTIFICATE_EVENT_KINDS.index(kind) for kind in KIND_ORDER}
PAST_SUSPENSION_SHARE = 0.04  # valid or expired cycles that were suspended once and reinstated (*assumed*)
SUSPENDED_BEFORE_WITHDRAWAL_SHARE = 0.6  # (*assumed*)
SCOPE_CHANGE_SHARE = 0.03  # (*assumed*)
BAD_ACTOR_PAST_SUSPENSION_SHARE = 0.2  # approved bad actors suspended once before (*assumed*)
NAT = np.datetime64("NaT", "D")


@dataclass
class Events:
    """Event rows as arrays, sorted by owner and sequence; ``holds_until`` NaT for "for ever"."""

    owner: np.ndarray  # index of the certificate or institution (0-based)
    seq: np.ndarray
    kind: np.ndarray  # index into the vocabulary's kinds
    occurred_on: np.ndarray
    status: np.ndarray  # index into the vocabulary's statuses
    holds_until: np.ndarray

    def __len__(self) -> int:
        return len(self.owner)


def _uniform_days(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """One day per row, uniform on [low, high] (high >= low)."""
    span = (high - low).astype(np.int64) + 1
    return low + (rng.random(len(low)) * span).astype(np.int64).astype("timedelta64[D]")


def _spans(
    owner: np.ndarray,
    kind: np.ndarray,
    on: np.ndarray,
    rank: np.ndarray,
    status: np.ndarray,
    lapse: np.ndarray,
    lapsing: np.ndarray,
) -> Events:
    """Sort events per owner by day and rank; each holds until the next one, or ``lapse[owner]`` when
    ``lapsing[status]``, else for ever."""
    order = np.lexsort((rank, on, owner))
    owner, kind, on, status = owner[order], kind[order], on[order], status[order]
    first = np.r_[True, owner[1:] != owner[:-1]]
    start = np.flatnonzero(first)
    seq = np.arange(len(owner)) - np.repeat(start, np.diff(np.r_[start, len(owner)])) + 1
    last = np.r_[owner[1:] != owner[:-1], True]
    until = np.empty(len(owner), dtype="datetime64[D]")
    until[:-1] = on[1:]
    until[last] = np.where(lapsing[status[last]], lapse[owner[last]], NAT)
    return Events(owner, seq, kind, on, status, until)


def certificate_events(rng: np.random.Generator, certs: Certificates) -> Events:
    """The events of every certificate, consistent with its status at AS_OF."""
    n = len(certs)
    as_of = day(cal.AS_OF)
    issued, expires, status = certs.issued, certs.expires, certs.status.astype(np.int64)
    end = np.minimum(expires, as_of)
    parts: list[tuple[np.ndarray, str, np.ndarray]] = []  # (certificate rows, kind, days)
    everyone = np.arange(n)
    parts.append((everyone, "issue", issued))
    # The event the current status implies, and until when audits can happen.
    audit_until = end.copy()
    suspended = np.flatnonzero(status == STATUS_INDEX["suspended"])
    on = _uniform_days(rng, issued[suspended], end[suspended])
    parts.append((suspended, "suspension", on))
    audit_until[suspended] = on - 1
    withdrawn = np.flatnonzero(status == STATUS_INDEX["withdrawn"])
    on = _uniform_days(rng, issued[withdrawn], end[withdrawn])
    parts.append((withdrawn, "withdrawal", on))
    audit_until[withdrawn] = on - 1
    before = rng.random(len(withdrawn)) < SUSPENDED_BEFORE_WITHDRAWAL_SHARE
    delay = rng.integers(15, 120, len(withdrawn)).astype("timedelta64[D]")
    suspended_on = np.maximum(issued[withdrawn], on - delay)
    parts.append((withdrawn[before], "suspension", suspended_on[before]))
    audit_until[withdrawn[before]] = suspended_on[before] - 1
    expired = np.flatnonzero(status == STATUS_INDEX["expired"])
    parts.append((expired, "expiry", expires[expired] + 1))
    # A past suspension and reinstatement, for some cycles that are valid or expired now.
    room = (end - issued).astype(np.int64) > 240
    open_ = (status == STATUS_INDEX["valid"]) | (status == STATUS_INDEX["expired"])
    episode = np.flatnonzero(open_ & room & (rng.random(n) < PAST_SUSPENSION_SHARE))
    start = _uniform_days(rng, issued[episode], end[episode] - 220)
    back = start + rng.integers(30, 200, len(episode)).astype("timedelta64[D]")
    parts.append((episode, "suspension", start))
    parts.append((episode, "reinstatement", back))
    pause_from = np.full(n, NAT)
    pause_to = np.full(n, NAT)
    pause_from[episode], pause_to[episode] = start, back
    # Surveillance audits a year and two years after issue, while valid.
    for years in (1, 2):
        when = issued + np.timedelta64(365 * years, "D")
        paused = (when >= pause_from) & (when < pause_to)
        rows = np.flatnonzero((when <= audit_until) & ~paused)
        parts.append((rows, "surveillance", when[rows]))
    scope = np.flatnonzero(open_ & room & (rng.random(n) < SCOPE_CHANGE_SHARE))
    when = _uniform_days(rng, issued[scope], issued[scope] + 200)
    valid_then = ~((when >= pause_from[scope]) & (when < pause_to[scope]))
    parts.append((scope[valid_then], "scope_change", when[valid_then]))

    owner = np.concatenate([rows for rows, _, _ in parts])
    kind = np.concatenate([np.full(len(rows), KIND_INDEX[name]) for rows, name, _ in parts])
    on = np.concatenate([days.astype("datetime64[D]") for _, _, days in parts])
    rank_of = np.zeros(len(CERTIFICATE_EVENT_KINDS), dtype=np.int64)
    for r, name in enumerate(KIND_ORDER):
        rank_of[KIND_INDEX[name]] = r
    # Audits and scope changes happen while valid; the other kinds set their own status.
    after = np.array(
        [CERTIFICATE_STATUSES.index(CERTIFICATE_STATUS_AFTER[k] or "valid") for k in CERTIFICATE_EVENT_KINDS]
    )
    lapsing = np.array([s == "valid" for s in CERTIFICATE_STATUSES])
    return _spans(owner, kind, on, rank_of[kind], after[kind], expires + 1, lapsing)


def certificate_event_columns(certs: Certificates, events: Events, size: int) -> Iterator[dict[str, object]]:
    """Columns of the ``certificateevent`` table, ``size`` rows at a time (ids 1..n; certificate ids are
    indices + 1)."""
    kinds = np.array(CERTIFICATE_EVENT_KINDS, dtype=object)
    statuses = np.array(CERTIFICATE_STATUSES, dtype=object)
    schemes = np.array(SCHEME_CODES, dtype=object)
    provinces = np.array(PROVINCE_CODES, dtype=object)
    for lo in range(0, len(events), size):
        part = slice(lo, min(lo + size, len(events)))
        rows = events.owner[part]
        yield {
            "id": np.arange(part.start + 1, part.stop + 1, dtype=np.int64),
            "certificate_id": rows.astype(np.int64) + 1,
            "seq": events.seq[part].astype(np.int64),
            "kind": kinds[events.kind[part]],
            "occurred_on": events.occurred_on[part],
            "status": statuses[events.status[part]],
            "holds_until": events.holds_until[part],
            "scheme_code": schemes[certs.scheme[rows]],
            "region_code": provinces[certs.region[rows]],
            "institution_id": certs.institution[rows].astype(np.int64),
        }


def institution_event_columns(rng: np.random.Generator, inst: Institutions) -> dict[str, object]:
    """Columns of the ``institutionevent`` table, consistent with each institution's status at AS_OF."""
    as_of = day(cal.AS_OF)
    n = len(inst)
    approved_on = inst.approved_on.astype("datetime64[D]")
    owners, kinds, days = [np.arange(n)], [np.full(n, "approval", dtype=object)], [approved_on]
    cancelled = np.flatnonzero(inst.status == "cancelled")
    owners.append(cancelled)
    kinds.append(np.full(len(cancelled), "cancellation", dtype=object))
    days.append(inst.cancelled_on[cancelled].astype("datetime64[D]"))
    earliest = np.maximum(approved_on, day("2017-01-01"))
    for status, kind in (("suspended", "suspension"), ("revoked", "revocation")):
        rows = np.flatnonzero(inst.status == status)
        owners.append(rows)
        kinds.append(np.full(len(rows), kind, dtype=object))
        days.append(_uniform_days(rng, np.minimum(earliest[rows], as_of), np.full(len(rows), as_of)))
    past = np.flatnonzero(
        (inst.status == "approved")
        & inst.bad_actor
        & ((as_of - earliest).astype(np.int64) > 400)
        & (rng.random(n) < BAD_ACTOR_PAST_SUSPENSION_SHARE)
    )
    start = _uniform_days(rng, earliest[past], np.full(len(past), as_of - 400))
    owners += [past, past]
    kinds += [
        np.full(len(past), "suspension", dtype=object),
        np.full(len(past), "reinstatement", dtype=object),
    ]
    days += [start, start + rng.integers(60, 360, len(past)).astype("timedelta64[D]")]
    owner = np.concatenate(owners)
    kind_names = np.concatenate(kinds)
    kind = np.array([INSTITUTION_EVENT_KINDS.index(k) for k in kind_names], dtype=np.int64)
    statuses = INSTITUTION_STATUSES
    status = np.array([statuses.index(INSTITUTION_STATUS_AFTER[k]) for k in kind_names], dtype=np.int64)
    never = np.zeros(len(statuses), dtype=bool)
    events = _spans(owner, kind, np.concatenate(days), kind, status, np.full(n, NAT), never)
    return {
        "id": np.arange(1, len(events) + 1, dtype=np.int64),
        "institution_id": inst.id[events.owner].astype(np.int64),
        "seq": events.seq.astype(np.int64),
        "kind": np.array(INSTITUTION_EVENT_KINDS, dtype=object)[events.kind],
        "occurred_on": events.occurred_on,
        "status": np.array(statuses, dtype=object)[events.status],
        "holds_until": events.holds_until,
        "region_code": inst.region_code[events.owner],
    }
