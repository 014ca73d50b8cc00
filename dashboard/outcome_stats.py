"""Glue between outcome counts (models.queries.outcomes) and the estimators of ``sampler.estimate``.

No statistics are computed here: counts go in, ``sampler.estimate`` results come out, cached.
"""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.cache import TTL_SECONDS, stop_with_database_message
from dashboard.errors import describe
from dashboard.store import database_key, get_engine
from models.queries.outcomes import OutcomeFilters, stratum_outcome_counts
from sampler.errors import SamplerError
from sampler.estimate import stratum_rates, weighted_estimate

CONFIDENCE = 0.95


def interval_table(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """``frame`` (key, n, violations ...) with rate, Wilson and Clopper-Pearson bounds added."""
    if frame.empty:
        return frame.assign(rate=[], wilson_low=[], wilson_high=[], cp_low=[], cp_high=[])
    counts = pd.DataFrame(
        {"n": frame["n"].to_numpy(), "deviations": frame["violations"].to_numpy()},
        index=frame[key].astype(str).to_numpy(),
    )
    rates = stratum_rates(counts, confidence=CONFIDENCE)
    result = frame.reset_index(drop=True).copy()
    for column in ("rate", "wilson_low", "wilson_high", "cp_low", "cp_high"):
        result[column] = rates[column].to_numpy()
    return result


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=256)
def _weighted(
    database: str,
    years: tuple[int, int] | None,
    campaign_id: int | None,
    provinces: tuple[str, ...],
    schemes: tuple[str, ...],
) -> dict:
    filters = OutcomeFilters(years=years, campaign_id=campaign_id, provinces=provinces, schemes=schemes)
    strata = stratum_outcome_counts(get_engine(), filters=filters)
    inspected = strata[strata["n_h"] > 0]
    pending = strata[strata["n_h"] == 0]
    result = {
        "strata": len(inspected),
        "pending_strata": len(pending),
        "pending_population": int(pending["N_h"].sum()),
        "estimate": None,
        "error": None,
    }
    if inspected.empty:
        return result
    labels = (inspected["region_code"] + "/" + inspected["scheme_code"]).to_numpy()
    counts = pd.DataFrame(
        {"n": inspected["n_h"].to_numpy(), "deviations": inspected["violations_h"].to_numpy()}, index=labels
    )
    population = pd.Series(inspected["N_h"].to_numpy(), index=labels)
    try:
        result["estimate"] = asdict(weighted_estimate(counts, population, confidence=CONFIDENCE))
    except SamplerError as error:
        result["error"] = describe(error)
    return result


def weighted_rate(filters: OutcomeFilters) -> dict:
    """The N_h/N-weighted violation rate (with FPC) of the filtered committed draws.

    Returns a dict: ``estimate`` (fields of ``sampler.estimate.WeightedEstimate``, or None without
    inspected strata), ``error`` (a `dashboard.errors.ErrorInfo` saying why there is no estimate),
    ``strata``, and ``pending_strata`` / ``pending_population`` for strata drawn but with no outcome
    yet (left out, not counted as clean).
    """
    try:
        return _weighted(
            database_key(), filters.years, filters.campaign_id, filters.provinces, filters.schemes
        )
    except SQLAlchemyError as error:
        stop_with_database_message(error)
        raise
