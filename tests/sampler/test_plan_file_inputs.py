"""Plan files as they really arrive (issue 11 item 7): alias bombs, deep nesting, huge, binary and
non-UTF-8 files, impossible dates, wrong types, unknown linked regions — each one `SamplerError`
naming the field (or ``plan`` for the file itself), quickly, never a traceback or a wrong plan."""

from __future__ import annotations

import json
import time

import pytest
from typer.testing import CliRunner

from cli.main import app
from sampler.errors import MAX_COUNT, MAX_REPLICATIONS, MAX_SEED, SamplerError
from sampler.plan_file import MAX_DEPTH, MAX_PLAN_BYTES, load_plan
from sampler.run import plan_frame, run_draw, run_simulation
from tests.sampler.conftest import make_frame_table, make_pool

BASE = "seed: 7\nn: 12\n"


def _laughs(levels: int = 9) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        items = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"l{level}: &l{level} [{items}]")
    return "\n".join(lines) + "\n"


FILE_CASES = [
    # (file name, content, words the message must hold)
    ("laughs.yaml", _laughs(), "aliases (*name) are not allowed"),
    ("one-alias.yaml", "n: &size 12\nseed: *size\n", "aliases (*name) are not allowed"),
    ("merge.yaml", "base: &b {n: 3}\n<<: *b\n", "aliases (*name) are not allowed"),
    ("deep.yaml", "n: " + "[" * 5000 + "]" * 5000 + "\n", f"nested deeper than {MAX_DEPTH} levels"),
    ("deep.json", '{"n": ' + "[" * 5000 + "]" * 5000 + "}", f"nested deeper than {MAX_DEPTH} levels"),
    ("medium-deep.json", '{"n": ' + "[" * 100 + "]" * 100 + "}", f"nests deeper than {MAX_DEPTH} levels"),
    ("huge.yaml", "# " + "x" * MAX_PLAN_BYTES + "\n", "larger than 1024 KiB"),
    ("latin1.yaml", (BASE + "# café\n").encode("latin-1"), "is not UTF-8 text: byte 0xe9 on line 3"),
    ("gbk.yaml", (BASE + "# 抽查计划\n").encode("gbk"), "is not UTF-8 text: byte 0xb3 on line 3"),
    ("big5.yaml", (BASE + "# 抽查\n").encode("big5"), "is not UTF-8 text"),
    ("binary.yaml", bytes(range(256)), "is not a text file"),
    ("utf16.yaml", BASE.encode("utf-16"), "is not a text file"),
    ("png.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is not a text file"),
    ("python-tag.yaml", BASE + "tolerable: !!python/object/apply:os.system [ls]\n", "not valid YAML"),
    ("broken.yaml", "seed: [7\nn: 12\n", "not valid YAML"),
    ("broken.json", '{"seed": 7,}', "not valid JSON"),
    ("list.yaml", "- 1\n- 2\n", "must hold a mapping"),
    ("text.json", '"a plan"', "must hold a mapping"),
    # a key twice is refused, not last-wins
    ("twice.yaml", "seed: 7\nn: 10\nn: 20\n", "duplicate key 'n' (line 3, column 1)"),
    ("nested-twice.yaml", BASE + "assumed: {rate: 0.1, rate: 0.2}\n", "duplicate key 'rate'"),
    ("twice.json", '{"seed": 7, "n": 10, "n": 20}', "duplicate key 'n'"),
    ("nested-twice.json", '{"n": 10, "assumed": {"bad": 1, "bad": 2}}', "duplicate key 'bad'"),
]


@pytest.mark.parametrize(("name", "content", "says"), FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_unreadable_plan_files_are_one_message(name, content, says, tmp_path):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(SamplerError) as caught:
        load_plan(path)
    assert time.perf_counter() - started < 5  # the bombs are refused, not expanded
    assert caught.value.field == "plan"
    assert says in str(caught.value) and str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_utf8_file_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeff".encode() + (BASE + "# 抽查计划\n").encode("utf-8"))
    assert load_plan(path).n == 12


VALUE_CASES = [
    # (YAML after "seed: 7\nn: 12\n" unless it sets them, the field named, words of the message)
    ("assignment: {inspection_date: 2026-02-30}", "assignment.inspection_date", "'2026-02-30'"),
    ("assignment: {inspection_date: 2026-13-01}", "assignment.inspection_date", "ISO date"),
    ("assignment: {inspection_date: 20261201}", "assignment.inspection_date", "got 20261201"),
    ("assignment: {inspection_date: 2026-12-01T10:00:00}", "assignment.inspection_date", "ISO date"),
    ("assignment: {inspection_date: next tuesday}", "assignment.inspection_date", "ISO date"),
    ("assignment: {inspection_date: true}", "assignment.inspection_date", "ISO date"),
    ("assignment: {inspection_date: [2026-12-01]}", "assignment.inspection_date", "ISO date"),
    ("assignment: {team_size: 2}", "assignment.inspection_date", "is required"),
    ("assignment: {inspection_date: 2026-12-01, cross_region: 'yes'}", "assignment.cross_region", "true or"),
    ("assignment: {inspection_date: 2026-12-01, linked_regions: [GD]}", "assignment.linked_regions", "map"),
    (
        "assignment: {inspection_date: 2026-12-01, linked_regions: {GD: 5.5}}",
        "assignment.linked_regions",
        "map",
    ),
    (
        "assignment: {inspection_date: 2026-12-01, linked_regions: {GD: [[x]]}}",
        "assignment.linked_regions",
        "map",
    ),
    (
        "assignment: {inspection_date: 2026-12-01, linked_regions: {GD: [{a: 1}]}}",
        "assignment.linked_regions",
        "map",
    ),
    (
        "assignment: {inspection_date: 2026-12-01, linked_regions: {GD: [true]}}",
        "assignment.linked_regions",
        "map",
    ),
    (
        "assignment: {inspection_date: 2026-12-01, max_attempts: 1000000000000}",
        "assignment.max_attempts",
        "at most",
    ),
    ("assignment: {inspection_date: 2026-12-01, team_size: two}", "assignment.team_size", "whole number"),
    ("assignment: 3", "assignment", "mapping"),
    ("n: ten", "n", "whole number"),
    ("n: [1]", "n", "whole number"),
    ("n: 2.5", "n", "whole number"),
    ("n: 0", "n", "at least 1"),
    ("seed: 1.5", "seed", "whole number"),
    ("seed: -1", "seed", "at least 0"),
    (f"seed: {MAX_SEED + 1}", "seed", f"at most {MAX_SEED}"),
    ("seed: 99999999999999999999999", "seed", f"at most {MAX_SEED}"),
    ("seed: '7'", "seed", "whole number"),
    ("tolerable: 5%", "tolerable", "between 0 and 1"),
    ("tolerable: 5", "tolerable", "must lie in"),
    ("confidence: !!binary aGVsbG8=", "confidence", "between 0 and 1"),
    ("alpha: .nan", "alpha", "between 0 and 1"),
    ("strata: 5", "strata", "list of column names"),
    ("strata: !!set {region, scheme}", "strata", "list of column names"),
    ("strata: [region, 5]", "strata", "list of column names"),
    ("allocation: [1, 2]", "allocation", "mapping"),
    ("allocation: false", "allocation", "mapping"),
    ("allocation: neyman", "allocation", "mapping"),
    ("allocation: {method: neyman, rates: {GD: high}}", "allocation.rates.GD", "between 0 and 1"),
    ("allocation: {method: risk, weights: [1, 2]}", "allocation.weights", "number >= 0"),
    ("allocation: {method: lottery}", "allocation.method", "choose one of"),
    ("assumed: {rate: [0.1]}", "assumed.rate", "between 0 and 1"),
    ("assumed: {bad: {GD: -1}}", "assumed.bad.GD", "at least 0"),
    ("assumed: 0.05", "assumed", "mapping"),
    ("simulation: yes", "simulation", "mapping"),
    ("simulation: {replications: 100000000000}", "simulation.replications", f"at most {MAX_REPLICATIONS}"),
    ("simulation: {replications: 1e11}", "simulation.replications", "whole number"),
    ("simulation: {replications: 1.0e+11}", "simulation.replications", f"at most {MAX_REPLICATIONS}"),
    ("simulation: {seed: -3}", "simulation.seed", "at least 0"),
    ("institution_column: 5", "institution_column", "column name"),
    # integers past a C long / 10**9 are refused naming the field (not an OverflowError)
    ("n: 99999999999999999999999", "n", f"at most {MAX_COUNT}"),
    (
        "allocation: {method: proportional, minimum: 99999999999999999999999}",
        "allocation.minimum",
        f"at most {MAX_COUNT}",
    ),
    ("allocation: {method: fixed, sizes: {GD: 99999999999999999999}}", "allocation.sizes.GD", "at most"),
    ("assumed: {bad: 99999999999999999999}", "assumed.bad", f"at most {MAX_COUNT}"),
    ("assumed: {bad: {GD: 99999999999999999999}}", "assumed.bad.GD", f"at most {MAX_COUNT}"),
    ("assignment: {inspection_date: 2026-12-01, cap: 99999999999999999999}", "assignment.cap", "at most"),
    (
        "assignment: {inspection_date: 2026-12-01, team_size: 99999999999999999999}",
        "assignment.team_size",
        "at",
    ),
    ("exclude_recent: {months: 99999999999999999999, as_of: 2026-11-30}", "exclude_recent.months", "at most"),
    ("1: 2", "1", "unknown key"),
]


@pytest.mark.parametrize(("text", "field", "says"), VALUE_CASES, ids=[c[0][:48] for c in VALUE_CASES])
def test_bad_values_name_their_field(text, field, says, tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(("" if text.startswith(("seed:", "n:")) else BASE) + text + "\n", encoding="utf-8")
    if text.startswith("seed:"):
        path.write_text(text + "\nn: 12\n", encoding="utf-8")
    if text.startswith("n:"):
        path.write_text("seed: 7\n" + text + "\n", encoding="utf-8")
    with pytest.raises(SamplerError) as caught:
        load_plan(path)
    assert caught.value.field == field, str(caught.value)
    assert field in str(caught.value)
    assert says in str(caught.value)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"seed": 7, "n": 12, "tolerable": NaN}', "tolerable"),
        ('{"seed": 7, "n": Infinity}', "n"),
        ('{"seed": 7, "n": true}', "n"),
        ('{"seed": 7, "n": 12, "confidence": "0.95"}', "confidence"),
        ('{"seed": 7, "n": 12, "assignment": {"inspection_date": 20261201}}', "assignment.inspection_date"),
        ('{"seed": 7, "n": 12, "simulation": null, "assignment": []}', "assignment"),
    ],
)
def test_bad_json_values_name_their_field(text, field, tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SamplerError) as caught:
        load_plan(path)
    assert caught.value.field == field


# -- linked regions must name regions that exist -------------------------------------------------
def _plan(tmp_path, linked: str, *, assignment_replications: int = 0):
    path = tmp_path / "plan.yaml"
    path.write_text(
        "seed: 7\nn: 12\nassumed: {rate: 0.05}\n"
        f"simulation: {{replications: 20, assignment_replications: {assignment_replications}}}\n"
        f"assignment: {{inspection_date: 2026-12-01, cap: 3, linked_regions: {linked}}}\n",
        encoding="utf-8",
    )
    return load_plan(path)


@pytest.mark.parametrize(
    ("linked", "unknown", "where"),
    [
        ("{GD: [XZ]}", "XZ", "GD"),
        ("{XX: [GD]}", "XX", "XX"),
        ("{GD: [SH, gd]}", "gd", "GD"),
        ("{GD: 440000}", "440000", "GD"),
        ("{BJ: [GD, 'ZJ ']}", "ZJ ", "BJ"),
    ],
)
def test_linked_regions_naming_unknown_regions_are_refused(linked, unknown, where, tmp_path):
    frame_table, pool = make_frame_table(600), make_pool(80)
    plan = _plan(tmp_path, linked, assignment_replications=2)
    frame = plan_frame(frame_table, plan)
    for run in (lambda: run_draw(frame, plan, pool), lambda: run_simulation(frame, plan, pool)):
        with pytest.raises(SamplerError) as caught:
            run()
        assert caught.value.field == f"assignment.linked_regions.{where}"
        assert f"names region {unknown!r}, which is in neither the frame nor the inspector pool" in str(
            caught.value
        )


def test_linked_regions_naming_known_regions_still_draw(tmp_path):
    frame_table, pool = make_frame_table(600), make_pool(80)
    plan = _plan(tmp_path, "{GD: [SH, ZJ]}")
    record = run_draw(plan_frame(frame_table, plan), plan, pool)
    assert record["assignment"]["rules"]["linked_regions"] == {"GD": ["SH", "ZJ"]}
    gd_units = {u["unit_id"] for u in record["draw"]["units"] if u["stratum"].startswith("GD|")}
    regions = dict(zip(pool["inspector_id"], pool["region"], strict=True))
    assert gd_units
    assert {
        regions[t["inspector_id"]] for t in record["assignment"]["teams"] if t["unit_id"] in gd_units
    } <= {"GD", "SH", "ZJ"}


# -- through the command line: one line, exit 2 ---------------------------------------------------
@pytest.mark.parametrize("command", ["power", "simulate", "draw"])
def test_the_commands_refuse_a_bomb_and_a_bad_date_in_one_line(command, tmp_path):
    frame = tmp_path / "frame.csv"
    make_frame_table(300).to_csv(frame, index=False)
    for name, text in (
        ("bomb.yaml", _laughs()),
        ("date.yaml", "seed: 7\nn: 12\nassumed: {rate: 0.05}\nassignment: {inspection_date: 2026-02-30}\n"),
        ("latin1.yaml", "seed: 7\nn: 12\n# café\n".encode("latin-1")),
        (
            "minimum.yaml",
            "seed: 7\nn: 12\nallocation: {method: proportional, minimum: 99999999999999999999999}\n",
        ),
        (
            "cap.yaml",
            "seed: 7\nn: 12\nassignment: {inspection_date: 2026-12-01, cap: 99999999999999999999}\n",
        ),
        ("twice.yaml", "seed: 7\nn: 10\nn: 20\n"),
    ):
        path = tmp_path / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        result = CliRunner().invoke(app, [command, "--plan", str(path), "--frame-csv", str(frame)])
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        assert "Traceback" not in result.stdout + result.stderr


def test_a_plan_round_trips_through_json_after_the_checks(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(
        BASE + "assignment: {inspection_date: 2026-12-01, linked_regions: {440000: [450000, 460000]}}\n",
        encoding="utf-8",
    )
    plan = load_plan(path)
    assert plan.assignment.linked_regions == {"440000": ["450000", "460000"]}
    again = tmp_path / "plan.json"
    again.write_text(json.dumps(plan.to_dict()), encoding="utf-8")
    assert load_plan(again) == plan
