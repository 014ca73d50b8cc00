"""Dashboard speed at scale, as ratios to a blank Streamlit page timed in the same run (not a test).

    .venv/bin/python bench/dashboard.py [--database bench/out/dashboard/national.db] [--scale national]

Seeds the database if the file is missing (``seed_database(url, scale=..., seed=1)``), starts the app
and a blank page with ``streamlit run`` (same flags, same machine), and drives Debian's Chromium over
every page of the navigation:

* first render - a new browser session opens the page; the clock runs from navigation until the script
  has finished and every chart on the page has been drawn. The very first visit after the server
  starts (empty query cache) is reported apart as "cold"; the figure compared with the target is the
  median over fresh sessions once the server's query cache is warm (what a second user sees);
* filter change - a province is picked in the sidebar's province filter (a different province each
  round, so the queries behind it are not cached yet); the clock runs from the key press until the
  rerun has finished and the charts are drawn again. Pages split into tabs run only the open tab, so
  the filter change is timed on every tab in turn, and the slowest tab is the page's figure;
* tab switch - a click on each tab after the first, until its rerun has finished and charts are drawn.

The blank page is a title and one province multiselect, measured the same way. Targets: first render
<= 2x blank, filter change <= 1.5x blank. A "skeleton" page (sidebar filters, five metrics and two
tabs, but no queries, charts or tables) is measured like a dashboard page: the floor for any page
built of the same parts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from dashboard.navigation import PAGE_SPECS  # noqa: E402
from tests.support.browser import launch_chromium  # noqa: E402
from tests.support.streamlit_server import start_streamlit  # noqa: E402

OUT = REPO / "bench" / "out" / "dashboard"
BLANK_SCRIPT = '''"""A blank page: the baseline the dashboard's timings are divided by."""
import streamlit as st

st.set_page_config(page_title="blank", layout="wide")
st.title("Blank")
st.sidebar.multiselect("Provinces", ["Beijing", "Tianjin", "Hebei", "Shanxi", "Guangdong", "Zhejiang",
                                     "Jiangsu", "Shandong", "Sichuan", "Hubei"])
'''
SKELETON_SCRIPT = '''"""A dashboard page's furniture without its data: the floor of what a page with
filters, a row of headline figures and tabs costs to draw, whatever it shows."""
import streamlit as st

st.set_page_config(page_title="skeleton", layout="wide")
st.title("Skeleton")
st.caption("Headline figures above tabs, as on the dashboard pages; no queries, no charts, no tables.")
provinces = st.sidebar.multiselect("Provinces", ["Beijing", "Tianjin", "Hebei", "Shanxi", "Guangdong",
                                                 "Zhejiang", "Jiangsu", "Shandong", "Sichuan", "Hubei"])
st.sidebar.multiselect("Schemes", ["QMS", "EMS", "OHSMS"])
st.sidebar.multiselect("Statuses", ["valid", "suspended", "withdrawn", "expired"])
st.sidebar.slider("Years", 2017, 2026, (2022, 2026))
for column, label in zip(st.columns(5), ["A", "B", "C", "D", "E"]):
    column.metric(label, f"{1000 * len(provinces) + len(label):,}")
first, second = st.tabs(["First", "Second"], key="view", on_change="rerun")
with first if first.open else second:
    st.subheader("Section")
    st.caption(f"{len(provinces)} provinces picked")
'''
# every chart that takes up space on the page (charts in hidden tabs have no box) has been drawn
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
    .filter(e => e.getBoundingClientRect().height > 0)
    .every(e => e.querySelector('canvas, svg'))"""
PROVINCES = ("Guangdong", "Zhejiang", "Jiangsu", "Shandong", "Sichuan", "Hubei")
FIRST_RENDER_TARGET, FILTER_TARGET = 2.0, 1.5
VIEWPORT = {"width": 1400, "height": 1000}


@dataclass
class Timings:
    """Seconds measured for one page."""

    cold: float | None = None
    warm: list[float] = field(default_factory=list)
    filter_change: list[float] = field(default_factory=list)
    filter_cached: list[float] = field(default_factory=list)
    tab_switch: list[float] = field(default_factory=list)
    # per tab (label): medians of its filter changes, fresh and cached
    by_tab: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)

    def median(self, name: str) -> float | None:
        values = getattr(self, name)
        return statistics.median(values) if values else None


class RunWatcher:
    """Times of the server's ``script_finished`` messages on a page's websocket (ForwardMsg protobuf).

    Watching the messages, not the DOM, also catches runs too short to ever show as "running".
    """

    def __init__(self, page) -> None:
        self.finished: list[float] = []
        page.on("websocket", lambda socket: socket.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        if isinstance(payload, str):
            return
        try:
            message = ForwardMsg.FromString(payload)
        except Exception:  # not a ForwardMsg
            return
        if message.WhichOneof("type") == "script_finished":
            self.finished.append(time.monotonic())


def wait_finished(page, watcher: RunWatcher, *, runs_before: int, timeout_s: float = 300.0) -> None:
    """Wait until a script run after ``runs_before`` has finished and every chart is drawn."""
    deadline = time.monotonic() + timeout_s
    while len(watcher.finished) <= runs_before:
        if time.monotonic() > deadline:
            raise TimeoutError("the script did not finish")
        page.wait_for_timeout(5)  # lets Playwright deliver websocket events
    page.wait_for_function(CHARTS_DRAWN, timeout=60_000, polling=20)


def new_page(browser):
    """A fresh browser session (context) and page, with its run watcher."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    page = context.new_page()
    return context, page, RunWatcher(page)


def first_render(browser, url: str) -> float:
    """Seconds from navigation in a new session until the script finished and charts were drawn."""
    context, page, watcher = new_page(browser)
    try:
        start = time.monotonic()
        page.goto(url, wait_until="commit")
        wait_finished(page, watcher, runs_before=0)
        return time.monotonic() - start
    finally:
        context.close()


TABS = '[data-testid="stMain"] [role="tab"]'


def tab_labels(browser, url: str) -> list[str]:
    """The labels of the page's tabs (empty if it has none)."""
    context, page, watcher = new_page(browser)
    try:
        page.goto(url)
        wait_finished(page, watcher, runs_before=0)
        return [label.strip() for label in page.locator(TABS).all_inner_texts()]
    finally:
        context.close()


def open_tab(page, watcher: RunWatcher, label: str) -> float:
    """Click the tab called ``label``; seconds until its rerun has finished and charts are drawn."""
    before = len(watcher.finished)
    start = time.monotonic()
    page.locator(TABS).filter(has_text=label).first.click()
    wait_finished(page, watcher, runs_before=before)
    return time.monotonic() - start


def filter_changes(
    browser, url: str, rounds: int, *, tab: str | None = None, switches: list[float] | None = None
) -> tuple[list[float], list[float]]:
    """Seconds per province picked in the sidebar filter: new provinces, then one picked before.

    The first list times provinces not picked before (their queries are not cached); the second
    picks the first province again (cached). Both are empty if the page has no province filter.
    With ``tab``, that tab is opened first (the time it took is appended to ``switches``).
    """
    context, page, watcher = new_page(browser)
    fresh: list[float] = []
    cached: list[float] = []
    try:
        page.goto(url)
        wait_finished(page, watcher, runs_before=0)
        if tab is not None:
            took = open_tab(page, watcher, tab)
            if switches is not None:
                switches.append(took)
        box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
            has_text="Province"
        )
        try:
            box.first.wait_for(timeout=20_000)
        except Exception:  # the page has no province filter
            return fresh, cached
        picks = [*PROVINCES[:rounds], PROVINCES[0]]
        for index, province in enumerate(picks):
            field_input = box.first.locator("input")
            field_input.click()
            field_input.fill(province)
            page.wait_for_timeout(300)
            before = len(watcher.finished)
            start = time.monotonic()
            field_input.press("Enter")
            wait_finished(page, watcher, runs_before=before)
            (fresh if index < rounds else cached).append(time.monotonic() - start)
            page.keyboard.press("Escape")
            # clear the selection again so that each round starts from "all provinces"
            clear = box.first.locator('[aria-label="Clear all"], [title="Clear all"]')
            if clear.count():
                before = len(watcher.finished)
                clear.first.click()
                wait_finished(page, watcher, runs_before=before)
        return fresh, cached
    finally:
        context.close()


def measure(browser, url: str, *, warm_rounds: int, filter_rounds: int) -> Timings:
    """Cold first render, warm first renders, and filter changes on every tab of one URL.

    The page's filter-change figures are those of its slowest tab (by median).
    """
    timings = Timings(cold=first_render(browser, url))
    timings.warm = [first_render(browser, url) for _ in range(warm_rounds)]
    labels = tab_labels(browser, url)
    for index, label in enumerate(labels or [None]):
        fresh, cached = filter_changes(
            browser, url, filter_rounds, tab=label if index else None, switches=timings.tab_switch
        )
        median = statistics.median(fresh) if fresh else None
        timings.by_tab[label or ""] = (median, statistics.median(cached) if cached else None)
        worst = timings.median("filter_change")
        if median is not None and (worst is None or median > worst):
            timings.filter_change, timings.filter_cached = fresh, cached
    return timings


def ensure_database(path: Path, scale: str, seed: int) -> str:
    """The database URL, seeding the file first if it is missing."""
    url = f"sqlite:///{path}"
    if not path.exists():
        from seed.build import seed_database

        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"seeding {scale} scale into {path} ...", flush=True)
        started = time.monotonic()
        seed_database(url, scale=scale, seed=seed)
        print(f"seeded in {time.monotonic() - started:.0f} s", flush=True)
    return url


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _ratio(value: float | None, base: float | None) -> str:
    return "-" if value is None or not base else f"{value / base:.2f}"


def report(results: dict[str, Timings], blank: Timings, *, scale: str, database: Path) -> str:
    """A markdown table of seconds and ratios to the blank page."""
    base_warm, base_filter = blank.median("warm"), blank.median("filter_change")
    base_cached = blank.median("filter_cached")
    lines = [
        f"{dt.date.today().isoformat()}, {scale} scale ({database.name}), SQLite, 2 cores, "
        f"Chromium headless; seconds (median) and ratio to the blank page",
        "",
        "| page | cold first render | first render | ratio (<= 2) | filter change (slowest tab) "
        "| ratio (<= 1.5) | filter change, cached | ratio | tab switch | ratio |",
        "|---|---|---|---|---|---|---|---|---|---|",
        f"| blank | {_fmt(blank.cold)} | {_fmt(base_warm)} | 1.00 | {_fmt(base_filter)} | 1.00 "
        f"| {_fmt(base_cached)} | 1.00 | - | - |",
    ]
    for name, timings in results.items():
        warm, change = timings.median("warm"), timings.median("filter_change")
        cached, switch = timings.median("filter_cached"), timings.median("tab_switch")
        lines.append(
            f"| {name} | {_fmt(timings.cold)} | {_fmt(warm)} | {_ratio(warm, base_warm)} | "
            f"{_fmt(change)} | {_ratio(change, base_filter)} | "
            f"{_fmt(cached)} | {_ratio(cached, base_cached)} | "
            f"{_fmt(switch)} | {_ratio(switch, base_filter)} |"
        )
    lines += ["", "Filter change by tab (seconds, fresh / cached; ratio of fresh to the blank page):", ""]
    for name, timings in results.items():
        if len(timings.by_tab) > 1:
            cells = [
                f"{label} {_fmt(fresh)} / {_fmt(cached)} ({_ratio(fresh, base_filter)})"
                for label, (fresh, cached) in timings.by_tab.items()
            ]
            lines.append(f"- {name}: " + "; ".join(cells))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", type=Path, default=OUT / "national.db", help="SQLite file (seeded if missing)"
    )
    parser.add_argument("--scale", default="national", choices=["demo", "national"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warm-rounds", type=int, default=3)
    parser.add_argument("--filter-rounds", type=int, default=3)
    parser.add_argument("--pages", nargs="*", help="url paths to measure (default: every page)")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    url = ensure_database(args.database.resolve(), args.scale, args.seed)
    blank_script = OUT / "blank_app.py"
    blank_script.write_text(BLANK_SCRIPT)
    app = start_streamlit(url, OUT)
    blank_server = start_streamlit(url, OUT, script=str(blank_script))
    skeleton_script = OUT / "skeleton_app.py"
    skeleton_script.write_text(SKELETON_SCRIPT)
    skeleton_server = start_streamlit(url, OUT, script=str(skeleton_script))
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            blank_url = blank_server.base_url + "/"
            blank = measure(
                browser, blank_url, warm_rounds=args.warm_rounds, filter_rounds=args.filter_rounds
            )
            results: dict[str, Timings] = {
                "skeleton (no data)": measure(
                    browser,
                    skeleton_server.base_url + "/",
                    warm_rounds=args.warm_rounds,
                    filter_rounds=args.filter_rounds,
                )
            }
            for index, (_file, _title, _icon, url_path) in enumerate(PAGE_SPECS):
                if args.pages and url_path not in args.pages:
                    continue
                page_url = f"{app.base_url}/" if index == 0 else f"{app.base_url}/{url_path}"
                print(f"measuring {url_path} ...", flush=True)
                results[url_path] = measure(
                    browser, page_url, warm_rounds=args.warm_rounds, filter_rounds=args.filter_rounds
                )
            # the blank page again at the end, so that drift in machine load hits both sides
            again = measure(
                browser, blank_url, warm_rounds=args.warm_rounds, filter_rounds=args.filter_rounds
            )
            blank.warm += again.warm
            blank.filter_change += again.filter_change
            blank.filter_cached += again.filter_cached
            browser.close()
    finally:
        app.stop()
        blank_server.stop()
        skeleton_server.stop()
    table = report(results, blank, scale=args.scale, database=args.database)
    print(table)
    (OUT / "results.md").write_text(table + "\n")
    failures = []
    for name, timings in results.items():
        if name.startswith("skeleton"):
            continue
        warm, change = timings.median("warm"), timings.median("filter_change")
        if warm and blank.median("warm") and warm / blank.median("warm") > FIRST_RENDER_TARGET:
            failures.append(f"{name} first render")
        if (
            change
            and blank.median("filter_change")
            and change / blank.median("filter_change") > FILTER_TARGET
        ):
            failures.append(f"{name} filter change")
    print("targets missed: " + (", ".join(failures) if failures else "none"))


if __name__ == "__main__":
    main()
