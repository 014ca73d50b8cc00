"""Plan & draw (抽查计划与抽取): quotas per province, power before the draw, live draw, commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import charts, planner
from dashboard.auth import denied_text, require_page
from dashboard.cache import query, require_data
from dashboard.errors import error_text
from dashboard.formats import (
    d3_percent,
    decimal_column_format,
    format_int,
    format_number,
    format_pct,
    percent_column_format,
)
from dashboard.i18n import plain, province_name, scheme_name, t
from dashboard.store import get_engine
from dashboard.tables import labelled, province_labels, show_table
from models.access import AccessDenied, Permission
from models.campaigns import CAMPAIGN_NAME_MAX
from models.draw_records import WorkflowError
from models.frames import load_certificate_frame, load_inspector_pool
from models.lottery import REASON_MAX, find_session, inputs_hash, open_draw
from models.queries.outcomes import stratum_outcome_counts
from models.queries.planning import stratum_population
from models.reference_data import SCHEME_CODES
from sampler.attribute import sample_size
from sampler.errors import MAX_SEED, SamplerError

MC_REPLICATIONS = 2000
PERCENT = 2  # the precision of every percentage on this page
MODELS = ("binomial", "hypergeometric", "poisson")
VIEWER = require_page(Permission.READ_STAFF)


@dataclass(frozen=True)
class Setup:
    """The choices at the top of the page."""

    scheme: str
    scheme_labels: dict[str, str]
    year: int
    seed: int


@dataclass(frozen=True)
class SizeChoice:
    """Step 1: the attribute-sampling inputs and the sample size per stratum (None if refused)."""

    confidence: float
    tolerable: float
    expected: float
    n: int | None


def render_setup() -> Setup:
    """Scheme, year and simulation seed."""
    top = st.columns(3)
    scheme_labels = {code: scheme_name(code) for code in SCHEME_CODES}  # labels fixed for this run
    scheme = top[0].selectbox(
        t("plan.scheme"), SCHEME_CODES, format_func=scheme_labels.get, key="plan_scheme"
    )
    year = int(top[1].number_input(t("plan.year"), 2017, 2100, dt.date.today().year, key="plan_year"))
    seed = int(
        top[2].number_input(
            t("plan.seed"), 0, MAX_SEED, int(dt.date.today().strftime("%Y%m%d")), key="plan_seed"
        )
    )
    return Setup(scheme=scheme, scheme_labels=scheme_labels, year=year, seed=seed)


def render_size(population: pd.DataFrame) -> SizeChoice:
    """Step 1: sample size per stratum from attribute-sampling tables."""
    st.subheader(t("plan.size.header"))
    size_cols = st.columns(4)
    confidence = size_cols[0].selectbox(
        t("plan.size.confidence"), (0.90, 0.95, 0.99), index=1, format_func=lambda c: format_pct(c, 0)
    )
    tolerable = size_cols[1].number_input(
        t("plan.size.tolerable"), 0.005, 0.5, 0.05, step=0.005, format="%.3f"
    )
    expected = size_cols[2].number_input(t("plan.size.expected"), 0.0, 0.49, 0.01, step=0.005, format="%.3f")
    model_labels = {m: t(f"plan.model.{m}") for m in MODELS}
    model = size_cols[3].selectbox(
        t("plan.size.model"), MODELS, format_func=model_labels.get, key="plan_model"
    )
    try:
        median_population = int(population["N"].median())
        size = sample_size(
            confidence=confidence,
            tolerable=tolerable,
            expected=expected,
            model=model,
            population=median_population if model == "hypergeometric" else None,
        )
    except SamplerError as error:
        st.warning(error_text(error))
        return SizeChoice(confidence, tolerable, expected, None)
    left, right = st.columns(2)
    left.metric(t("plan.size.n"), format_int(size.n))
    right.metric(t("plan.size.allowed"), format_int(size.allowed_deviations))
    st.caption(t("plan.size.help"))
    return SizeChoice(confidence, tolerable, expected, int(size.n))


def render_quotas(population: pd.DataFrame, scheme: str, size: SizeChoice) -> pd.DataFrame:
    """Step 2: quotas per province (the total follows step 1's sample size); returns region_code, N, n."""
    st.subheader(t("plan.quota.header"))
    quota_cols = st.columns(4)
    method_labels = {m: t(f"plan.method.{m}") for m in planner.ALLOCATION_METHODS}
    method = quota_cols[0].selectbox(
        t("plan.quota.method"), planner.ALLOCATION_METHODS, format_func=method_labels.get, key="plan_method"
    )
    population_total = int(population["N"].sum())
    total_n = int(
        quota_cols[1].number_input(
            t("plan.quota.total"),
            1,
            population_total,
            planner.default_total(population, size.n),
            disabled=method == "ratio",
        )  # no key: a new default (step 1's sample size, or another scheme) makes it a new widget
    )
    minimum = int(quota_cols[2].number_input(t("plan.quota.minimum"), 0, 1000, 2))
    ratio = quota_cols[3].number_input(
        t("plan.quota.ratio"),
        0.001,
        1.0,
        0.03,
        step=0.01,
        format="%.3f",
        disabled=method != "ratio",
        key="plan_ratio",
    )
    if size.n is not None and method != "ratio":
        st.caption(t("plan.quota.from_size", n=format_int(size.n)))
    history = planner.past_history(population, query(stratum_outcome_counts, scheme=scheme))
    past_rates = planner.smoothed_past_rates(population, query(stratum_outcome_counts, scheme=scheme))
    try:
        quotas = planner.quota_table(
            population, n=total_n, method=method, minimum=minimum, ratio=ratio, past_rates=past_rates
        )
    except SamplerError as error:
        st.error(error_text(error))
        st.stop()
    quotas = quotas.merge(history, on="region_code", how="left")
    quotas["province"] = quotas["region_code"].map(province_name)
    for column in ("observed_rate", "smoothed_rate"):
        quotas[column] = quotas[column] * 100  # shown as percentages (the editor has no percent scale)
    percent = format_pct_column()
    edited = st.data_editor(
        quotas[
            ["province", "N", "inspected", "violations", "observed_rate", "smoothed_rate", "n", "region_code"]
        ],
        hide_index=True,
        disabled=[
            "province",
            "N",
            "inspected",
            "violations",
            "observed_rate",
            "smoothed_rate",
            "region_code",
        ],
        column_config={
            "province": st.column_config.TextColumn(t("plan.col.province")),
            "N": st.column_config.NumberColumn(t("plan.col.N"), format="%d"),
            "inspected": st.column_config.NumberColumn(t("plan.col.inspected"), format="%d"),
            "violations": st.column_config.NumberColumn(t("plan.col.violations"), format="%d"),
            "observed_rate": st.column_config.NumberColumn(t("plan.col.observed_rate"), format=percent),
            "smoothed_rate": st.column_config.NumberColumn(
                t("plan.col.past_rate"), format=percent, help=t("plan.col.past_rate_help")
            ),
            "n": st.column_config.NumberColumn(t("plan.col.n"), min_value=0, step=1, format="%d"),
            "region_code": None,
        },
        key=f"quota_editor_{scheme}_{method}_{total_n}_{minimum}_{ratio}",
        height=300,
    )
    quotas = edited[["region_code", "N", "n"]].assign(n=edited["n"].fillna(0).astype(int).clip(lower=0))
    over = quotas[quotas["n"] > quotas["N"]]
    if not over.empty:
        st.error(t("plan.error.quota_over", provinces="、".join(over["region_code"].map(province_name))))
        st.stop()
    st.caption(
        t("plan.quota.edit_help")
        + " "
        + t("plan.quota.sum", n=format_int(quotas["n"].sum()), p=format_int((quotas["n"] > 0).sum()))
    )
    return quotas


def format_pct_column() -> str:
    """The printf format of this page's percentage columns (values already times 100)."""
    return percent_column_format(PERCENT)


def render_power(quotas: pd.DataFrame, scheme: str, size: SizeChoice, seed: int) -> None:
    """Step 3: exact detection figures and test power before the draw, and their Monte Carlo check."""
    st.subheader(t("plan.power.header"))
    assumed = st.slider(
        t("plan.power.assumed"), 0.0, 0.3, 0.05, step=0.005, format="%.3f", key="plan_assumed"
    )
    power = planner.power_of(
        quotas, assumed_rate=assumed, tolerable=size.tolerable, confidence=size.confidence
    )
    kpis = st.columns(3)
    kpis[0].metric(t("plan.power.any"), format_pct(power.p_detect_any, PERCENT))
    kpis[1].metric(t("plan.power.expected"), format_number(power.expected_detections, 1))
    kpis[2].metric(
        t("plan.power.half_width"),
        f"±{format_pct(power.half_width, PERCENT)}"
        if power.half_width is not None
        else t("plan.power.half_width_none"),
    )
    st.caption(t("plan.power.model_note"))
    strata = power.strata.reset_index(names="region_code")
    strata["province"] = strata["region_code"].map(province_name)
    charts.show(
        charts.bar(
            strata,
            x="province",
            y="p_detect",
            x_title=t("plan.col.province"),
            y_title=t("plan.col.p_detect"),
            value_format=d3_percent(0),
            height=260,
        ),
        key="plan_power_chart",
    )
    show_table(
        labelled(
            strata,
            {
                "province": "plan.col.province",
                "N": "plan.col.N",
                "n": "plan.col.n",
                "bad": "plan.col.bad",
                "p_detect": "plan.col.p_detect",
                "expected_detections": "plan.col.expected",
                "test_power": "plan.col.test_power",
            },
        ),
        name=f"plan-power-{scheme}",
        height=260,
        column_config={
            t(key): st.column_config.NumberColumn(format=decimal_column_format(2))
            for key in ("plan.col.bad", "plan.col.expected")
        },
        percent_columns=[t("plan.col.p_detect"), t("plan.col.test_power")],
        percent_digits=PERCENT,
    )
    with st.expander(t("plan.power.mc", r=format_int(MC_REPLICATIONS))):
        check = planner.monte_carlo_check(
            power, assumed_rate=assumed, replications=MC_REPLICATIONS, seed=seed
        )
        st.write(
            t(
                "plan.power.mc_result",
                sim=format_pct(check.p_detect_any, PERCENT),
                se=format_pct(check.p_detect_any_se, PERCENT),
                exact=format_pct(power.p_detect_any, PERCENT),
            )
        )


def render_draw(setup: Setup, quotas: pd.DataFrame) -> None:
    """Step 4: live draw, teams, commit: open (commitment) -> attempts (logged) -> commit the latest, once."""
    scheme, scheme_labels, year = setup.scheme, setup.scheme_labels, setup.year
    st.subheader(t("plan.draw.header"))
    if not VIEWER.can(Permission.DRAW):
        st.caption(t("plan.draw.not_permitted"))
        st.stop()

    engine = get_engine()
    draw_cols = st.columns(4)
    campaign_name = draw_cols[0].text_input(
        t("plan.draw.campaign"),
        f"{year}年{scheme} 认证结果双随机抽查",
        max_chars=CAMPAIGN_NAME_MAX,
        key="plan_campaign",
    )
    inspection_date = draw_cols[1].date_input(t("plan.draw.date"), dt.date.today() + dt.timedelta(days=14))
    team_size = int(draw_cols[2].number_input(t("plan.draw.team"), 1, 5, 2, key="plan_team"))
    cap = int(
        draw_cols[3].number_input(
            t("plan.draw.cap"), 1, 100, 5, key="plan_cap", help=t("plan.draw.cap_help", year=year)
        )
    )
    cross_region = st.checkbox(t("plan.draw.cross"))
    exclude_months = int(st.number_input(t("plan.draw.exclude_months"), 0, 120, 0, key="plan_exclude"))
    session = find_session(engine, campaign_name=campaign_name, year=year)

    if "plan_committed" in st.session_state:
        st.success(t("plan.draw.committed", id=st.session_state["plan_committed"]))
    if session is not None and session.status == "committed":
        st.info(t("plan.lottery.committed_already", name=session.campaign_name, year=session.year))
        st.stop()
    if session is not None and session.status == "open" and session.scheme not in (None, scheme):
        # the planner switched the scheme: the open draw is another scheme's (its frame differs, but the
        # population did not change, and opening it again for this scheme would be refused)
        st.warning(
            t(
                "plan.lottery.other_scheme",
                name=session.campaign_name,
                planned=scheme_labels.get(session.scheme, session.scheme),
                scheme=scheme_labels[scheme],
            )
        )
        st.stop()
    if session is None or session.status != "open" or session.pool_hash is None:
        if session is not None and session.status == "open":
            st.warning(t("plan.lottery.not_frozen"))  # opened before populations were frozen
        st.caption(t("plan.lottery.explain"))
        reopen_reason = ""
        if session is not None:
            reopen_reason = st.text_input(
                t("plan.lottery.reopen_reason"), max_chars=REASON_MAX, key="plan_reopen_reason"
            )
        if st.button(
            t("plan.lottery.open"),
            type="primary",
            key="plan_open",
            disabled=session is not None and not reopen_reason.strip(),
        ):
            try:
                open_draw(
                    engine,
                    campaign_name=campaign_name,
                    year=year,
                    scheme=scheme,
                    frame=query(load_certificate_frame, schemes=(scheme,)),
                    pool=query(load_inspector_pool, workload_year=year),
                    actor=VIEWER,
                    reason=reopen_reason,
                )
                st.session_state.pop("plan_preview", None)
                st.rerun()
            except AccessDenied as error:
                st.error(denied_text(error))
            except WorkflowError as error:
                st.error(error_text(error))
        st.stop()

    st.markdown(
        t(
            "plan.lottery.opened",
            commitment=session.commitment,
            frame=session.frame_hash[:16],
            by=plain(session.opened_by_name),
            at=f"{session.opened_at:%Y-%m-%d %H:%M} UTC",
            attempts=session.attempts,
        )
    )
    inputs = planner.draw_inputs(
        scheme=scheme,
        year=year,
        quotas=quotas,
        inspection_date=inspection_date,
        team_size=team_size,
        cap=cap,
        cross_region=cross_region,
        exclude_months=exclude_months,
    )
    current = inputs_hash(inputs)
    needs_reason = session.attempts > 0 and current != session.latest_inputs_hash
    reason = ""
    if needs_reason:
        reason = st.text_input(t("plan.lottery.reason"), max_chars=REASON_MAX, key="plan_reason")
    if st.button(
        t("plan.draw.run"), type="primary", key="plan_run", disabled=needs_reason and not reason.strip()
    ):
        try:
            st.session_state["plan_preview"] = planner.draw_preview(
                engine,
                session.id,
                quotas,
                inputs,
                actor=VIEWER,
                reason=reason,
            )
            st.rerun()
        except SamplerError as error:
            st.session_state.pop("plan_preview", None)
            st.error(error_text(error))
        except WorkflowError as error:
            st.session_state.pop("plan_preview", None)
            st.error(error_text(error))

    preview: planner.Preview | None = st.session_state.get("plan_preview")
    if preview is None or preview.session_id != session.id:
        st.stop()
    if preview.inputs_hash != current or preview.attempt_id != session.latest_attempt:
        st.warning(
            t("plan.lottery.stale")
        )  # the preview no longer matches the inputs: it cannot be committed
        st.stop()
    live = preview.live
    st.success(
        t(
            "plan.draw.preview",
            n=format_int(len(live.draw.units)),
            m=format_int(len(live.assignment.workload)),
        )
    )
    st.caption(
        t(
            "plan.draw.audit",
            frame=live.draw.frame_hash[:16],
            seed=live.draw.seed,
            stream=live.draw.stream[:16],
        )
    )
    if (exclusion := live.draw.params.get("exclusion")) is not None:
        st.info(t("plan.draw.excluded", count=format_int(exclusion["excluded"]), **exclusion))
    show_table(
        labelled(
            planner.readable_preview(engine, live),
            {
                "certificate_number": "plan.col.certificate",
                "organisation": "plan.col.organisation",
                "institution": "plan.col.institution",
                "region": "plan.col.province",
                "inclusion_probability": "plan.col.probability",
                "team": "plan.col.team",
            },
            formatters={"region": province_labels},
        ),
        name=f"draw-{scheme}-{year}",
        height=300,
    )
    if st.button(t("plan.draw.commit"), key="plan_commit"):
        try:
            draw_id = planner.commit_preview(
                engine, preview, campaign_name=campaign_name, year=year, scheme=scheme, actor=VIEWER
            )
            st.session_state["plan_committed"] = draw_id
            st.session_state.pop("plan_preview", None)
            st.cache_data.clear()
            st.rerun()
        except AccessDenied as error:
            st.error(denied_text(error))
        except WorkflowError as error:
            st.error(error_text(error))


def main() -> None:
    require_data()
    st.title(t("nav.planning"))
    st.caption(t("plan.caption"))
    setup = render_setup()
    population = query(stratum_population, schemes=(setup.scheme,))
    if population.empty:
        st.info(t("plan.no_population"))
        st.stop()
    size = render_size(population)
    quotas = render_quotas(population, setup.scheme, size)
    render_power(quotas, setup.scheme, size, setup.seed)
    render_draw(setup, quotas)


main()
