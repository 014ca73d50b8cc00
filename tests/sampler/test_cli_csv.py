"""CSV inputs of the CLI go through the one tabular reader: identifiers stay text, GBK is read,
other encodings and invisible characters are one error line naming the file, line and column."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sampler.plan_file import parse_plan
from sampler.run import plan_frame, run_draw
from tests.sampler.test_cli import invoke, one_error_line

PLAN = {"seed": 20261124, "strata": ["region", "scheme"], "n": 6, "allocation": {"method": "proportional"}}
IDS = [f"{i:06d}" for i in range(1, 61)]


def padded_frame() -> pd.DataFrame:
    """Units 000001…000060: 000001–000040 in GD, the rest in ZJ, all QMS, with a Chinese name column."""
    return pd.DataFrame(
        {
            "unit_id": IDS,
            "region": ["GD"] * 40 + ["ZJ"] * 20,
            "scheme": ["QMS"] * 60,
            "institution_id": [f"{i % 7 + 1:03d}" for i in range(60)],
            "name": [f"认证机构{i}" for i in range(60)],
        }
    )


@pytest.fixture
def plan_path(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({**PLAN, "institution_column": None}), encoding="utf-8")
    return path


def write_csv(path, frame: pd.DataFrame, encoding: str = "utf-8") -> str:
    path.write_bytes(frame.to_csv(index=False).encode(encoding))
    return str(path)


def test_zero_padded_unit_ids_are_drawn_as_typed(tmp_path, plan_path):
    frame_csv = write_csv(tmp_path / "frame.csv", padded_frame())
    result = invoke("draw", "--plan", str(plan_path), "--frame-csv", frame_csv, "--json")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    drawn = [unit["unit_id"] for unit in record["draw"]["units"]]
    assert len(drawn) == 6 and set(drawn) <= set(IDS)  # "000011", never 11
    # the same draw as from the frame typed in memory with text ids (independent of the reader)
    plan = parse_plan({**PLAN, "institution_column": None})
    expected = run_draw(plan_frame(padded_frame(), plan), plan)
    assert record["frame_hash"] == expected["frame_hash"]
    assert drawn == [unit["unit_id"] for unit in expected["draw"]["units"]]
    by_stratum = {
        s: sorted(u["unit_id"] for u in record["draw"]["units"] if u["stratum"] == s)
        for s in ("GD|QMS", "ZJ|QMS")
    }
    assert len(by_stratum["GD|QMS"]) == 4 and len(by_stratum["ZJ|QMS"]) == 2
    assert all("000001" <= u <= "000040" for u in by_stratum["GD|QMS"])
    assert all("000041" <= u <= "000060" for u in by_stratum["ZJ|QMS"])
    # a number-typed frame is a different frame: ids 11 and "000011" are not the same unit
    numeric = padded_frame().assign(unit_id=range(1, 61))
    assert run_draw(plan_frame(numeric, plan), plan)["frame_hash"] != record["frame_hash"]
    record_path = tmp_path / "record.json"
    record_path.write_text(result.stdout, encoding="utf-8")
    verified = invoke("verify", "--record", str(record_path), "--frame-csv", frame_csv)
    assert verified.exit_code == 0 and verified.stdout.startswith("match"), verified.output


def drawn_frame_hash(plan_path, frame_csv: str) -> str:
    result = invoke("draw", "--plan", str(plan_path), "--frame-csv", frame_csv, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["frame_hash"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "gb18030"])
def test_gbk_and_bom_frames_draw_like_utf8(tmp_path, plan_path, encoding):
    utf8 = drawn_frame_hash(plan_path, write_csv(tmp_path / "u.csv", padded_frame()))
    assert drawn_frame_hash(plan_path, write_csv(tmp_path / "o.csv", padded_frame(), encoding)) == utf8


@pytest.mark.parametrize("encoding", ["big5", "utf-16", "shift_jis"])
def test_other_encodings_are_one_error_line(tmp_path, plan_path, encoding):
    frame = padded_frame().assign(name=["認證機構"] * 60)
    path = write_csv(tmp_path / "frame.csv", frame, encoding)
    line = one_error_line(invoke("draw", "--plan", str(plan_path), "--frame-csv", path))
    assert "--frame-csv" in line and path in line and "UTF-8 or GB18030" in line


@pytest.mark.parametrize(
    ("cell", "what"),
    [("G\u200bD", "invisible"), ("\u202eGD", "invisible"), ("GD\x1b", "invisible"), ("#N/A", "Excel error")],
)
def test_a_bad_cell_is_named_by_line_and_column(tmp_path, plan_path, cell, what):
    frame = padded_frame()
    frame.loc[9, "region"] = cell  # the 10th unit: line 11 of the file
    path = write_csv(tmp_path / "frame.csv", frame)
    line = one_error_line(invoke("power", "--plan", str(plan_path), "--frame-csv", path))
    assert "line 11, column 'region'" in line and what in line


def test_full_width_cells_are_normalised(tmp_path, plan_path):
    frame = padded_frame()
    frame.loc[:, "scheme"] = "ＱＭＳ"
    frame.loc[:39, "region"] = "ＧＤ"
    plain = drawn_frame_hash(plan_path, write_csv(tmp_path / "p.csv", padded_frame()))
    assert drawn_frame_hash(plan_path, write_csv(tmp_path / "fw.csv", frame)) == plain


def test_inspector_csv_ids_stay_text(tmp_path):
    from cli.sampling import _read_csv

    path = tmp_path / "pool.csv"
    path.write_text("inspector_id,region,affiliations,active\n0007,GD,001;002,true\n", encoding="gbk")
    pool = _read_csv(str(path), "--inspectors-csv")
    assert pool.loc[0, "inspector_id"] == "0007" and pool.loc[0, "affiliations"] == "001;002"
