"""One validation of an inspection result, shared by the form, the grid and the Excel import.

``OutcomeRecord`` is what a result says; ``check_outcome`` returns every ``Problem`` with it against
an ``EntryContext`` (the campaign's inspection window, today, its checklist items and targets), each
problem naming the field, a ``code`` the pages translate (``out.error.<code>``) and the values to fill
in. Nothing here writes: ``models.draw_records`` stores a record that has no problems.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, func, select

from models.campaigns import Campaign, Draw, DrawTarget, InspectionOutcome
from models.checklist import CampaignItem, CheckItem
from models.vocabulary import (
    DISPOSAL_STATUSES,
    FINDING_CATEGORIES,
    FOLLOW_UPS,
    INSPECTION_METHODS,
    ITEM_RESULTS,
    NOT_INSPECTED_REASONS,
    OUTCOME_CODES,
)
from models.workdays import CHINA

MAX_FINDINGS_TEXT = 2000
MAX_NOTE = 256
MAX_INSPECTORS = 256
# outcome codes that say the target was inspected and something was wrong
NEEDS_FINDINGS = frozenset({"violation"})


@dataclass(frozen=True)
class ItemResult:
    """A target's result on one checklist item: ``result`` in ``ITEM_RESULTS``, ``score`` in points."""

    item_code: str
    result: str
    score: float | None = None


@dataclass(frozen=True)
class OutcomeRecord:
    """What an inspection of one target found (检查结果).

    ``findings`` are finding categories (``FINDING_CATEGORIES``), ``findings_text`` says in words what
    was found; ``follow_up`` is the measure taken (责令整改, 立案查处, 移送 ...), ``disposal_status``
    and ``closed_on`` how far it has gone. ``outcome_code="not_inspected"`` needs
    ``not_inspected_reason``.
    """

    target_id: int
    inspected_on: dt.date | None
    method: str
    outcome_code: str
    follow_up: str = "none"
    findings: tuple[str, ...] = ()
    note: str = ""
    findings_text: str = ""
    not_inspected_reason: str | None = None
    disposal_status: str = "not_required"
    closed_on: dt.date | None = None
    inspectors: str = ""
    items: tuple[ItemResult, ...] = ()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a record: the field, a translatable ``code`` and the values it names."""

    field: str
    code: str
    values: dict[str, object] = field(default_factory=dict)

    def message(self) -> str:
        """The English message, for logs and the command line."""
        details = ", ".join(f"{key}={value}" for key, value in self.values.items())
        return f"{self.field}: {self.code}" + (f" ({details})" if details else "")


@dataclass(frozen=True)
class EntryContext:
    """What a record is checked against: one campaign as stored, and today's date in China."""

    campaign_id: int
    window: tuple[dt.date, dt.date]  # first and last day an inspection may be dated
    today: dt.date
    items: dict[str, float]  # the campaign's checklist items: code -> maximum score
    targets: dict[int, str]  # the campaign's targets: id -> province code


def china_today() -> dt.date:
    """Today's date in China (UTC+8), the day a result is entered."""
    return dt.datetime.now(CHINA).date()


def load_context(connection: Connection, campaign_id: int, *, today: dt.date | None = None) -> EntryContext:
    """The campaign's window, items and targets as stored now (``today`` defaults to China's date).

    The window runs from the day of the campaign's first draw (China time) to 31 December of its year:
    a target cannot be inspected before it was drawn, nor for a campaign year that is over.
    """
    campaign, draw, target = Campaign.__table__, Draw.__table__, DrawTarget.__table__
    year = connection.execute(select(campaign.c.year).where(campaign.c.id == campaign_id)).scalar_one()
    drawn_at = connection.execute(
        select(func.min(draw.c.drawn_at)).where(draw.c.campaign_id == campaign_id)
    ).scalar()
    start = _china_date(drawn_at) if drawn_at is not None else dt.date(year, 1, 1)
    item, picked = CheckItem.__table__, CampaignItem.__table__
    items = dict(
        connection.execute(
            select(item.c.code, item.c.score)
            .join(picked, picked.c.item_code == item.c.code)
            .where(picked.c.campaign_id == campaign_id)
        ).all()
    )
    targets = dict(
        connection.execute(
            select(target.c.id, target.c.region_code)
            .join(draw, draw.c.id == target.c.draw_id)
            .where(draw.c.campaign_id == campaign_id)
        ).all()
    )
    return EntryContext(
        campaign_id=campaign_id,
        window=(start, dt.date(year, 12, 31)),
        today=today or china_today(),
        items={code: float(score) for code, score in items.items()},
        targets={int(k): v for k, v in targets.items()},
    )


def _china_date(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is None:  # stored as naive UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(CHINA).date()


def _vocabulary(value: object, allowed: tuple[str, ...], name: str) -> list[Problem]:
    if value in allowed:
        return []
    return [Problem(name, "not_in_vocabulary", {"value": value, "allowed": ", ".join(allowed)})]


def _length(value: str, limit: int, name: str) -> list[Problem]:
    return [Problem(name, "too_long", {"limit": limit, "length": len(value)})] if len(value) > limit else []


def check_outcome(record: OutcomeRecord, context: EntryContext) -> list[Problem]:
    """Every problem with ``record`` in ``context`` (an empty list: it may be stored).

    Codes: ``unknown_target`` (not a target of this campaign), ``not_in_vocabulary``, ``date_missing``,
    ``date_outside_window``, ``date_in_future``, ``violation_needs_findings``,
    ``findings_without_violation``, ``follow_up_without_violation`` / ``disposal_without_violation``
    (``no_violation`` with a measure other than ``none`` or a disposal other than ``not_required``),
    ``duplicate_finding`` (a category given twice),
    ``reason_needs_not_inspected`` / ``not_inspected_needs_reason``,
    ``closed_needs_date``, ``closing_date_without_closed``, ``closed_before_inspection``,
    ``unknown_item``, ``duplicate_item``, ``score_out_of_range``, ``nonconform_needs_violation``,
    ``too_long``.
    """
    problems: list[Problem] = []
    if record.target_id not in context.targets:
        problems.append(Problem("target_id", "unknown_target", {"target": record.target_id}))
    problems += _vocabulary(record.method, INSPECTION_METHODS, "method")
    problems += _vocabulary(record.outcome_code, OUTCOME_CODES, "outcome_code")
    problems += _vocabulary(record.follow_up, FOLLOW_UPS, "follow_up")
    problems += _vocabulary(record.disposal_status, DISPOSAL_STATUSES, "disposal_status")
    for category in record.findings:
        problems += _vocabulary(category, FINDING_CATEGORIES, "findings")
    problems += _dates(record, context)
    problems += _findings(record)
    problems += _items(record, context)
    problems += _length(record.findings_text, MAX_FINDINGS_TEXT, "findings_text")
    problems += _length(record.note, MAX_NOTE, "note")
    problems += _length(record.inspectors, MAX_INSPECTORS, "inspectors")
    return problems


def _dates(record: OutcomeRecord, context: EntryContext) -> list[Problem]:
    problems: list[Problem] = []
    first, last = context.window
    day = record.inspected_on
    if day is None:
        problems.append(Problem("inspected_on", "date_missing"))
    elif day > context.today:
        problems.append(Problem("inspected_on", "date_in_future", {"date": day, "today": context.today}))
    elif not first <= day <= last:
        problems.append(
            Problem("inspected_on", "date_outside_window", {"date": day, "first": first, "last": last})
        )
    if record.disposal_status == "closed" and record.closed_on is None:
        problems.append(Problem("closed_on", "closed_needs_date"))
    if record.closed_on is not None:
        if record.disposal_status != "closed":
            problems.append(Problem("closed_on", "closing_date_without_closed"))
        elif record.closed_on > context.today:
            problems.append(
                Problem("closed_on", "date_in_future", {"date": record.closed_on, "today": context.today})
            )
        elif day is not None and record.closed_on < day:
            problems.append(
                Problem("closed_on", "closed_before_inspection", {"date": record.closed_on, "inspected": day})
            )
    return problems


def _findings(record: OutcomeRecord) -> list[Problem]:
    problems: list[Problem] = []
    if record.outcome_code in NEEDS_FINDINGS and not record.findings:
        problems.append(Problem("findings", "violation_needs_findings"))
    if record.outcome_code == "no_violation" and record.findings:
        problems.append(Problem("findings", "findings_without_violation"))
    if record.outcome_code == "no_violation" and record.follow_up != "none":
        problems.append(Problem("follow_up", "follow_up_without_violation", {"value": record.follow_up}))
    if record.outcome_code == "no_violation" and record.disposal_status != "not_required":
        problems.append(
            Problem("disposal_status", "disposal_without_violation", {"value": record.disposal_status})
        )
    repeated = sorted({c for c in record.findings if record.findings.count(c) > 1})
    if repeated:
        problems.append(Problem("findings", "duplicate_finding", {"value": ", ".join(repeated)}))
    if record.outcome_code == "not_inspected":
        if not record.not_inspected_reason:
            problems.append(Problem("not_inspected_reason", "not_inspected_needs_reason"))
        else:
            problems += _vocabulary(
                record.not_inspected_reason, NOT_INSPECTED_REASONS, "not_inspected_reason"
            )
    elif record.not_inspected_reason:
        problems.append(Problem("not_inspected_reason", "reason_needs_not_inspected"))
    return problems


def _items(record: OutcomeRecord, context: EntryContext) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for item in record.items:
        name = f"items.{item.item_code}"
        if item.item_code not in context.items:
            problems.append(Problem(name, "unknown_item", {"item": item.item_code}))
            continue
        if item.item_code in seen:
            problems.append(Problem(name, "duplicate_item", {"item": item.item_code}))
        seen.add(item.item_code)
        problems += _vocabulary(item.result, ITEM_RESULTS, name)
        maximum = context.items[item.item_code]
        if item.score is not None and not 0 <= item.score <= maximum:
            problems.append(
                Problem(
                    name, "score_out_of_range", {"item": item.item_code, "score": item.score, "max": maximum}
                )
            )
        if item.result == "nonconform" and record.outcome_code == "no_violation":
            problems.append(Problem(name, "nonconform_needs_violation", {"item": item.item_code}))
    return problems


def check_batch(
    records: Sequence[OutcomeRecord], context: EntryContext, *, recorded: set[int], province: str | None
) -> list[tuple[int, Problem]]:
    """Every problem of many records entered together, as (position in ``records``, problem).

    Each record is checked with ``check_outcome``; besides, a target may appear once
    (``duplicate_target``, on the later one), may not have a result already (``outcome_exists``;
    ``recorded`` holds the targets that have one) and, for a province-scoped actor (``province``),
    must be in that province (``other_province``).
    """
    problems: list[tuple[int, Problem]] = []
    first: dict[int, int] = {}
    for index, record in enumerate(records):
        problems += [(index, problem) for problem in check_outcome(record, context)]
        target = record.target_id
        if target in first:
            found = {"target": target, "first": first[target]}
            problems.append((index, Problem("target_id", "duplicate_target", found)))
        elif target in recorded:
            problems.append((index, Problem("target_id", "outcome_exists", {"target": target})))
        elif province and target in context.targets and context.targets[target] != province:
            problems.append((index, Problem("target_id", "other_province", {"target": target})))
        first.setdefault(target, index)
    return problems


def recorded_targets(connection: Connection, context: EntryContext) -> set[int]:
    """The campaign's targets that have a result already."""
    outcome = InspectionOutcome.__table__
    query = select(outcome.c.target_id).where(outcome.c.target_id.in_(list(context.targets)))
    return set(connection.execute(query).scalars())
