"""Plan & draw (抽查计划与抽取): quotas per province, power before the draw, live draw, commit."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import charts, planner
from dashboard.auth import denied_text, require_page
from dashboard.cache import query, require_data
from dashboard.i18n import format_int, format_pct, plain, province_name, scheme_name, strings, t
from dashboard.store import get_engine
from dashboard.tables import labelled, province_labels, show_table
from models.access import AccessDenied, Permission
from models.draw_records import WorkflowError
from models.frames import load_certificate_frame, load_inspector_pool
from models.lottery import find_session, inputs_hash, open_draw
from models.queries.outcomes import stratum_outcome_counts
from models.queries.planning import stratum_population
from models.reference_data import SCHEME_CODES
from sampler.attribute import sample_size
from sampler.errors import SamplerError

MC_REPLICATIONS = 2000

VIEWER = require_page(Permission.READ_STAFF)
require_data()
st.title(t("nav.planning"))
st.caption(t("plan.caption"))

top = st.columns(3)
scheme_labels = {code: scheme_name(code) for code in SCHEME_CODES}  # labels fixed for this run
scheme = top[0].selectbox(t("plan.scheme"), SCHEME_CODES, format_func=scheme_labels.get, key="plan_scheme")
year = int(top[1].number_input(t("plan.year"), 2017, 2100, dt.date.today().year, key="plan_year"))
seed = int(
    top[2].number_input(
        t("plan.seed"), 0, 2**53 - 1, int(dt.date.today().strftime("%Y%m%d")), key="plan_seed"
    )
)

population = query(stratum_population, schemes=(scheme,))
if population.empty:
    st.info(t("plan.no_population"))
    st.stop()

# 1 -- sample size per stratum from attribute-sampling tables
st.subheader(t("plan.size.header"))
size_cols = st.columns(4)
confidence = size_cols[0].selectbox(
    t("plan.size.confidence"), (0.90, 0.95, 0.99), index=1, format_func=format_pct
)
tolerable = size_cols[1].number_input(t("plan.size.tolerable"), 0.005, 0.5, 0.05, step=0.005, format="%.3f")
expected = size_cols[2].number_input(t("plan.size.expected"), 0.0, 0.49, 0.01, step=0.005, format="%.3f")
model = size_cols[3].selectbox(t("plan.size.model"), ("binomial", "hypergeometric", "poisson"))
try:
    median_population = int(population["N"].median())
    size = sample_size(
        confidence=confidence,
        tolerable=tolerable,
        expected=expected,
        model=model,
        population=median_population if model == "hypergeometric" else None,
    )
    left, right = st.columns(2)
    left.metric(t("plan.size.n"), format_int(size.n))
    right.metric(t("plan.size.allowed"), format_int(size.allowed_deviations))
    st.caption(t("plan.size.help"))
except SamplerError as error:
    st.warning(t("plan.draw.failed", message=str(error)))

# 2 -- quotas per province
st.subheader(t("plan.quota.header"))
quota_cols = st.columns(4)
method_labels = {m: t(f"plan.method.{m}") for m in planner.ALLOCATION_METHODS}
method = quota_cols[0].selectbox(
    t("plan.quota.method"), planner.ALLOCATION_METHODS, format_func=method_labels.get, key="plan_method"
)
total_n = int(
    quota_cols[1].number_input(
        t("plan.quota.total"),
        1,
        int(population["N"].sum()),
        min(1000, max(100, round(0.03 * int(population["N"].sum()))), int(population["N"].sum())),
        disabled=method == "ratio",
    )
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
past_rates = planner.smoothed_past_rates(population, query(stratum_outcome_counts, scheme=scheme))
try:
    quotas = planner.quota_table(
        population, n=total_n, method=method, minimum=minimum, ratio=ratio, past_rates=past_rates
    )
except SamplerError as error:
    st.error(t("plan.draw.failed", message=str(error)))
    st.stop()
quotas["province"] = quotas["region_code"].map(province_name)
quotas["past_rate"] = quotas["region_code"].map(past_rates)
edited = st.data_editor(
    quotas[["province", "N", "past_rate", "n", "region_code"]],
    hide_index=True,
    disabled=["province", "N", "past_rate", "region_code"],
    column_config={
        "province": st.column_config.TextColumn(t("plan.col.province")),
        "N": st.column_config.NumberColumn(t("plan.col.N"), format="%d"),
        "past_rate": st.column_config.NumberColumn(t("plan.col.past_rate"), format="percent"),
        "n": st.column_config.NumberColumn(t("plan.col.n"), min_value=0, step=1, format="%d"),
        "region_code": None,
    },
    key=f"quota_editor_{scheme}_{method}_{total_n}_{minimum}_{ratio}",
    height=300,
)
quotas = edited[["region_code", "N", "n"]].assign(n=edited["n"].fillna(0).astype(int).clip(lower=0))
over = quotas[quotas["n"] > quotas["N"]]
if not over.empty:
    st.error(t("plan.draw.failed", message=f"n > N: {', '.join(over['region_code'].map(province_name))}"))
    st.stop()
st.caption(
    t("plan.quota.edit_help")
    + " "
    + t("plan.quota.sum", n=format_int(quotas["n"].sum()), p=format_int((quotas["n"] > 0).sum()))
)

# 3 -- power before the draw
st.subheader(t("plan.power.header"))
assumed = st.slider(t("plan.power.assumed"), 0.0, 0.3, 0.05, step=0.005, format="%.3f", key="plan_assumed")
power = planner.power_of(quotas, assumed_rate=assumed, tolerable=tolerable, confidence=confidence)
kpis = st.columns(3)
kpis[0].metric(t("plan.power.any"), format_pct(power.p_detect_any, 2))
kpis[1].metric(t("plan.power.expected"), f"{power.expected_detections:,.1f}")
kpis[2].metric(
    t("plan.power.half_width"),
    f"±{format_pct(power.half_width, 2)}"
    if power.half_width is not None
    else t("plan.power.half_width_none"),
)
strata = power.strata.reset_index(names="region_code")
strata["province"] = strata["region_code"].map(province_name)
charts.show(
    charts.bar(
        strata,
        x="province",
        y="p_detect",
        x_title=t("plan.col.province"),
        y_title=t("plan.col.p_detect"),
        value_format=".0%",
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
)
with st.expander(t("plan.power.mc", r=format_int(MC_REPLICATIONS))):
    check = planner.monte_carlo_check(power, replications=MC_REPLICATIONS, seed=seed)
    st.write(
        t(
            "plan.power.mc_result",
            sim=format_pct(check.p_detect_any, 2),
            se=format_pct(check.p_detect_any_se, 2),
            exact=format_pct(power.p_detect_any, 2),
        )
    )

# 4 -- live draw, teams, commit: open (commitment) -> attempts (logged) -> commit the latest, once
st.subheader(t("plan.draw.header"))
if not VIEWER.can(Permission.DRAW):
    st.caption(t("plan.draw.not_permitted"))
    st.stop()


def _workflow_error(error: WorkflowError) -> str:
    key = f"plan.lottery.error.{error.code}"
    return (
        t(key, **error.fields)
        if error.code and key in strings()
        else t("plan.draw.failed", message=str(error))
    )


engine = get_engine()
draw_cols = st.columns(4)
campaign_name = draw_cols[0].text_input(
    t("plan.draw.campaign"), f"{year}年{scheme} 认证结果双随机抽查", max_chars=64, key="plan_campaign"
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
session = find_session(engine, campaign_name=" ".join(campaign_name.split()), year=year)

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
            t("plan.lottery.reopen_reason"), max_chars=256, key="plan_reopen_reason"
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
            st.error(_workflow_error(error))
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
    reason = st.text_input(t("plan.lottery.reason"), max_chars=256, key="plan_reason")
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
        st.error(t("plan.draw.failed", message=str(error)))
    except WorkflowError as error:
        st.session_state.pop("plan_preview", None)
        st.error(_workflow_error(error))

preview: planner.Preview | None = st.session_state.get("plan_preview")
if preview is None or preview.session_id != session.id:
    st.stop()
if preview.inputs_hash != current or preview.attempt_id != session.latest_attempt:
    st.warning(t("plan.lottery.stale"))  # the preview no longer matches the inputs: it cannot be committed
    st.stop()
live = preview.live
st.success(
    t("plan.draw.preview", n=format_int(len(live.draw.units)), m=format_int(len(live.assignment.workload)))
)
st.caption(
    t("plan.draw.audit", frame=live.draw.frame_hash[:16], seed=live.draw.seed, stream=live.draw.stream[:16])
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
        st.error(_workflow_error(error))
