"""Program outcomes for admins (issue 19, item 5): per month, for the whole program and each
track and site, how many clients were in the program, kept checking in, came to group,
completed a measure, and (by the month's end) show reliable improvement or remission.

Counts only: no names, no text, no client ids leave this module. Any count under
`outcomes.SMALL_CELL` (11) clients, zero included, is withheld, and so is its share, so a
small cell can't be worked back from a total (the CMS cell-size rule). Every figure is
aggregated in SQL per client (one row a client, never a table's rows); reliable change uses
the same rules as the caseload's (companion/outcomes.py). Viewing is audited once, as a
read of the program's aggregate figures (no client is identified).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from companion import audit, outcomes
from companion.access import require_role
from companion.actors import Actor
from companion.clinic import get_clinic
from companion.core.timeutil import clinic_today, clinic_zone
from companion.i18n import N_, _, clinic_label, gettext
from companion.models import CheckIn, Enrolment, GroupAttendance, MeasureResponse, Role, User

ENGAGED_DAYS = 8   # "kept checking in": a check-in on 8 or more days of the month (about 2 a week)
AUDIT_KIND = "program_outcomes"
COLUMNS = (N_("In the program"), N_("Checked in on {n}+ days"), N_("Came to a group"),
           N_("Completed a measure"), N_("Reliable improvement (PHQ-9 or GAD-7)"),
           N_("Remission (PHQ-9 or GAD-7 under 5)"))  # English keys: `column_words` shows them


def column_words() -> list[str]:
    """The columns' headings in this run's language ("Checked in on 8+ days")."""
    return [gettext(c).format(n=ENGAGED_DAYS) for c in COLUMNS]


@dataclass(frozen=True)
class Figure:
    count: int | None        # None: withheld (under SMALL_CELL)
    share: float | None      # of those in the program; None when either count is withheld

    @property
    def shown(self) -> str:
        if self.count is None:
            return _("fewer than {n}").format(n=outcomes.SMALL_CELL)
        return str(self.count) if self.share is None else f"{self.count} ({self.share:.0%})"


@dataclass(frozen=True)
class Row:
    label: str                   # "Whole program", "Track: Evening", "Site: North"…
    figures: tuple[Figure, ...]  # in COLUMNS order


def months(today: date | None = None, count: int = 6) -> list[date]:
    """The first days of this month and the `count - 1` before it, newest first."""
    first = (today or clinic_today()).replace(day=1)
    found = [first]
    while len(found) < count:
        found.append((found[-1] - timedelta(days=1)).replace(day=1))
    return found


def _month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(0), clinic_zone())


def _in_program(session: Session, first: date, last: date) -> list[tuple[int, str, str]]:
    """(client id, track, site) of everyone enrolled at some point of the month."""
    stmt = (select(Enrolment.client_id, Enrolment.track, Enrolment.location)
            .join(User, User.id == Enrolment.client_id)
            .where(col(User.role).in_([Role.CLIENT, Role.ALUMNI]),
                   Enrolment.enrolled_at < _utc(last + timedelta(days=1)),
                   or_(col(Enrolment.discharged_at).is_(None),
                       Enrolment.discharged_at >= _utc(first))))
    return list(session.exec(stmt).all())


def _engaged(session: Session, ids: list[int], first: date, last: date) -> set[int]:
    stmt = (select(CheckIn.client_id)
            .where(col(CheckIn.client_id).in_(ids), col(CheckIn.is_current).is_(True),
                   CheckIn.day >= first, CheckIn.day <= last)
            .group_by(CheckIn.client_id)
            .having(func.count(func.distinct(CheckIn.day)) >= ENGAGED_DAYS))
    return set(session.exec(stmt).all())


def _attended(session: Session, ids: list[int], first: date, last: date) -> set[int]:
    stmt = (select(GroupAttendance.client_id).distinct()
            .where(col(GroupAttendance.client_id).in_(ids),
                   col(GroupAttendance.is_current).is_(True), GroupAttendance.status == "present",
                   GroupAttendance.starts_at >= _utc(first),
                   GroupAttendance.starts_at < _utc(last + timedelta(days=1))))
    return set(session.exec(stmt).all())


def _measured(session: Session, ids: list[int], first: date, last: date) -> set[int]:
    stmt = (select(MeasureResponse.client_id).distinct()
            .where(col(MeasureResponse.client_id).in_(ids),
                   MeasureResponse.local_day >= first, MeasureResponse.local_day <= last))
    return set(session.exec(stmt).all())


def _changed(session: Session, ids: list[int], last: date) -> tuple[set[int], set[int]]:
    """Clients with reliable improvement, and with remission, on PHQ-9 or GAD-7 by `last`."""
    improved, remitted = set(), set()
    for client_id, rows in outcomes.rows_for(session, ids).items():
        for change in outcomes.changes([r for r in rows if r[3] <= last]):
            if change.instrument.id not in ("phq9", "gad7") or change.answers < 2:
                continue
            if change.reliable == outcomes.IMPROVED:
                improved.add(client_id)
            if change.remission:
                remitted.add(client_id)
    return improved, remitted


def _figure(count: int, total: int) -> Figure:
    shown, base = outcomes.suppress(count), outcomes.suppress(total)
    return Figure(shown, None if shown is None or base is None or not total else count / total)


def _row(label: str, members: set[int], sets: list[set[int]]) -> Row:
    total = len(members)
    return Row(label, (Figure(outcomes.suppress(total), None),
                       *(_figure(len(members & s), total) for s in sets)))


def for_month(session: Session, actor: Actor, first: date) -> list[Row]:
    """The month starting `first`: the whole program, then each track, then each site."""
    require_role(session, actor, Role.ADMIN)
    first = first.replace(day=1)
    last = min(_month_end(first), clinic_today())
    people = _in_program(session, first, last) if first <= last else []
    ids = [p[0] for p in people]
    sets = ([_engaged(session, ids, first, last), _attended(session, ids, first, last),
             _measured(session, ids, first, last), *_changed(session, ids, last)]
            if ids else [set()] * 5)
    clinic = get_clinic()
    rows = [_row(_("Whole program"), set(ids), sets)]  # labels in this run's language
    for track in sorted({p[1] for p in people}):
        rows.append(_row(_("Track: {track}").format(track=clinic_label(clinic.track_label(track))),
                         {p[0] for p in people if p[1] == track}, sets))
    for site in sorted({p[2] for p in people}):
        rows.append(_row(_("Site: {site}").format(site=clinic_label(clinic.location_label(site))),
                         {p[0] for p in people if p[2] == site}, sets))
    audit.record(session, actor, "read", AUDIT_KIND, None,
                 f"program outcomes for {first:%B %Y} (counts only)")
    return rows
