"""The seeded histories: consistent with the certificate and institution rows, well-formed spans."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import select

from models import Certificate, CertificateEvent, Institution, InstitutionEvent
from models.history import ALLOWED_BEFORE
from models.vocabulary import CERTIFICATE_EVENT_KINDS, CERTIFICATE_STATUSES
from seed import calibration as cal
from seed.dates import day
from seed.histories import certificate_event_columns


def _frame(engine, table) -> pd.DataFrame:
    with engine.connect() as connection:
        return pd.DataFrame(connection.execute(select(table)).mappings().all())


def _well_formed(events: pd.DataFrame, owner: str) -> None:
    events = events.sort_values([owner, "seq"]).reset_index(drop=True)
    first = events[owner].ne(events[owner].shift())
    assert (events.loc[first, "seq"] == 1).all()
    assert (events["seq"].diff()[~first] == 1).all()
    following = events["occurred_on"].shift(-1)
    last = events[owner].ne(events[owner].shift(-1))
    assert (events.loc[~last, "holds_until"] == following[~last]).all()
    assert (events["occurred_on"] <= cal.AS_OF).all()


def _last_events_match_the_rows(engine, rows_table, events_table, owner: str):
    """Rows and events as frames, after checking the spans chain and each history ends in the status."""
    rows = _frame(engine, rows_table).set_index("id")
    events = _frame(engine, events_table)
    _well_formed(events, owner)
    last = events.sort_values("seq").groupby(owner).tail(1).set_index(owner)
    assert len(last) == len(rows)
    assert (last["status"] == rows.loc[last.index, "status"]).all()
    return rows, events, last


def test_every_certificate_history_ends_in_its_status_and_its_spans_chain(demo_engine):
    certificates, events, last = _last_events_match_the_rows(
        demo_engine, Certificate.__table__, CertificateEvent.__table__, "certificate_id"
    )
    valid_last = last[last["status"] == "valid"]
    lapse = [d + dt.timedelta(days=1) for d in certificates.loc[valid_last.index, "expires_on"]]
    assert len(lapse) > 0 and (valid_last["holds_until"].to_numpy() == np.array(lapse)).all()
    # Every transition is one the write path allows (models.history.ALLOWED_BEFORE).
    ordered = events.sort_values(["certificate_id", "seq"])
    before = ordered["status"].shift().where(ordered["seq"] > 1)
    for kind, allowed in ALLOWED_BEFORE.items():
        rows = ordered["kind"] == kind
        if allowed is None:
            assert before[rows].isna().all(), kind
        else:
            assert before[rows].isin(allowed).all(), kind
    first = events[events["seq"] == 1].set_index("certificate_id")
    assert (first["occurred_on"] == certificates.loc[first.index, "issued_on"]).all()
    for column in ("scheme_code", "region_code", "institution_id"):
        assert (
            events[column].to_numpy() == certificates.loc[events["certificate_id"], column].to_numpy()
        ).all()


def test_audits_and_scope_changes_only_while_valid(demo_dataset):
    chunks = certificate_event_columns(demo_dataset.certificates, demo_dataset.certificate_events, 10**9)
    (columns,) = list(chunks)
    kinds, statuses = columns["kind"], columns["status"]
    quiet = np.isin(kinds, ["surveillance", "scope_change"])
    assert quiet.sum() > 0 and (statuses[quiet] == "valid").all()
    # Every kind a seeded store can have (no earlier cycles are seeded: no recertification yet).
    assert set(kinds) == set(CERTIFICATE_EVENT_KINDS) - {"recertification"}
    assert set(statuses) == set(CERTIFICATE_STATUSES)
    assert (columns["occurred_on"] <= day(cal.AS_OF)).all()


def test_every_institution_history_ends_in_its_status(demo_engine):
    _, events, _ = _last_events_match_the_rows(
        demo_engine, Institution.__table__, InstitutionEvent.__table__, "institution_id"
    )
    assert {"approval", "suspension", "reinstatement", "cancellation"} <= set(events["kind"])
