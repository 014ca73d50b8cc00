"""A campaign's public bundle built from the store, on both engines: it verifies offline, still after
expiry and inspector edits (frozen population), holds no personal data, is public only once published,
and a draw target changed behind the app's back shows as a mismatch."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text, update

from models import Inspector, InspectorScheme
from models.access import PUBLIC_VISITOR
from models.bundle import build_bundle, check_bundle, verify_campaign
from models.draw_records import WorkflowError
from models.maintenance import expire_certificates
from tests.support.actors import ADMIN, STAFF
from tests.support.bundles import commit_small_draw, members


def test_a_published_bundle_verifies_still_after_expiry_and_edits_and_holds_no_personal_data(store):
    campaign_id = commit_small_draw(store, publish=True)
    bundle = build_bundle(store, campaign_id, actor=PUBLIC_VISITOR)
    result = check_bundle(bundle.content)
    assert result.match, result.differences
    assert result.campaign["id"] == campaign_id and result.draw_id == bundle.draw_id
    assert bundle.file_name == f"regdash-bundle-campaign-{campaign_id}-draw-{bundle.draw_id}.zip"

    everything = b"".join(members(bundle.content).values()).decode("utf-8")
    for personal in ("检查员1", "检查员2", "13800000000", "GD-2024-00001", "GD-2024-00002"):
        assert personal not in everything
    frame_csv = members(bundle.content)["frame.csv"].decode()
    assert "乙公司" in frame_csv and "广东" in frame_csv  # public columns: organisation, province

    # the register moves on: certificates expire, inspectors leave and lose their competence, a
    # certificate moves province and its organisation is renamed
    assert expire_certificates(store, today=dt.date(2028, 1, 2), actor=ADMIN) == 3
    with store.begin() as connection:
        connection.execute(update(Inspector.__table__).values(active=False, name="改名"))
        connection.execute(InspectorScheme.__table__.delete())
        connection.execute(text("UPDATE certificate SET region_code = '330000' WHERE id = 1"))
        connection.execute(text("UPDATE organisation SET name = '丙公司'"))
    again = verify_campaign(store, campaign_id, actor=PUBLIC_VISITOR)
    assert again.match, again.differences
    rebuilt = members(build_bundle(store, campaign_id, actor=PUBLIC_VISITOR).content)["frame.csv"].decode()
    assert "丙公司" in rebuilt and "乙公司" not in rebuilt  # public columns are today's names, not hashed


def test_unpublished_campaigns_are_bundled_for_staff_only(store):
    campaign_id = commit_small_draw(store, publish=False)
    with pytest.raises(WorkflowError, match="is not published") as refused:
        build_bundle(store, campaign_id, actor=PUBLIC_VISITOR)
    assert refused.value.code == "bundle_unpublished"
    assert check_bundle(build_bundle(store, campaign_id, actor=STAFF).content).match
    with pytest.raises(WorkflowError, match="campaign 999 does not exist") as missing:
        build_bundle(store, 999, actor=STAFF)
    assert missing.value.code == "bundle_no_campaign"


def test_a_draw_target_changed_behind_the_apps_back_is_a_mismatch(store):
    campaign_id = commit_small_draw(store, publish=True)
    with store.begin() as connection:
        connection.execute(
            text(
                "UPDATE drawtarget SET inclusion_probability = 0.5 WHERE id = "
                "(SELECT min(t.id) FROM drawtarget t JOIN draw d ON d.id = t.draw_id "
                "WHERE d.campaign_id = :c)"
            ),
            {"c": campaign_id},
        )
    result = verify_campaign(store, campaign_id, actor=PUBLIC_VISITOR)
    assert not result.match
    assert any(
        d.startswith("draw.units[") and ".inclusion_probability: recorded 0.5" in d and "(unit " in d
        for d in result.differences
    ), result.differences


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        ("draw.units[0].stratum", "999999", 'draw.units[0].stratum: recorded "999999"'),
        ("draw.stream", "ab" * 32, "draw.stream: recorded"),
        ("assignment.stream", "cd" * 32, "assignment.stream: recorded"),
        ("assignment.targets_hash", "ef" * 32, "assignment.targets_hash: recorded"),
        ("assignment.attempts", 5, "assignment.attempts: recorded 5"),
        ("assignment.method_used", "maxflow", 'assignment.method_used: recorded "maxflow"'),
        ("assignment.teams[0].slot", 2, "assignment.teams[0].slot: recorded 2, re-derived 1 (unit "),
        ("lottery.nonce", "00" * 32, "lottery.commitment: sha256('regdash-commit|' + nonce) is"),
        ("seed", 7, "seed: recorded 7"),
    ],
)
def test_each_kind_of_record_edit_in_a_bundle_is_named(store, path, value, named):
    """Item 7 through the bundle: record.json edited (manifest recomputed), every edit named by field."""
    import json

    from tests.support.bundles import rezip
    from tests.support.records import edit

    campaign_id = commit_small_draw(store, publish=True)
    files = members(build_bundle(store, campaign_id, actor=PUBLIC_VISITOR).content)
    record = edit(json.loads(files["record.json"]), path, value)
    forged = rezip({**files, "record.json": json.dumps(record).encode()}, manifest_too=True)
    result = check_bundle(forged)
    assert not result.match
    assert any(d.startswith(named) for d in result.differences), result.differences


def test_a_team_member_changed_behind_the_apps_back_is_a_mismatch_naming_the_slot(store):
    """An assignment row pointed at an inspector added after the draw (not in the frozen pool)."""
    from tests.support.rows import insert_guangdong_inspectors

    campaign_id = commit_small_draw(store, publish=True)
    with store.begin() as connection:
        insert_guangdong_inspectors(connection, (3,))
        connection.execute(
            text(
                "UPDATE assignment SET inspector_id = 3 WHERE target_id = (SELECT min(t.id) "
                "FROM drawtarget t JOIN draw d ON d.id = t.draw_id WHERE d.campaign_id = :c)"
            ),
            {"c": campaign_id},
        )
    result = verify_campaign(store, campaign_id, actor=PUBLIC_VISITOR)
    assert not result.match
    assert any(
        d.startswith("assignment.teams[") and 'recorded "not-in-pool-' in d and ", slot 1)" in d
        for d in result.differences
    ), result.differences
