"""Aggregates for charts, computed in SQL: a client's own, or an assigned client's
(audited). Each returns a small DataFrame in the shape `companion.charts` expects."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from companion import tags
from companion.access import Action, RecordKind, authorize
from companion.actors import Actor
from companion.models import CheckIn, Craving, EntryTag
from companion.core.timeutil import clinic_today


def _since(days: int) -> date:
    return clinic_today() - timedelta(days=days - 1)


def daily(session: Session, actor: Actor, client_id: int, days: int) -> pd.DataFrame:
    authorize(session, actor, client_id, RecordKind.CHECKIN, Action.READ, f"trends {days}d")
    stmt = (select(CheckIn.day, CheckIn.mood, CheckIn.craving, CheckIn.stress)
            .where(CheckIn.client_id == client_id, col(CheckIn.is_current).is_(True),
                   CheckIn.day >= _since(days))
            .order_by(CheckIn.day))
    return pd.DataFrame(session.exec(stmt).all(), columns=["day", "mood", "craving", "stress"])


def _current_entry_tags(client_id: int):
    """Tags of current check-in versions and of cravings."""
    current_ids = select(CheckIn.id).where(CheckIn.client_id == client_id,
                                           col(CheckIn.is_current).is_(True))
    return or_(EntryTag.entry_kind == "craving",
               col(EntryTag.entry_id).in_(current_ids.scalar_subquery()))


def trigger_counts(session: Session, actor: Actor, client_id: int, days: int) -> pd.DataFrame:
    authorize(session, actor, client_id, RecordKind.CHECKIN, Action.READ, "trigger counts")
    count = func.count().label("count")
    stmt = (select(tags.shown_label(), count)
            .where(EntryTag.client_id == client_id, EntryTag.tag_type == "trigger",
                   EntryTag.day >= _since(days), _current_entry_tags(client_id))
            .group_by(EntryTag.label_hash).order_by(count.desc()))
    return pd.DataFrame(session.exec(stmt).all(), columns=["label", "count"])


def craving_heatmap(session: Session, actor: Actor, client_id: int, days: int) -> pd.DataFrame:
    authorize(session, actor, client_id, RecordKind.CRAVING, Action.READ, "craving heat map")
    stmt = (select(Craving.local_weekday, Craving.local_hour, func.count())
            .where(Craving.client_id == client_id, Craving.local_day >= _since(days))
            .group_by(Craving.local_weekday, Craving.local_hour))
    return pd.DataFrame(session.exec(stmt).all(), columns=["weekday", "hour", "count"])


def craving_outcomes(session: Session, actor: Actor, client_id: int, days: int) -> pd.DataFrame:
    """Counts per day and outcome from SQL, folded into weeks (at most a few hundred rows)."""
    authorize(session, actor, client_id, RecordKind.CRAVING, Action.READ, "craving outcomes")
    stmt = (select(Craving.local_day, Craving.outcome, func.count())
            .where(Craving.client_id == client_id, Craving.local_day >= _since(days),
                   col(Craving.outcome).is_not(None))
            .group_by(Craving.local_day, Craving.outcome))
    frame = pd.DataFrame(session.exec(stmt).all(), columns=["day", "outcome", "count"])
    if frame.empty:
        return pd.DataFrame(columns=["week", "outcome", "count"])
    frame["week"] = [d - timedelta(days=d.weekday()) for d in frame["day"]]
    return frame.groupby(["week", "outcome"], as_index=False)["count"].sum()


def what_works(session: Session, actor: Actor, client_id: int) -> pd.DataFrame:
    """Per coping strategy: how often it was used with a follow-up, and the average fall
    in craving intensity by the follow-up."""
    authorize(session, actor, client_id, RecordKind.CRAVING, Action.READ, "what works")
    return what_works_rows(session, client_id)


def what_works_rows(session: Session, client_id: int) -> pd.DataFrame:
    drop = func.avg(Craving.intensity - Craving.followup_intensity).label("avg_drop")
    stmt = (select(tags.shown_label(), func.count().label("uses"), drop)
            .join(Craving, (EntryTag.entry_kind == "craving") & (EntryTag.entry_id == Craving.id))
            .where(EntryTag.client_id == client_id, EntryTag.tag_type == "coping",
                   col(Craving.followup_intensity).is_not(None))
            .group_by(EntryTag.label_hash).order_by(drop.desc()))
    frame = pd.DataFrame(session.exec(stmt).all(), columns=["strategy", "uses", "avg_drop"])
    frame["avg_drop"] = frame["avg_drop"].astype(float)
    return frame
