"""The seeded campaigns, drawn through the real lottery after the registers are loaded.

Every planned draw (`seed.campaigns.PlannedDraw`) goes the way a planner's does, in date order:
`models.lottery.open_draw` freezes the frame (the scheme's certificates valid that day, stratified by
province; or the institutions in business that day, stratified by risk grade) and the
inspector pool (inspectors registered by then, each with the teams they already serve on that year,
`models.workload`), `sampler.run.run_draw` draws targets and teams from the frozen population with the
session's seed, `record_attempt` logs the attempt and `commit_attempt` commits it under the workload
cap. Outcomes go through `models.results.record_outcomes`, one batch per province, entered by
that province's bureau on the day of its last inspection; a supervisor approves them all
(`approve_pending`) on the publication day, then `publish_campaign`.
All of it is in the audit log, so ``regdash audit verify`` covers the seeded campaigns and
``regdash verify`` re-derives each of them.

Time and randomness: `models.clock.simulated` moves the clock to each event (the draw's moment, 17:00
on a bureau's last inspection day, 10:00 on the publication day) and draws the lottery's nonces from
``rng``, so the same seed gives the same store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from importlib.metadata import version

import numpy as np
from sqlalchemy import Engine, insert, select

from models import clock
from models.access import SYSTEM_SEEDER, Actor, Role
from models.campaigns import Campaign, DrawTarget
from models.certificates import Certificate
from models.draw_record_export import params_of_record
from models.draw_records import DrawRecord
from models.history import append_certificate_event
from models.lottery import commit_attempt, open_draw, record_attempt, session_population, session_seed
from models.outcome_entry import OutcomeRecord
from models.results import approve_pending, publish_campaign, record_outcomes
from models.workload import inspector_load
from sampler.plan_file import FIXED_METHOD, parse_plan
from sampler.run import plan_frame, run_draw
from seed import calibration as cal
from seed.campaigns import (
    FINDING_TEXT,
    LEGAL_BASIS_CERTIFICATE,
    LEGAL_BASIS_INSTITUTION,
    NOTES,
    STATUS_AFTER,
    SUPERVISION_OFFICE,
    PlannedDraw,
    bureau_name,
    campaign_schedule,
    draw_outcome,
)
from seed.certificates import Certificates
from seed.dates import day
from seed.inspectors import Inspectors
from seed.institutions import Institutions
from seed.populations import certificate_frame, inspector_pool, institution_frame, result_tables

Progress = Callable[[str, int], None]
STRATUM = "region"  # certificate campaigns are stratified by province, like the planner's draws
INSTITUTION_STRATUM = "risk_grade"  # institution campaigns: fixed sizes per risk grade


class History:
    """Draws the planned campaigns through the lottery (see the module notes)."""

    def __init__(
        self,
        engine: Engine,
        rng: np.random.Generator,
        inst: Institutions,
        certs: Certificates,
        insp: Inspectors,
        progress: Progress | None = None,
    ) -> None:
        self.engine, self.rng, self.inst, self.certs, self.insp = engine, rng, inst, certs, insp
        self.progress = progress or (lambda _stage, _rows: None)
        self.as_of = day(cal.AS_OF)
        self.status_changes: dict[int, tuple[str, dt.date]] = {}  # certificate -> (status, inspected)
        self.publisher = Actor(subject=SYSTEM_SEEDER.subject, name=SUPERVISION_OFFICE, role=Role.SUPERVISOR)

    def run(self, draws: list[PlannedDraw]) -> None:
        """Draw, inspect and publish every planned campaign, then apply the register's follow-ups."""
        ordered = sorted(draws, key=lambda d: d.drawn_at)
        start = ordered[0].drawn_at if ordered else dt.datetime.now(dt.UTC)
        with clock.simulated(start, self.rng.bytes) as simulation:
            for count, planned in enumerate(ordered, start=1):
                self.campaign(planned, simulation)
                self.progress("drew seeded campaigns", count)
        self.apply_status_changes()

    def campaign(self, planned: PlannedDraw, simulation: clock.Simulation) -> None:
        simulation.at(planned.drawn_at)
        planner = Actor(subject=SYSTEM_SEEDER.subject, name=planned.drawn_by, role=Role.PLANNER)
        drawn = np.datetime64(planned.drawn_at.date(), "D")
        by_institution = planned.unit_type == "institution"
        legal_basis = LEGAL_BASIS_INSTITUTION if by_institution else LEGAL_BASIS_CERTIFICATE
        with self.engine.begin() as connection:
            connection.execute(
                insert(Campaign.__table__).values(
                    year=planned.year,
                    name=planned.name,
                    legal_basis=legal_basis,
                    unit_type=planned.unit_type,
                    scheme_code=planned.scheme,
                    status="planned",
                )
            )
            load = inspector_load(connection, planned.year)
        if by_institution:
            units = institution_frame(self.inst, drawn)
        else:
            units = certificate_frame(self.certs, self.inst, planned.scheme, drawn)
        session = open_draw(
            self.engine,
            campaign_name=planned.name,
            year=planned.year,
            scheme=planned.scheme,
            frame=units,
            pool=inspector_pool(self.insp, planned.year, load),
            actor=planner,
        )
        frame, pool = session_population(self.engine, session.id)
        inspection_date = planned.drawn_at.date() + dt.timedelta(days=10)
        if by_institution:
            allocation: dict = {"method": FIXED_METHOD, "sizes": planned.sizes}
            sample: dict = {"strata": [INSTITUTION_STRATUM], "allocation": allocation}
        else:
            allocation = {"method": "proportional"}
            sample = {"strata": [STRATUM], "n": planned.n, "allocation": allocation}
        inputs = {
            "scheme": planned.scheme,
            "year": planned.year,
            "n": planned.n,
            "allocation": allocation["method"],
            "sizes": planned.sizes,
            "inspection_date": inspection_date.isoformat(),
            "team_size": planned.team_size,
            "cap": cal.WORKLOAD_CAP,
            "cross_region": False,
        }
        plan = parse_plan(
            {
                "seed": session_seed(self.engine, session.id, actor=planner),
                **sample,
                "assignment": {
                    "team_size": planned.team_size,
                    "cap": cal.WORKLOAD_CAP,
                    "inspection_date": inspection_date.isoformat(),
                    "cross_region": False,
                },
            }
        )
        record = run_draw(plan_frame(frame, plan), plan, pool)
        targets, assignments = result_tables(record, frame)
        attempt = record_attempt(
            self.engine,
            session.id,
            inputs=inputs,
            frame_hash=session.frame_hash,
            targets=targets,
            assignments=assignments,
            actor=planner,
        )
        draw_id = commit_attempt(
            self.engine,
            session.id,
            attempt,
            record=DrawRecord(
                campaign_name=planned.name,
                year=planned.year,
                seed=record["seed"],
                frame_hash=record["frame_hash"],
                params=params_of_record(record),
                sampler_version=version("regdash"),
                legal_basis=legal_basis,
                scheme_code=planned.scheme,
                unit_type=planned.unit_type,
            ),
            targets=targets,
            assignments=assignments,
            actor=planner,
        )
        self.outcomes_and_publication(planned, draw_id, drawn, simulation, session.campaign_id)

    def outcomes_and_publication(
        self, planned: PlannedDraw, draw_id: int, drawn: np.datetime64, simulation, campaign_id: int
    ) -> None:
        t = DrawTarget.__table__
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(t.c.id, t.c.certificate_id, t.c.institution_id, t.c.region_code, t.c.scheme_code)
                .where(t.c.draw_id == draw_id)
                .order_by(t.c.id)
            ).all()
        inspected, published = campaign_schedule(self.rng, drawn, len(rows), self.as_of)
        batches: dict[str, list[OutcomeRecord]] = {}
        for row, when in zip(rows, inspected.tolist(), strict=True):
            if when > self.as_of.item():
                continue
            result = draw_outcome(self.rng, self.inst, row.institution_id, row.scheme_code, planned.unit_type)
            batches.setdefault(row.region_code, []).append(
                OutcomeRecord(
                    target_id=row.id,
                    inspected_on=when,
                    method=result.method,
                    outcome_code=result.code,
                    follow_up=result.follow_up,
                    findings=result.findings,
                    findings_text="；".join(FINDING_TEXT[f] for f in result.findings),
                    note=NOTES[result.code],
                    disposal_status="not_required" if result.follow_up == "none" else "open",
                )
            )
            if (
                row.certificate_id is not None
                and planned.year >= cal.AS_OF.year - 1
                and result.follow_up in STATUS_AFTER
            ):
                self.status_changes[int(row.certificate_id)] = (STATUS_AFTER[result.follow_up], when)
        # each province's bureau enters its results at 17:00 on the day of its last inspection
        for region, outcomes in sorted(
            batches.items(), key=lambda b: (max(o.inspected_on for o in b[1]), b[0])
        ):
            last = max(o.inspected_on for o in outcomes)
            simulation.at(dt.datetime.combine(last, dt.time(17), tzinfo=dt.UTC))
            bureau = Actor(
                subject=SYSTEM_SEEDER.subject, name=bureau_name(region), role=Role.BUREAU, province=region
            )
            record_outcomes(self.engine, campaign_id, outcomes, actor=bureau, source="seed", today=last)
        if published is not None:
            on = published.astype(dt.date)
            # the supervisors review every result at 09:00 on the publication day, then publish
            simulation.at(dt.datetime.combine(on, dt.time(9), tzinfo=dt.UTC))
            approve_pending(self.engine, campaign_id, actor=self.publisher)
            simulation.at(dt.datetime.combine(on, dt.time(10), tzinfo=dt.UTC))
            publish_campaign(self.engine, campaign_id, on=on, actor=self.publisher)

    def apply_status_changes(self) -> None:
        """Suspend or withdraw the still-valid certificates whose recent inspection said so, as events of
        their histories (`models.history.append_certificate_event`) on the inspection day, or on the
        as-of day when the history already holds a later event."""
        table = Certificate.__table__
        kinds = {"suspended": "suspension", "withdrawn": "withdrawal"}
        ids = sorted(self.status_changes)
        with self.engine.begin() as connection:
            valid = {
                int(c)
                for lo in range(0, len(ids), 500)
                for c in connection.execute(
                    select(table.c.id).where(table.c.id.in_(ids[lo : lo + 500]), table.c.status == "valid")
                ).scalars()
            }
            for certificate in ids:
                if certificate not in valid:
                    continue
                status, inspected = self.status_changes[certificate]
                try:
                    append_certificate_event(connection, certificate, kinds[status], inspected)
                except ValueError:  # a later event (an audit, a scope change) is on record already
                    append_certificate_event(
                        connection, certificate, kinds[status], self.as_of.astype(dt.date)
                    )
