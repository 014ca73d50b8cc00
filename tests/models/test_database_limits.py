"""Database limits reached from the UI (issue 11 item 10), on SQLite and PostgreSQL: the models refuse
a value the store cannot hold with a coded, translated message before writing anything; widgets,
columns and the sampler agree on the limits."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models import Campaign, Draw
from models.audit import AuditEntry
from models.campaigns import CAMPAIGN_NAME_MAX, SEED_MAX
from models.draw_records import DrawRecord, WorkflowError, commit_draw
from models.lottery import REASON_MAX, DrawSession, find_session, open_draw
from sampler.errors import MAX_SEED
from tests.support.actors import PLANNER
from tests.support.rows import guangdong_draw, tiny_population

FRAME = "fa" * 32
FRAME_DATA, POOL = tiny_population()


def _counts(engine) -> tuple[int, int, int, int]:
    with engine.connect() as connection:
        return tuple(
            connection.execute(select(func.count()).select_from(table.__table__)).scalar_one()
            for table in (Campaign, Draw, DrawSession, AuditEntry)
        )


def _record(**overrides) -> DrawRecord:
    values = dict(
        campaign_name="2026年QMS抽查",
        year=2026,
        seed=20261124,
        frame_hash=FRAME,
        params={"n": 2},
        sampler_version="t",
    )
    values.update(overrides)
    return DrawRecord(**values)


def test_the_limits_agree_with_the_columns_and_the_sampler():
    assert Campaign.__table__.c.name.type.length == CAMPAIGN_NAME_MAX == 64
    assert DrawSession.__table__.c.reason.type.length == REASON_MAX
    assert SEED_MAX == MAX_SEED == 2**53 - 1
    assert Draw.__table__.c.seed.type.python_type is int and SEED_MAX < 2**63  # a BIGINT holds it


@pytest.mark.parametrize(
    "name",
    [
        "名" * 128,
        "x" * (CAMPAIGN_NAME_MAX + 1),
        "a " * 40 + "b" * 30,
        "㍿" * 40,  # 40 characters as typed, 160 after NFKC
        "ﷺ" * 4,  # one character that NFKC spells out in 18
        "",
        "   \t  ",
        "\u3000" * 3,
    ],
)
def test_opening_a_draw_with_a_name_the_column_cannot_hold_is_a_coded_message(store, name):
    before = _counts(store)
    with pytest.raises(WorkflowError) as caught:
        open_draw(
            store, campaign_name=name, year=2026, scheme="QMS", frame=FRAME_DATA, pool=POOL, actor=PLANNER
        )
    assert caught.value.code == "name_invalid" and caught.value.fields == {"limit": CAMPAIGN_NAME_MAX}
    assert _counts(store) == before


def test_a_full_width_name_is_the_same_campaign_as_its_plain_spelling(store):
    opened = open_draw(
        store,
        campaign_name="２０２６年ＱＭＳ抽查",
        year=2026,
        scheme="QMS",
        frame=FRAME_DATA,
        pool=POOL,
        actor=PLANNER,
    )
    assert opened.campaign_name == "2026年QMS抽查"
    assert find_session(store, campaign_name="2026年QMS抽查", year=2026).id == opened.id
    assert find_session(store, campaign_name=" ２０２６年ＱＭＳ抽查 ", year=2026).id == opened.id


def test_a_name_is_counted_after_its_whitespace_is_collapsed(store):
    typed = "  " + "  ".join(["抽查"] * 21) + "  \t"  # 20 double spaces: 86 characters as typed
    session = open_draw(
        store, campaign_name=typed, year=2026, scheme="QMS", frame=FRAME_DATA, pool=POOL, actor=PLANNER
    )
    assert session.campaign_name == " ".join(["抽查"] * 21)
    assert len(session.campaign_name) == CAMPAIGN_NAME_MAX - 2


@pytest.mark.parametrize("seed", [3_000_000_000, 2**31, 2**32 + 1, SEED_MAX, 0])
def test_seeds_up_to_the_limit_are_stored_exactly(store, seed):
    targets, teams = guangdong_draw()
    draw_id = commit_draw(store, _record(seed=seed), targets, teams, actor=PLANNER)
    with store.connect() as connection:
        stored = connection.execute(select(Draw.__table__.c.seed).where(Draw.__table__.c.id == draw_id))
        assert stored.scalar_one() == seed


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"seed": SEED_MAX + 1}, "seed_invalid"),
        ({"seed": 2**63}, "seed_invalid"),
        ({"seed": 10**30}, "seed_invalid"),
        ({"seed": -1}, "seed_invalid"),
        ({"seed": 1.5}, "seed_invalid"),
        ({"seed": True}, "seed_invalid"),
        ({"campaign_name": "名" * 128}, "name_invalid"),
        ({"campaign_name": " "}, "name_invalid"),
        ({"year": 10**10}, "year_invalid"),
        ({"year": 0}, "year_invalid"),
    ],
)
def test_committing_a_value_the_store_cannot_hold_writes_nothing(store, overrides, code):
    targets, teams = guangdong_draw()
    before = _counts(store)
    with pytest.raises(WorkflowError) as caught:
        commit_draw(store, _record(**overrides), targets, teams, actor=PLANNER)
    assert caught.value.code == code
    assert _counts(store) == before
