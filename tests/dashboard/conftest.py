"""AppTest fixtures: a seeded demo database (once per worker) and an app runner per test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from models.access import Actor
from models.db import make_engine
from tests.support.actors import STAFF
from tests.support.apptest import sign_in

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


@pytest.fixture(scope="session")
def demo_database_url(tmp_path_factory) -> str:
    """A demo-scale database from the seeder, shared by the AppTests of one worker."""
    from seed.build import seed_database

    url = f"sqlite:///{tmp_path_factory.mktemp('apptest-db') / 'regdash.db'}"
    seed_database(url, scale="demo", seed=20171201)
    return url


@pytest.fixture
def open_page(demo_database_url, monkeypatch) -> Callable[..., AppTest]:
    """``open_page("certificates", lang="en", provinces="440000")``: the app on that page, run once,
    signed in as ``user`` (staff by default; None for an anonymous visitor)."""
    monkeypatch.setenv("REGDASH_DATABASE_URL", demo_database_url)

    def start(page: str, lang: str = "zh", user: Actor | None = STAFF, **params: str) -> AppTest:
        at = sign_in(AppTest.from_file(APP, default_timeout=90), user)
        at.query_params["lang"] = lang
        for key, value in params.items():
            at.query_params[key] = value
        at.run()  # the default page, which may drop parameters it does not know (another page's tab)
        for key, value in params.items():
            at.query_params[key] = value
        at.switch_page(f"dashboard/pages/{page}.py").run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return start


@pytest.fixture
def sql(demo_database_url) -> Callable[..., int]:
    """``sql("SELECT count(*) ...", **params)``: one integer from the demo database."""
    engine = make_engine(demo_database_url)

    def scalar(statement: str, **params: object) -> int:
        with engine.connect() as connection:
            return int(connection.execute(text(statement), params).scalar_one())

    yield scalar
    engine.dispose()


def metric_values(at: AppTest) -> dict[str, str]:
    """Metric label -> shown value."""
    return {metric.label: metric.value for metric in at.metric}


def as_int(shown: str) -> int:
    """``"12,345"`` -> 12345."""
    return int(shown.replace(",", ""))
