"""URL parameters as people (and link mangling) write them (issue 11 item 9): one parser per kind that
orders, clamps and drops what it cannot read, and the cleaned value written back into the URL — on every
page that reads URL parameters."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.filters import format_range, parse_choice, parse_list, parse_range, parse_whole
from tests.dashboard.conftest import as_int, metric_values

JUNK = ("²", "１２", "-1", "+1", "1e3", "0x10", "1_0", " ", "", "1.0", "١٢", "9" * 40, "12;DROP")


def _param(at, name: str) -> str | None:
    """A query parameter as AppTest holds it (text or a one-item list), None when absent."""
    if name not in at.query_params:
        return None
    value = at.query_params[name]
    return value[0] if isinstance(value, list) else value


# -- the parsers ------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", JUNK)
def test_only_ascii_digits_make_a_whole_number(raw):
    assert "²".isdigit() and "１２".isdigit()  # why str.isdigit() is not the check
    assert parse_whole(raw) is None


@pytest.mark.parametrize(("raw", "value"), [("12", 12), (" 7 ", 7), ("007", 7), ("0", 0), (None, None)])
def test_whole_numbers(raw, value):
    assert parse_whole(raw) == value


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2019-2025", (2019, 2025)),
        ("2026-2017", (2017, 2026)),  # backwards: ordered, not an empty range
        ("2025-2019", (2019, 2025)),
        ("2020", (2020, 2020)),
        (" 2020 - 2022 ", (2020, 2022)),
        ("1990-2030", (2017, 2026)),  # clamped to the years that exist
        ("1990-1995", (2017, 2017)),
        ("2030-2040", (2026, 2026)),
        ("0-99999", (2017, 2026)),
        ("2019-²", None),
        ("²-2019", None),
        ("２０１９-２０２０", None),
        ("2019--2020", None),
        ("-2019", None),
        ("2019-2020-2021", None),
        ("2019,2020", None),
        ("", None),
        (None, None),
        ("9" * 40, None),
    ],
)
def test_year_ranges_are_ordered_clamped_or_dropped(raw, expected):
    assert parse_range(raw, 2017, 2026) == expected
    if expected is not None:
        assert parse_range(format_range(expected), 2017, 2026) == expected  # what is written back reads back


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("QMS,EMS", ["QMS", "EMS"]),
        ("QMS,QMS,EMS", ["QMS", "EMS"]),
        (" QMS , EMS ", ["QMS", "EMS"]),
        ("QMS,²,nope", ["QMS"]),
        ("ＱＭＳ", None),
        ("²", None),
        (",,,", None),
        ("", None),
        (None, None),
    ],
)
def test_lists_keep_known_options_once(raw, expected):
    assert parse_list(raw, ["QMS", "EMS", "EnMS"]) == expected


def test_choices_match_ids_by_number_and_names_by_text():
    ids = [np.int64(3), np.int64(12)]  # ids as they come out of a DataFrame
    assert parse_choice("12", ids) == 12 and isinstance(parse_choice("12", ids), np.int64)
    assert parse_choice("012", ids) == 12
    for raw in (*JUNK, "5", None):
        assert parse_choice(raw, ids) is None
    assert parse_choice("matrix", ["stock", "matrix"]) == "matrix"
    assert parse_choice("²", ["stock", "matrix"]) is None


# -- every page that reads URL parameters -----------------------------------------------------------
BAD_COMMON = {"provinces": "440000,²,999999,440000", "schemes": "ＱＭＳ,QMS,zz", "view": "²"}


@pytest.mark.parametrize(
    ("page", "params", "cleaned"),
    [
        ("overview", {**BAD_COMMON, "years": "2026-2017"}, {"provinces": "440000", "schemes": "QMS"}),
        ("certificates", {**BAD_COMMON, "years": "²-2020"}, {"provinces": "440000", "schemes": "QMS"}),
        (
            "institutions",
            {**BAD_COMMON, "years": "2030-1990", "types": "²,establish"},
            {"provinces": "440000", "schemes": "QMS", "types": "establish"},
        ),
        (
            "inspectors",
            {**BAD_COMMON, "agencies": "²", "active": "１"},
            {"provinces": "440000", "schemes": "QMS"},
        ),
        (
            "outcomes",
            {**BAD_COMMON, "years": "2025-2024", "campaign": "²"},
            {"provinces": "440000", "schemes": "QMS", "years": "2024-2025"},
        ),
    ],
)
def test_every_page_cleans_its_url(open_page, page, params, cleaned):
    at = open_page(page, lang="en", **params)
    assert not at.exception
    for name, value in cleaned.items():
        assert _param(at, name) == value, name
    assert _param(at, "view") is None  # an unknown tab: the first, which stays out of the link
    for name in ("campaign", "institution", "agencies", "active"):
        if name in params:
            assert _param(at, name) != params[name]  # dropped, or the value the page chose
    if "years" in params and "years" not in cleaned:
        slider = at.slider(key="url_filter_years").value
        assert slider[0] <= slider[1]


def test_a_backwards_year_range_counts_every_year(open_page, sql):
    """?years=2026-2017 showed zero applications; it is the range 2017-2026."""
    at = open_page("institutions", lang="en", years="2026-2017")
    first, last = at.slider(key="url_filter_years").value
    assert first <= last
    expected = sql(
        "SELECT count(*) FROM approvalapplication WHERE submitted_on BETWEEN :a AND :b",
        a=f"{first}-01-01",
        b=f"{last}-12-31",
    )
    assert expected > 0
    assert as_int(metric_values(at)["Applications received"]) == expected
    forwards = open_page("institutions", lang="en", years=f"{first}-{last}")
    assert metric_values(forwards)["Applications received"] == metric_values(at)["Applications received"]


@pytest.mark.parametrize("raw", ["²", "１２", "-3", "99999999999999999999999", "3.0"])
def test_a_campaign_link_that_cannot_be_read_shows_every_campaign(open_page, raw):
    at = open_page("outcomes", lang="en", campaign=raw)
    assert at.selectbox(key="url_filter_campaign").value == 0  # every campaign
    assert _param(at, "campaign") is None


@pytest.mark.parametrize("raw", ["²", "１２", "-3", "99999999999999999999999", "1e3"])
def test_an_institution_link_that_cannot_be_read_picks_the_default(open_page, raw):
    at = open_page("institutions", lang="en", view="detail", institution=raw)
    chosen = at.selectbox(key="institution_pick").value
    assert chosen is not None and _param(at, "institution") == str(chosen)
