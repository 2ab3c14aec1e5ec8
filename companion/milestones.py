"""Something to look forward to (issue 18 item 11): an optional line on a client's home,
turned on by the client only, in one of two forms:

- "without use": "12 of the last 14 days without use", counted from their check-ins (a day
  without a check-in is not counted either way);
- "since": days since a date of their own choosing ("Day 40 since March 3"), which no check-in
  changes.

No streaks: a lapse changes a number and never resets anything to zero in words, and the
line never says what a day with use was. Only the client sets or reads it (check-in access).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from companion import run_context
from companion.access import Action, RecordKind, authorize
from companion.actors import Actor
from companion.core.errors import InvalidInput
from companion.i18n import N_
from companion.core.timeutil import clinic_today, utcnow
from companion.models import CheckIn, HomeMilestone

WINDOW_DAYS = 14
# Marked for the catalog; shown with `gettext` (My account).
KINDS = {"without_use": N_("Days without use in the last two weeks"),
         "since": N_("Days since a date I choose")}


@dataclass(frozen=True)
class Milestone:
    kind: str
    since_day: date | None


def current(session: Session, actor: Actor) -> Milestone | None:
    """My chosen line, or None (off)."""
    authorize(session, actor, actor.id, RecordKind.CHECKIN, Action.READ)
    row = run_context.milestone(session, actor.id)
    return None if row is None else Milestone(row.kind, row.since_day)


def choose(session: Session, actor: Actor, kind: str | None,
           since_day: date | None = None) -> None:
    """Turn my line on (`kind`), change it, or turn it off (None)."""
    authorize(session, actor, actor.id, RecordKind.CHECKIN, Action.WRITE)
    row = session.get(HomeMilestone, actor.id)
    if kind is None:
        if row is not None:
            session.delete(row)
            session.flush()
        return
    if kind not in KINDS:
        raise InvalidInput("Choose one of the two kinds of line.")
    if kind == "since" and (since_day is None or since_day > clinic_today()):
        raise InvalidInput("Choose a date that is today or before.")
    row = row or HomeMilestone(client_id=actor.id, kind=kind)
    row.kind, row.since_day, row.updated_at = kind, since_day if kind == "since" else None, \
        utcnow()
    session.add(row)


def line(session: Session, actor: Actor, today: date | None = None) -> str | None:
    """The words for my home, or None when I haven't turned it on (or nothing to count yet)."""
    chosen = current(session, actor)
    if chosen is None:
        return None
    today = today or clinic_today()
    if chosen.kind == "since" and chosen.since_day is not None:
        days = (today - chosen.since_day).days
        return f"{days} day{'s' if days != 1 else ''} since {chosen.since_day:%B %-d, %Y}."
    first = today - timedelta(days=WINDOW_DAYS - 1)
    without = session.exec(
        select(func.count(func.distinct(CheckIn.day)))
        .where(CheckIn.client_id == actor.id, col(CheckIn.is_current).is_(True),
               CheckIn.used == "no", CheckIn.day >= first, CheckIn.day <= today)).one()
    if not without:
        return None
    return f"{without} of the last {WINDOW_DAYS} days without use."
