"""Measurement-based care: per client, baseline → latest on each scale, reliable change,
response and remission, and the measures due or overdue; per caseload, counts of those with
small cells suppressed.

Baseline is a scale's first scored answer, latest its newest; the BAM is compared on one form
only (the latest answer's: the 30-day and 7-day forms count days over different windows).

Reliable change (Jacobson & Truax 1991), with the published figures each instrument's file
gives and cites under `[outcomes.<scale>]`:
    RCI = (latest − baseline) / Sdiff,  Sdiff = sqrt(2) · SD · sqrt(1 − r)
|RCI| > 1.96 is a reliable change (improvement or deterioration by the scale's direction).
Response: latest at least `response_drop` (50%) below a baseline above 0. Remission: latest
under `remission_below` (PHQ-9 and GAD-7: under 5). A measure is overdue once it has been due
for `OVERDUE_AFTER_DAYS`; a form never answered counts from enrolment (alumni: discharge).

The caseload summary gives counts only, and any count under `SMALL_CELL` (11) clients,
zero included, is withheld (the CMS cell-size rule, as issue 19 asks).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, col, select

from companion import audit, instruments, measures, run_context
from companion.access import Action, RecordKind, authorize, require_role
from companion.actors import Actor
from companion.core.timeutil import clinic_today, to_clinic
from companion.i18n import N_, _
from companion.instruments import Instrument, ReliableChange, Scale
from companion.models import Enrolment, MeasureResponse, Role, User

CRITICAL = 1.96
OVERDUE_AFTER_DAYS = 7
SMALL_CELL = 11
TRACKED = ("phq9", "gad7", "bam")

IMPROVED, DETERIORATED, NO_CHANGE = (N_("reliable improvement"), N_("reliable deterioration"),
                                    N_("no reliable change"))  # keys; gettext them to show


def sdiff(figures: ReliableChange) -> float:
    """The standard error of the difference between two scores."""
    return math.sqrt(2) * figures.sd * math.sqrt(1 - figures.reliability)


def rci(baseline: int, latest: int, figures: ReliableChange) -> float:
    return (latest - baseline) / sdiff(figures)


def reliable_change(value: float, higher_is_better: bool = False) -> str:
    if abs(value) <= CRITICAL:
        return NO_CHANGE
    return IMPROVED if (value > 0) == higher_is_better else DETERIORATED


def is_response(baseline: int, latest: int, drop: float) -> bool | None:
    """At least `drop` (a share) below baseline; None when baseline is 0 (nothing to halve)."""
    if baseline <= 0:
        return None
    return baseline - latest >= drop * baseline


def is_remission(latest: int, below: int) -> bool:
    return latest < below


@dataclass(frozen=True)
class Change:
    instrument: Instrument
    scale: Scale
    form: str
    baseline: int
    baseline_day: date
    latest: int
    latest_day: date
    answers: int                  # scored answers on this form, baseline and latest included
    rci: float | None = None      # None: one answer only, or no published figures
    reliable: str | None = None   # IMPROVED, DETERIORATED, NO_CHANGE; None as for `rci`
    response: bool | None = None
    remission: bool | None = None

    @property
    def title(self) -> str:
        """"PHQ-9 total" in this run's language."""
        if len(self.instrument.scales) == 1:
            return _("{instrument} total").format(instrument=self.instrument.title)
        label = (self.instrument.scale_label(self.scale)
                 if hasattr(self.instrument, "scale_label") else self.scale.label)
        return f"{self.instrument.title} {label.lower()}"

    @property
    def reliable_points(self) -> int | None:
        """The smallest whole-point change that is reliable (scores are whole numbers)."""
        figures = self.instrument.outcomes.get(self.scale.id)
        if figures is None:
            return None
        return math.floor(CRITICAL * sdiff(figures)) + 1


def _change(instrument: Instrument, scale: Scale, form: str,
            points: list[tuple[date, int]]) -> Change:
    (first_day, first), (last_day, last) = points[0], points[-1]
    found = Change(instrument, scale, form, first, first_day, last, last_day, len(points))
    figures = instrument.outcomes.get(scale.id)
    if figures is None:
        return found
    value = rci(first, last, figures) if len(points) > 1 else None
    return Change(
        instrument, scale, form, first, first_day, last, last_day, len(points),
        value, None if value is None else reliable_change(value, scale.higher_is_better),
        None if figures.response_drop is None or len(points) < 2
        else is_response(first, last, figures.response_drop),
        None if figures.remission_below is None else is_remission(last, figures.remission_below))


def changes(rows: list[tuple[str, str, dict, date]]) -> list[Change]:
    """Baseline → latest per tracked instrument and scale, from (instrument, form, scores,
    day) rows oldest first; the BAM on its latest form only."""
    found = []
    for instrument_id in TRACKED:
        instrument = instruments.get(instrument_id)
        mine = [r for r in rows if r[0] == instrument_id]
        if not mine:
            continue
        form = mine[-1][1]
        for scale in instrument.scales:
            points = [(day, scores[scale.id]) for _, f, scores, day in mine
                      if f == form and scores.get(scale.id) is not None]
            if points:
                found.append(_change(instrument, scale, form, points))
    return found


@dataclass(frozen=True)
class DueMeasure:
    label: str
    due_on: date
    overdue: bool


def due_measures(rows: list[tuple[str, str, dict, date]], role: str, start: date,
                 today: date) -> list[DueMeasure]:
    """What the schedule asks of this client today, each with the day it fell due."""
    last: dict[tuple[str, str], date] = {}
    for instrument_id, form, _, day in rows:
        last[(instrument_id, form)] = max(day, last.get((instrument_id, form), day))
    found: list[DueMeasure] = []
    seen: set[str] = set()
    for rule in sorted(measures.scheduled(last, role, start), key=lambda r: r.due_on):
        if rule.due_on > today or rule.instrument_id in seen:
            continue
        seen.add(rule.instrument_id)
        label = measures.Due(instruments.get(rule.instrument_id), rule.form).label
        found.append(DueMeasure(label, rule.due_on,
                                today - rule.due_on >= timedelta(days=OVERDUE_AFTER_DAYS)))
    return found


@dataclass(frozen=True)
class ClientOutcomes:
    client_id: int
    changes: list[Change] = field(default_factory=list)
    due: list[DueMeasure] = field(default_factory=list)


def _rows(session: Session, ids: list[int]) -> dict[int, list[tuple[str, str, dict, date]]]:
    stmt = (select(MeasureResponse.client_id, MeasureResponse.instrument, MeasureResponse.form,
                   MeasureResponse.scores, MeasureResponse.local_day)
            .where(col(MeasureResponse.client_id).in_(ids))
            .order_by(MeasureResponse.completed_at, MeasureResponse.id))
    found: dict[int, list] = {i: [] for i in ids}
    for client_id, instrument_id, form, scores, day in session.exec(stmt):
        found[client_id].append((instrument_id, form, scores or {}, day))
    return found


def _start(role: str, enrolment: Enrolment | None, today: date) -> date:
    """The day a never-answered form counts from: enrolment, or discharge for alumni."""
    if enrolment is None:
        return today
    return start_day(role, enrolment.enrolled_at, enrolment.discharged_at, today)


def start_day(role: str, enrolled_at, discharged_at, today: date) -> date:
    when = discharged_at if role == Role.ALUMNI and discharged_at else enrolled_at
    return min(today, to_clinic(when).date())


def rows_for(session: Session, ids: list[int]) -> dict[int, list[tuple[str, str, dict, date]]]:
    """Every scored answer of these clients, oldest first, in one statement (for the
    caseload's "measures due")."""
    return _rows(session, ids) if ids else {}


def due_words(due: list[DueMeasure]) -> str:
    """"PHQ-9 overdue · GAD-7 due", or "" when nothing is due."""
    from companion.i18n import _

    return " · ".join((_("{measure} overdue") if d.overdue else _("{measure} due")).format(
        measure=d.label) for d in due)


def for_client(session: Session, actor: Actor, client_id: int,
               today: date | None = None) -> ClientOutcomes:
    """A client's own, or their therapist's (audited as a read of measures)."""
    authorize(session, actor, client_id, RecordKind.MEASURE, Action.READ, "outcomes")
    today = today or clinic_today()
    client = run_context.user(session, client_id)
    rows = _rows(session, [client_id])[client_id]
    start = _start(client.role, session.get(Enrolment, client_id), today)
    return ClientOutcomes(client_id, changes(rows), due_measures(rows, client.role, start, today))


@dataclass(frozen=True)
class Cell:
    label: str
    count: int | None   # None: withheld (under SMALL_CELL clients)

    @property
    def shown(self) -> str:
        return (_("fewer than {n}").format(n=SMALL_CELL) if self.count is None
                else str(self.count))


def suppress(count: int) -> int | None:
    """A count of clients, or None when it is under the small-cell size (zero included)."""
    return count if count >= SMALL_CELL else None


@dataclass(frozen=True)
class Summary:
    clients: Cell
    cells: dict[str, list[Cell]]  # heading (instrument title, "Measures") -> its cells


def caseload_summary(session: Session, actor: Actor, today: date | None = None) -> Summary:
    """A therapist's caseload in counts only, each under 11 withheld. Every client counted is
    audited as a read of their measures."""
    require_role(session, actor, Role.THERAPIST)
    today = today or clinic_today()
    stmt = (select(User.id, User.role, Enrolment)
            .join(Enrolment, Enrolment.client_id == User.id)
            .where(Enrolment.therapist_id == actor.id, col(User.is_active).is_(True)))
    clients = session.exec(stmt).all()
    ids = [c.id for c in clients]
    rows = _rows(session, ids) if ids else {}
    per_client = {c.id: (changes(rows[c.id]),
                         due_measures(rows[c.id], c.role, _start(c.role, c[2], today), today))
                  for c in clients}
    audit.record_many(session, actor, "read", RecordKind.MEASURE.value, sorted(ids),
                      "outcome summary")
    cells: dict[str, list[Cell]] = {}
    for instrument_id in ("phq9", "gad7"):
        title = instruments.get(instrument_id).title
        found = [c for found, _due in per_client.values() for c in found
                 if c.instrument.id == instrument_id and c.answers > 1]
        cells[title] = [  # labels in this run's language
            Cell(_("with a baseline and a later score"), suppress(len(found))),
            Cell(_(IMPROVED), suppress(sum(c.reliable == IMPROVED for c in found))),
            Cell(_(DETERIORATED), suppress(sum(c.reliable == DETERIORATED for c in found))),
            Cell(_("response (50% drop or more)"),
                 suppress(sum(bool(c.response) for c in found))),
            Cell(_("remission (under 5)"), suppress(sum(bool(c.remission) for c in found)))]
    cells[_("Measures")] = [
        Cell(_("with a measure due"), suppress(sum(bool(d) for _d, d in per_client.values()))),
        Cell(_("with a measure overdue"),
             suppress(sum(any(m.overdue for m in d) for _d, d in per_client.values())))]
    return Summary(Cell(_("clients on the caseload"), suppress(len(ids))), cells)
