"""The sampler stays a pure library, and the lead's console app exposes the sampling commands."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from typer.testing import CliRunner

ALLOWED_THIRD_PARTY = {"numpy", "scipy", "pandas", "yaml"}
FORBIDDEN = {"streamlit", "models", "seed", "dashboard", "sqlalchemy", "sqlmodel", "cli"}


def test_sampler_imports_only_numpy_scipy_pandas_yaml_and_itself():
    package = Path(__file__).resolve().parents[2] / "sampler"
    modules = sorted(package.glob("*.py"))
    assert len(modules) >= 12
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top not in FORBIDDEN, f"{path.name} imports {name}"
                if top not in {"sampler", "__future__"}:
                    import importlib.util
                    import sys

                    stdlib = top in sys.stdlib_module_names
                    assert stdlib or top in ALLOWED_THIRD_PARTY, f"{path.name} imports {name}"
                    assert importlib.util.find_spec(top) is not None


def test_console_app_has_the_sampling_commands():
    from cli.main import app

    runner = CliRunner()
    result = runner.invoke(app, ["plan", "size", "--confidence", "0.90", "--tolerable", "0.05", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["n"] == 45  # AICPA 90 % table, 5 % tolerable, 0 expected
    for command in ("power", "simulate", "draw", "verify"):
        assert runner.invoke(app, [command, "--help"]).exit_code == 0


def test_cli_models_match_the_library():
    from cli.sampling import MODELS as cli_models
    from sampler.attribute import MODELS

    assert tuple(cli_models) == tuple(MODELS)


def test_importing_the_cli_module_does_not_load_scipy():
    import subprocess
    import sys

    code = "import sys, cli.sampling; print('scipy' in sys.modules, 'pandas' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True
    )
    assert output.stdout.split() == ["False", "False"]
