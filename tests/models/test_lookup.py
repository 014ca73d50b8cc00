"""Certificate lookup on both engines: number, credit code (check character, look-alikes, full width),
organisation name (partial, spaces), institution; public fields for the public, timelines, caps."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from models import Certificate, Organisation
from models.history import append_certificate_event
from models.queries import lookup as q
from tests.support.actors import PUBLIC, STAFF
from tests.support.rows import insert_one_institution

D = dt.date
CODE = "91440300123456788M"  # a valid GB 32100 code (seed.codes)
OTHER_CODE = "91330100123456780X"


def insert_lookup_world(connection) -> None:
    """华强 (two QMS cycles, the second renewing the first, and a suspended EMS) and 西湖 (one QMS)."""
    insert_one_institution(connection)
    connection.execute(
        insert(Organisation.__table__),
        [
            dict(
                id=1, name="深圳市华强电子有限公司", credit_code=CODE, region_code="440000", industry="制造业"
            ),
            dict(
                id=2,
                name="杭州西湖茶业有限公司",
                credit_code=OTHER_CODE,
                region_code="330000",
                industry="农业",
            ),
        ],
    )
    rows = [
        (1, "Q-0001", 1, "QMS", D(2018, 3, 1), D(2021, 2, 28), "valid", None),
        (2, "Q-0002", 1, "QMS", D(2021, 3, 1), D(2024, 2, 29), "valid", 1),
        (3, "E-0003", 1, "EMS", D(2022, 5, 10), D(2025, 5, 9), "valid", None),
        (4, "Q-0004", 2, "QMS", D(2023, 1, 1), D(2025, 12, 31), "valid", None),
    ]
    connection.execute(
        insert(Certificate.__table__),
        [
            dict(
                id=i,
                number=number,
                institution_id=1,
                organisation_id=org,
                scheme_code=scheme,
                region_code="440000" if org == 1 else "330000",
                issued_on=issued,
                expires_on=expires,
                status=status,
                previous_id=previous,
            )
            for i, number, org, scheme, issued, expires, status, previous in rows
        ],
    )
    for certificate_id, kind, on in (
        (1, "issue", D(2018, 3, 1)),
        (1, "surveillance", D(2019, 3, 1)),
        (1, "expiry", D(2021, 3, 1)),
        (2, "recertification", D(2021, 3, 1)),
        (2, "expiry", D(2024, 3, 1)),
        (3, "issue", D(2022, 5, 10)),
        (3, "suspension", D(2023, 6, 1)),
        (4, "issue", D(2023, 1, 1)),
    ):
        append_certificate_event(connection, certificate_id, kind, on)


@pytest.fixture
def lookup_world(migrated_engine):
    with migrated_engine.begin() as connection:
        insert_lookup_world(connection)
    return migrated_engine


def test_by_number_gives_status_history_and_the_cycle_it_renews(lookup_world):
    (match,) = q.by_certificate_number(lookup_world, "q-0002", actor=PUBLIC).matches
    assert match["status"] == "expired" and match["previous_number"] == "Q-0001"
    assert match["history"] == [
        {"date": "2021-03-01", "kind": "recertification"},
        {"date": "2024-03-01", "kind": "expiry"},
    ]
    assert set(match) == set(q.PUBLIC_FIELDS)
    (full_width,) = q.by_certificate_number(lookup_world, "Ｑ－０００２", actor=PUBLIC).matches
    assert full_width == match
    assert q.by_certificate_number(lookup_world, "Q-9999", actor=PUBLIC).matches == []


def test_by_credit_code_in_any_typed_form(lookup_world):
    for typed in (CODE, CODE.lower(), "9144 0300 1234 5678 8M", "９１４４０３００１２３４５６７８８Ｍ"):
        result = q.by_credit_code(lookup_world, typed, actor=PUBLIC)
        assert [m["number"] for m in result.matches] == ["Q-0001", "Q-0002", "E-0003"], typed
    statuses = {m["number"]: m["status"] for m in q.by_credit_code(lookup_world, CODE, actor=PUBLIC).matches}
    assert statuses == {"Q-0001": "expired", "Q-0002": "expired", "E-0003": "suspended"}


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        (CODE[:-1] + "N", "credit_code_checksum"),  # wrong check character
        (CODE[:10] + "O" + CODE[11:], "credit_code_look_alike"),  # letter O for digit 0
        (CODE[:5] + "I" + CODE[6:], "credit_code_look_alike"),  # letter I for digit 1
        (CODE[:-1], "credit_code_length"),
        (CODE[:-1] + "-", "credit_code_character"),
    ],
)
def test_a_mistyped_credit_code_says_what_is_wrong(lookup_world, typed, code):
    with pytest.raises(q.LookupProblem) as raised:
        q.by_credit_code(lookup_world, typed, actor=PUBLIC)
    assert raised.value.code == code


def test_by_partial_organisation_name_with_spaces(lookup_world):
    for typed in ("华强", "华强 电子", " 深圳市　华强", "华强电子有限公司"):
        result = q.by_organisation_name(lookup_world, typed, actor=PUBLIC)
        assert {m["organisation"] for m in result.matches} == {"深圳市华强电子有限公司"}, typed
    both = q.by_organisation_name(lookup_world, "有限公司", actor=PUBLIC)
    assert len(both.matches) == 4 and not both.capped
    assert q.by_organisation_name(lookup_world, "100%", actor=PUBLIC).matches == []
    with pytest.raises(q.LookupProblem):
        q.by_organisation_name(lookup_world, "  ", actor=PUBLIC)


def test_limit_is_said_and_institution_lookup(lookup_world):
    capped = q.by_institution(lookup_world, 1, actor=STAFF, limit=3)
    assert len(capped.matches) == 3 and capped.capped
    assert not q.by_institution(lookup_world, 1, actor=STAFF, limit=4).capped


def test_staff_see_more_than_the_public(lookup_world):
    (public,) = q.by_certificate_number(lookup_world, "E-0003", actor=PUBLIC).matches
    (staff,) = q.by_certificate_number(lookup_world, "E-0003", actor=STAFF).matches
    assert set(public) == set(q.PUBLIC_FIELDS)
    assert set(staff) == set(q.PUBLIC_FIELDS) | set(q.STAFF_FIELDS)
    assert staff["industry"] == "制造业" and staff["risk_grade"] == "B"
    assert {k: staff[k] for k in public} == public
