"""The CLI commands through CliRunner: outputs, JSON, every bad input as one line with exit code 2."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.sampler.conftest import make_frame_table, make_pool

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def one_error_line(result, code: int = 2) -> str:
    assert result.exit_code == code, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output + result.stderr
    return lines[0]


@pytest.fixture
def files(tmp_path):
    frame_csv = tmp_path / "frame.csv"
    make_frame_table(2000).to_csv(frame_csv, index=False)
    inspectors_csv = tmp_path / "inspectors.csv"
    make_pool(120).to_csv(inspectors_csv, index=False)
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "seed: 20261124\n"
        "strata: [region, scheme]\n"
        "n: 40\n"
        "allocation: {method: neyman, minimum: 1, rates: {default: 0.05}}\n"
        "assumed: {rate: 0.03}\n"
        "tolerable: 0.05\n"
        "simulation: {replications: 400, assignment_replications: 3}\n"
        "assignment: {team_size: 2, cap: 3, inspection_date: 2026-12-01, cross_region: true}\n",
        encoding="utf-8",
    )
    return {"frame": str(frame_csv), "inspectors": str(inspectors_csv), "plan": str(plan), "dir": tmp_path}


def test_plan_size_text_and_json():
    result = invoke("plan", "size", "--confidence", "0.95", "--tolerable", "0.05", "--expected", "0.0125")
    assert result.exit_code == 0
    assert "n: 124" in result.stdout and "allowed_deviations: 2" in result.stdout
    data = json.loads(invoke("plan", "size", "--confidence", "0.95", "--tolerable", "0.05", "--json").stdout)
    assert (data["n"], data["allowed_deviations"], data["model"]) == (59, 0, "binomial")


def test_plan_size_with_population_defaults_to_hypergeometric():
    data = json.loads(
        invoke(
            "plan", "size", "--confidence", "0.95", "--tolerable", "0.05", "--population", "100", "--json"
        ).stdout
    )
    assert (data["n"], data["model"], data["population"]) == (45, "hypergeometric", 100)
    poisson = json.loads(
        invoke(
            "plan", "size", "--confidence", "0.95", "--tolerable", "0.05", "--model", "poisson", "--json"
        ).stdout
    )
    assert poisson["n"] == 60


def test_plan_limit():
    result = invoke("plan", "limit", "--n", "59", "--deviations", "0", "--confidence", "0.95", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["upper"] == pytest.approx(1 - 0.05 ** (1 / 59))
    text = invoke("plan", "limit", "--n", "100", "--deviations", "2", "--confidence", "0.9")
    assert text.stdout.startswith("upper: ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("plan", "size", "--confidence", "1.5", "--tolerable", "0.05"), "confidence must lie in (0, 1)"),
        (("plan", "size", "--confidence", "0.95", "--tolerable", "-0.1"), "tolerable must lie in (0, 1]"),
        (
            ("plan", "size", "--confidence", "0.95", "--tolerable", "0.05", "--expected", "0.06"),
            "tolerable rate (0.05) must exceed the expected rate (0.06)",
        ),
        (
            ("plan", "size", "--confidence", "0.95", "--tolerable", "0.05", "--expected", "2"),
            "expected must lie",
        ),
        (
            ("plan", "size", "--confidence", "x", "--tolerable", "0.05"),
            "--confidence must be a number, got 'x'",
        ),
        (("plan", "size", "--tolerable", "0.05"), "missing option --confidence"),
        (
            ("plan", "size", "--confidence", "0.95", "--tolerable", "0.05", "--model", "poison"),
            "did you mean 'poisson'",
        ),
        (
            ("plan", "limit", "--n", "10", "--deviations", "11", "--confidence", "0.95"),
            "deviations (11) cannot exceed n (10)",
        ),
        (
            (
                "plan",
                "limit",
                "--n",
                "200",
                "--deviations",
                "1",
                "--confidence",
                "0.95",
                "--population",
                "100",
            ),
            "n (200) cannot exceed the population N (100)",
        ),
        (
            ("plan", "limit", "--n", "2.5", "--deviations", "1", "--confidence", "0.95"),
            "--n must be a whole number",
        ),
    ],
)
def test_bad_numbers_give_one_line_and_exit_2(args, message):
    line = one_error_line(invoke(*args))
    assert message in line


def test_power_from_csv(files):
    result = invoke("power", "--plan", files["plan"], "--frame-csv", files["frame"], "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["n"] == 40
    assert 0 < data["p_detect_any"] < 1
    assert sum(row["n"] for row in data["strata"]) == 40
    assert data["expected_institutions_covered"] > 0
    text = invoke("power", "--plan", files["plan"], "--frame-csv", files["frame"])
    assert "P(detect at least one bad unit)" in text.stdout


def test_simulate_from_csv_with_assignment_replications(files):
    result = invoke(
        "simulate",
        "--plan",
        files["plan"],
        "--frame-csv",
        files["frame"],
        "--inspectors-csv",
        files["inspectors"],
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["replications"] == 400 and data["assignment_replications"] == 3
    assert 0 <= data["infeasible_rate"] <= 1
    override = json.loads(
        invoke(
            "simulate",
            "--plan",
            files["plan"],
            "--frame-csv",
            files["frame"],
            "--inspectors-csv",
            files["inspectors"],
            "--replications",
            "50",
            "--json",
        ).stdout
    )
    assert override["replications"] == 50


def test_draw_then_verify_roundtrip_and_tamper(files):
    record_path = files["dir"] / "record.json"
    result = invoke(
        "draw",
        "--plan",
        files["plan"],
        "--frame-csv",
        files["frame"],
        "--inspectors-csv",
        files["inspectors"],
        "--output",
        str(record_path),
        "--json",
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert len(record["draw"]["units"]) == 40
    assert len(record["assignment"]["teams"]) == 80
    assert json.loads(record_path.read_text()) == record
    again = json.loads(
        invoke(
            "draw",
            "--plan",
            files["plan"],
            "--frame-csv",
            files["frame"],
            "--inspectors-csv",
            files["inspectors"],
            "--json",
        ).stdout
    )
    assert again == record

    ok = invoke(
        "verify",
        "--record",
        str(record_path),
        "--frame-csv",
        files["frame"],
        "--inspectors-csv",
        files["inspectors"],
    )
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.startswith("match")

    record["draw"]["units"][0]["unit_id"] = 10**9
    tampered = files["dir"] / "tampered.json"
    tampered.write_text(json.dumps(record))
    bad = invoke(
        "verify",
        "--record",
        str(tampered),
        "--frame-csv",
        files["frame"],
        "--inspectors-csv",
        files["inspectors"],
        "--json",
    )
    assert bad.exit_code == 1
    differences = json.loads(bad.stdout)["differences"]
    assert differences == [
        "draw.units[0].unit_id: recorded 1000000000, re-derived "
        + json.dumps(again["draw"]["units"][0]["unit_id"])  # a CSV's ids are text
        + " (unit "
        + str(again["draw"]["units"][0]["unit_id"])
        + ")"
    ]


def test_draw_text_output_lists_teams(files):
    result = invoke(
        "draw",
        "--plan",
        files["plan"],
        "--frame-csv",
        files["frame"],
        "--inspectors-csv",
        files["inspectors"],
    )
    assert result.exit_code == 0
    assert result.stdout.startswith("drew 40 unit(s)")
    assert result.stdout.count("team=") == 40


@pytest.mark.parametrize(
    ("plan_text", "message"),
    [
        (
            "seed: 1\nn: 10\nconfidnce: 0.9\n",
            "unknown key 'confidnce' in plan file (did you mean 'confidence'?)",
        ),
        ("seed: 1\nn: 10\nallocation: {method: neymann}\n", "unknown allocation.method 'neymann'"),
        ("seed: 1\nn: 10\nallocation: {mehtod: equal}\n", "did you mean 'allocation.method'"),
        ("seed: 1\nn: 100000\nassumed: {rate: 0.1}\n", "n = 100000 exceeds the population N = 2000"),
        ("seed: 1\nn: 10\nassumed: {rate: 1.5}\n", "assumed.rate must lie in [0, 1]"),
        ("seed: 1\nn: 10\n", "needs assumed.rate or assumed.bad"),
        ("seed: 1\nn: 10\nstrata: [province]\nassumed: {rate: 0.1}\n", "no column 'province'"),
        ("seed: 1\nn: 10\nassumed: {rate: 0.1}\nconfidence: 1\n", "confidence must lie in (0, 1)"),
        ("seed: [1\n", "is not valid YAML"),
        ("- just\n- a list\n", "must hold a mapping"),
    ],
)
def test_bad_plan_files_give_one_line(files, plan_text, message):
    path = files["dir"] / "bad.yaml"
    path.write_text(plan_text, encoding="utf-8")
    line = one_error_line(invoke("power", "--plan", str(path), "--frame-csv", files["frame"]))
    assert message in line


def test_json_plan_files_and_missing_inputs(files):
    plan = files["dir"] / "plan.json"
    plan.write_text(json.dumps({"seed": 3, "n": 12, "assumed": {"bad": 1}}), encoding="utf-8")
    result = invoke("power", "--plan", str(plan), "--frame-csv", files["frame"], "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["n"] == 12
    assert "missing option --plan" in one_error_line(invoke("power", "--frame-csv", files["frame"]))
    assert "exactly one of --frame-csv" in one_error_line(invoke("power", "--plan", str(plan)))
    assert "not found" in one_error_line(
        invoke("power", "--plan", str(plan), "--frame-csv", "/nonexistent.csv")
    )
    assert "cannot read plan file" in one_error_line(
        invoke("power", "--plan", "/nope.yaml", "--frame-csv", files["frame"])
    )
    assert "no inspector pool" in one_error_line(
        invoke("draw", "--plan", files["plan"], "--frame-csv", files["frame"])
    )
    assert "missing option --record" in one_error_line(invoke("verify", "--frame-csv", files["frame"]))


def test_infeasible_assignment_is_one_line(files):
    path = files["dir"] / "tight.yaml"
    path.write_text(
        "seed: 1\nn: 40\nassignment: {team_size: 150, inspection_date: 2026-12-01}\n", encoding="utf-8"
    )
    line = one_error_line(
        invoke(
            "draw",
            "--plan",
            str(path),
            "--frame-csv",
            files["frame"],
            "--inspectors-csv",
            files["inspectors"],
        )
    )
    assert "binding constraint" in line and "for a team of 150" in line


def test_frame_from_the_store(files, monkeypatch):
    # The store path calls models.frames.load_certificate_frame(engine); stand it in with the CSV frame.
    import models.frames

    table = make_frame_table(2000).astype(str)  # what the CSV holds: every cell text
    seen = {}

    def fake_loader(engine):
        seen["url"] = str(engine.url)
        return table

    monkeypatch.setattr(models.frames, "load_certificate_frame", fake_loader)
    db = files["dir"] / "store.db"
    db.touch()  # an empty file is an empty SQLite database: the store exists, the loader is faked
    from_store = invoke("power", "--plan", files["plan"], "--database-url", f"sqlite:///{db}", "--json")
    from_csv = invoke("power", "--plan", files["plan"], "--frame-csv", files["frame"], "--json")
    assert from_store.exit_code == 0, from_store.output
    assert seen["url"].endswith("store.db")
    assert json.loads(from_store.stdout)["frame_hash"] == json.loads(from_csv.stdout)["frame_hash"]


def test_empty_store_gives_one_line(files):
    from models.db import make_engine
    from models.migrate import upgrade

    url = f"sqlite:///{files['dir'] / 'empty.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    line = one_error_line(invoke("power", "--plan", files["plan"], "--database-url", url))
    assert "frame is empty" in line


def test_unwritable_output_is_one_line(files):
    line = one_error_line(
        invoke(
            "draw",
            "--plan",
            files["plan"],
            "--frame-csv",
            files["frame"],
            "--inspectors-csv",
            files["inspectors"],
            "--output",
            "/nonexistent/dir/r.json",
        )
    )
    assert "cannot write the record to /nonexistent/dir/r.json" in line


def test_simulate_reports_the_distribution_of_detections(files):
    data = json.loads(
        invoke(
            "simulate",
            "--plan",
            files["plan"],
            "--frame-csv",
            files["frame"],
            "--inspectors-csv",
            files["inspectors"],
            "--json",
        ).stdout
    )
    shares = data["detections_distribution"]
    assert sum(shares.values()) == pytest.approx(1.0)
    mean = sum(int(k) * v for k, v in shares.items())
    assert mean == pytest.approx(data["mean_detections"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("plan", "size", "--confidence", "0.95", "--tolerable", "0.05", "--confidnce", "0.9"),
            "No such option: --confidnce",
        ),
        (("plan", "size", "--confidence"), "--confidence"),
        (("plan", "sise"), "No such command 'sise'"),
        (("power", "--frame-csv"), "--frame-csv"),
    ],
)
def test_click_usage_errors_are_one_line_too(args, message):
    line = one_error_line(invoke(*args))
    assert message in line
