"""Every command × every bad kind of option value: one ``error:`` line naming the option, exit 2,
nothing created, and a database URL's password never echoed (issue 11 item 8).

The commands are found by walking the ``regdash`` command tree, so a new command that takes
``--database-url`` fails `test_every_command_with_a_database_url_is_covered` until it is added here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from cli.main import app
from cli.options import MAX_COUNT, MAX_ID, MAX_REPLICATIONS, MAX_SEED
from tests.sampler.conftest import make_frame_table, make_pool
from tests.support.streamlit_server import free_port

SECRET = "S3cretPW"
runner = CliRunner()


def _commands(command=None, path=()):
    """(path, click command) of every leaf command under ``command``."""
    command = command or get_command(app)
    children = getattr(command, "commands", None)
    if children is None:
        yield path, command
        return
    for name, child in children.items():
        yield from _commands(child, (*path, name))


def _options(command) -> set[str]:
    return {opt for param in command.params for opt in getattr(param, "opts", [])}


def invoke(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env=env)


def one_error_line(result, *, code: int = 2) -> str:
    output = result.stdout + result.stderr
    assert result.exit_code == code, output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), (
        result.exception
    )
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), output
    assert "Traceback" not in output and SECRET not in output
    return lines[0]


def _listing(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """A plan, frame and pool CSV, and a genuine draw record made from them (all valid)."""
    root = tmp_path_factory.mktemp("inputs")
    make_frame_table(400).to_csv(root / "frame.csv", index=False)
    make_pool(60).to_csv(root / "pool.csv", index=False)
    (root / "plan.yaml").write_text(
        "seed: 7\nn: 12\nassumed: {rate: 0.05}\nsimulation: {replications: 50}\n", encoding="utf-8"
    )
    drawn = invoke(
        "draw",
        "--plan",
        str(root / "plan.yaml"),
        "--frame-csv",
        str(root / "frame.csv"),
        "--output",
        str(root / "record.json"),
    )
    assert drawn.exit_code == 0, drawn.stderr
    return root


# Arguments that bring each command to the point where it opens its store (and what it does to it).
DATABASE_COMMANDS = {
    ("db", "upgrade"): ((), "create"),
    ("db", "revision"): (("-m", "probe"), "write"),
    ("db", "stats"): ((), "read"),
    ("db", "expire"): (("--today", "2026-11-24"), "write"),
    ("seed",): (("--fraction", "0.001"), "create"),
    ("power",): (("--plan", "{plan}"), "read"),
    ("simulate",): (("--plan", "{plan}"), "read"),
    ("draw",): (("--plan", "{plan}"), "read"),
    ("verify",): (("--record", "{record}"), "read"),
    ("users", "set"): (("--subject", "someone", "--role", "staff"), "write"),
    ("users", "list"): ((), "read"),
    ("audit", "verify"): ((), "read"),
    ("campaign", "list"): ((), "read"),
    ("lookup",): (("--certificate", "X"), "read"),
    ("campaign", "bundle"): (("--campaign", "1", "--output", "{record}.zip"), "read"),
    ("campaign", "publish"): (("--campaign", "1", "--as", "someone"), "write"),
    ("outcomes", "template"): (("--campaign", "1", "--output", "{record}.xlsx"), "read"),
    ("outcomes", "import"): (("--campaign", "1", "{record}", "--as", "someone"), "write"),
}


def test_every_command_with_a_database_url_is_covered():
    taking_url = {path for path, command in _commands() if "--database-url" in _options(command)}
    assert taking_url == set(DATABASE_COMMANDS)


def _bad_urls(root: Path) -> dict[str, tuple[str, str]]:
    """kind -> (URL, what the one line must say)."""
    (root / "notes.txt").write_text("not a database\n" * 50, encoding="utf-8")
    (root / "blocker").write_text("a file where a folder should be", encoding="utf-8")
    (root / "folder.db").mkdir()
    return {
        "garbage": ("garbage", "--database-url is not a database URL"),
        "spaces": ("not a url at all", "--database-url is not a database URL"),
        "empty": ("", "--database-url is empty"),
        "mysql": (f"mysql://alice:{SECRET}@db.example/regdash", "'mysql' databases are not supported"),
        "oracle": (f"oracle://alice:{SECRET}@db.example/x", "'oracle' databases are not supported"),
        "driver": (f"postgresql+nosuchdriver://alice:{SECRET}@h/db", "--database-url"),
        "not sqlite": (f"sqlite:///{root / 'notes.txt'}", "is not a SQLite database"),
        "directory": (f"sqlite:///{root / 'folder.db'}", "is a directory, not a database file"),
        "under a file": (f"sqlite:///{root / 'blocker' / 'x.db'}", "--database-url: "),
    }


@pytest.mark.parametrize("path", sorted(DATABASE_COMMANDS), ids=" ".join)
def test_bad_database_urls_on_every_command(path, inputs, tmp_path):
    extra, _use = DATABASE_COMMANDS[path]
    args = [a.format(plan=inputs / "plan.yaml", record=inputs / "record.json") for a in extra]
    for kind, (url, says) in _bad_urls(tmp_path).items():
        before = _listing(tmp_path)
        line = one_error_line(invoke(*path, *args, "--database-url", url))
        assert says in line, (kind, line)
        assert "--database-url" in line or kind == "driver", (kind, line)
        assert _listing(tmp_path) == before, kind


@pytest.mark.parametrize("path", sorted(DATABASE_COMMANDS), ids=" ".join)
def test_a_missing_sqlite_file_is_created_only_by_commands_that_create(path, inputs, tmp_path):
    extra, use = DATABASE_COMMANDS[path]
    if use == "create":
        return  # db upgrade and seed make the file: tests/cli/test_db_commands.py, tests/seed
    args = [a.format(plan=inputs / "plan.yaml", record=inputs / "record.json") for a in extra]
    missing = tmp_path / "missing.db"
    line = one_error_line(invoke(*path, *args, "--database-url", f"sqlite:///{missing}"))
    assert line.startswith(f"error: --database-url: no database file at {missing}")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("path", sorted(DATABASE_COMMANDS), ids=" ".join)
def test_an_unreachable_server_never_shows_the_password(path, inputs):
    extra, _use = DATABASE_COMMANDS[path]
    args = [a.format(plan=inputs / "plan.yaml", record=inputs / "record.json") for a in extra]
    url = f"postgresql://alice:{SECRET}@127.0.0.1:{free_port()}/regdash"
    line = one_error_line(invoke(*path, *args, "--database-url", url))
    assert "alice:***@127.0.0.1" in line


def test_a_bad_url_from_the_environment_is_named_as_such(tmp_path):
    result = invoke("users", "list", env={"REGDASH_DATABASE_URL": f"mysql://a:{SECRET}@h/d"})
    assert one_error_line(result).startswith("error: $REGDASH_DATABASE_URL: 'mysql' databases")


# -- numeric options -------------------------------------------------------------------------------
TWENTY_DIGITS = "9" * 20
NUMBER_CASES = [
    # (command and the other options it needs, option, bad value, what the line says)
    (("seed", "--database-url", "sqlite:///{tmp}/s.db"), "--seed", "-1", f"from 0 to {MAX_SEED}"),
    (("seed", "--database-url", "sqlite:///{tmp}/s.db"), "--seed", TWENTY_DIGITS, "a number of 20 digits"),
    (("seed", "--database-url", "sqlite:///{tmp}/s.db"), "--seed", str(MAX_SEED + 1), str(MAX_SEED + 1)),
    (("seed", "--database-url", "sqlite:///{tmp}/s.db"), "--seed", "1e3", "'1e3'"),
    (("seed", "--database-url", "sqlite:///{tmp}/s.db"), "--seed", "１２", "'１２'"),
    (("seed", "--database-url", "sqlite:///{tmp}/s.db"), "--seed", "²", "'²'"),
    (("seed", "--database-url", "sqlite:///{tmp}/s.db"), "--seed", "1_000", "'1_000'"),
    (("seed", "--database-url", "sqlite:///{tmp}/s.db"), "--seed", "9" * 5000, "a number of 5000 digits"),
    (("seed", "--database-url", "sqlite:///{tmp}/s.db"), "--fraction", "0", "(0, 1]"),
    (("seed", "--database-url", "sqlite:///{tmp}/s.db"), "--fraction", "nan", "'nan'"),
    (("seed", "--database-url", "sqlite:///{tmp}/s.db"), "--fraction", "1e400", "finite"),
    (("seed", "--database-url", "sqlite:///{tmp}/s.db"), "--fraction", "2", "[0.0, 1.0]"),
    (("plan", "size", "--confidence", "0.95", "--tolerable", "0.05"), "--population", "0", "from 1"),
    (("plan", "size", "--confidence", "0.95", "--tolerable", "0.05"), "--population", TWENTY_DIGITS, "20"),
    (("plan", "size", "--confidence", "0.95", "--tolerable", "0.05"), "--population", "1e11", "'1e11'"),
    (
        ("plan", "size", "--confidence", "0.95", "--tolerable", "0.05"),
        "--population",
        str(MAX_COUNT + 1),
        str(MAX_COUNT),
    ),
    (("plan", "size", "--tolerable", "0.05"), "--confidence", "inf", "'inf'"),
    (("plan", "size", "--tolerable", "0.05"), "--confidence", "0x10", "'0x10'"),
    (("plan", "size", "--tolerable", "0.05"), "--confidence", "0,95", "'0,95'"),
    (("plan", "size", "--tolerable", "0.05"), "--confidence", "０.９５", "'０.９５'"),
    (("plan", "size", "--confidence", "0.95"), "--tolerable", "1" * 100, "must be a number"),
    (("plan", "limit", "--deviations", "0", "--confidence", "0.9"), "--n", TWENTY_DIGITS, "20 digits"),
    (("plan", "limit", "--deviations", "0", "--confidence", "0.9"), "--n", "2.5", "'2.5'"),
    (("plan", "limit", "--n", "10", "--confidence", "0.9"), "--deviations", "-1", "from 0"),
    (("simulate", "--plan", "{plan}", "--frame-csv", "{frame}"), "--replications", "1e11", "'1e11'"),
    (("simulate", "--plan", "{plan}", "--frame-csv", "{frame}"), "--replications", "0", "from 1"),
    (
        ("simulate", "--plan", "{plan}", "--frame-csv", "{frame}"),
        "--replications",
        str(MAX_REPLICATIONS + 1),
        str(MAX_REPLICATIONS),
    ),
    (("simulate", "--plan", "{plan}", "--frame-csv", "{frame}"), "--replications", TWENTY_DIGITS, "20"),
    (("serve",), "--port", "0", "--port"),
    (("serve",), "--port", "70000", "--port"),
    (("serve",), "--port", TWENTY_DIGITS, "--port"),
    (("serve", "--demo"), "--provider-port", "x", "--provider-port"),
    (("db", "expire", "--database-url", "sqlite:///{tmp}/s.db"), "--today", "2026-02-30", "--today"),
    (("db", "stats", "--database-url", "sqlite:///{tmp}/s.db"), "--as-of", "0001-01-01", "1990-01-01"),
    (("db", "stats", "--database-url", "sqlite:///{tmp}/s.db"), "--as-of", "9999-12-31", "today in China"),
    (("db", "expire", "--database-url", "sqlite:///{tmp}/s.db"), "--today", "2099-01-01", "today in China"),
    # ids and limits past a 64-bit database INTEGER (issue: OverflowError from SQLite)
    (("lookup",), "--institution", "9" * 23, "a number of 23 digits"),
    (("lookup",), "--institution", str(MAX_ID + 1), str(MAX_ID + 1)),
    (("lookup",), "--institution", "0", "from 1"),
    (("lookup", "--certificate", "X"), "--limit", TWENTY_DIGITS, "a number of 20 digits"),
    (("lookup", "--certificate", "X"), "--limit", str(MAX_COUNT + 1), str(MAX_COUNT)),
    (("lookup", "--certificate", "X"), "--limit", "0", "from 1"),
    (("campaign", "bundle", "--output", "{tmp}/q.zip"), "--campaign", TWENTY_DIGITS, "20 digits"),
    (("campaign", "publish", "--as", "sup"), "--campaign", TWENTY_DIGITS, "20 digits"),
    (("campaign", "publish", "--as", "sup"), "--campaign", str(MAX_ID + 1), str(MAX_ID)),
    (("outcomes", "template", "--output", "{tmp}/q.xlsx"), "--campaign", TWENTY_DIGITS, "20 digits"),
    (("outcomes", "import", "{tmp}/f.xlsx", "--as", "sup"), "--campaign", TWENTY_DIGITS, "20 digits"),
    (("outcomes", "import", "{tmp}/f.xlsx", "--as", "sup"), "--campaign", "-1", "from 1"),
]


@pytest.mark.parametrize(("command", "option", "value", "says"), NUMBER_CASES)
def test_bad_numbers_on_every_command(command, option, value, says, inputs, tmp_path):
    fill = {"tmp": tmp_path, "plan": inputs / "plan.yaml", "frame": inputs / "frame.csv"}
    args = [a.format(**fill) for a in command]
    line = one_error_line(invoke(*args, option, value))
    assert option in line and says in line, line
    assert list(tmp_path.iterdir()) == []  # nothing created (the seed's database file least of all)


@pytest.mark.parametrize(
    "args",
    [
        ("nosuchcommand",),
        ("db", "nosuch"),
        ("plan", "size", "--nosuch", "1"),
        ("users", "set", "--role", "staff"),
        ("seed", "--seed"),
    ],
)
def test_usage_errors_of_any_command_are_one_line(args):
    one_error_line(invoke(*args))


# -- draw records with the wrong JSON types --------------------------------------------------------
def _edited(record: dict, dotted: str, value) -> dict:
    data = json.loads(json.dumps(record))
    *parents, last = dotted.split(".")
    node = data
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[last] = value
    return data


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (lambda r: [r], "must be a JSON object"),
        (lambda r: "a text", "must be a JSON object"),
        (lambda r: None, "must be a JSON object"),
        (lambda r: _edited(r, "seed", "7"), "seed"),
        (lambda r: _edited(r, "seed", 7.5), "seed"),
        (lambda r: _edited(r, "seed", True), "seed"),
        (lambda r: _edited(r, "plan", []), "plan"),
        (lambda r: _edited(r, "plan.n", "12"), "n"),
        (lambda r: _edited(r, "draw", None), "draw"),
        (lambda r: _edited(r, "frame_hash", 12), "frame_hash"),
    ],
)
def test_records_with_wrong_json_types_are_one_line(edit, says, inputs, tmp_path):
    record = json.loads((inputs / "record.json").read_text(encoding="utf-8"))
    path = tmp_path / "record.json"
    path.write_text(json.dumps(edit(record)), encoding="utf-8")
    line = one_error_line(invoke("verify", "--record", str(path), "--frame-csv", str(inputs / "frame.csv")))
    assert says in line, line


@pytest.mark.parametrize("seed", [10**30, -1, MAX_SEED + 1])
def test_a_record_with_an_impossible_seed_is_a_mismatch_naming_the_seed(seed, inputs, tmp_path):
    record = _edited(json.loads((inputs / "record.json").read_text(encoding="utf-8")), "seed", seed)
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    result = invoke("verify", "--record", str(path), "--frame-csv", str(inputs / "frame.csv"))
    assert result.exit_code == 1 and "Traceback" not in result.stdout + result.stderr
    assert f"seed: recorded {seed}, re-derived 7" in result.stdout


@pytest.mark.postgres
def test_a_password_in_a_working_url_is_never_printed(postgres_server, inputs):
    """Every command on a reachable PostgreSQL store (trust authentication ignores the password), in
    the order that fills it: what any of them prints, success or error, never holds the password."""
    plain = postgres_server.create_database("regdash_password_echo")
    url = plain.replace(f"//{postgres_server.user}@", f"//{postgres_server.user}:{SECRET}@")
    assert SECRET in url
    order = [
        ("db", "upgrade"),
        ("seed",),
        *[p for p in DATABASE_COMMANDS if p not in {("db", "upgrade"), ("seed",)}],
    ]
    for path in order:
        extra, _use = DATABASE_COMMANDS[path]
        args = [a.format(plan=inputs / "plan.yaml", record=inputs / "record.json") for a in extra]
        if path == ("seed",):
            args += ["--force"]
        result = invoke(*path, *args, "--database-url", url)
        output = result.stdout + result.stderr
        assert SECRET not in output, (path, output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (path, result.exception)
        if path in {("db", "upgrade"), ("seed",), ("db", "stats"), ("users", "list"), ("campaign", "list")}:
            assert result.exit_code == 0, (path, output)
