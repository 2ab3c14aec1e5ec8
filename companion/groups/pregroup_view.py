"""The pre-group view (therapists): every expected client the therapist may see (their own,
and as a group's admin-assigned facilitator the clients enrolled on its track and site), with
their RSVP and what they want to bring to group; for one's own clients also the week's mood
and craving and their open flags."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlmodel import Session, col, select

from companion import access, flags
from companion.access import Action, RecordKind
from companion.actors import Actor
from companion.core.timeutil import clinic_today
from companion.groups.attendance import authorize_for_group, expected_clients, may_for_group
from companion.groups.recurrence import Occurrence
from companion.models import CheckIn, Flag, GroupRsvp, Role


@dataclass(frozen=True)
class PreGroupRow:
    client_id: int
    name: str
    on_caseload: bool       # mood, craving and flags are shown only for one's own clients
    rsvp: GroupRsvp | None
    week: pd.DataFrame | None
    open_flags: list[Flag] | None
    bring: str
    bring_day: date | None


def _bring_to_group(session: Session, client_id: int) -> tuple[str, date | None]:
    row = session.exec(select(CheckIn.bring_to_group, CheckIn.day).where(
        CheckIn.client_id == client_id, col(CheckIn.is_current).is_(True),
        CheckIn.day >= clinic_today() - timedelta(days=6), CheckIn.bring_to_group != "")
        .order_by(col(CheckIn.day).desc())).first()
    return (row[0], row[1]) if row else ("", None)


def pregroup(session: Session, actor: Actor, occ: Occurrence) -> list[PreGroupRow]:
    """Every expected client the therapist may see: RSVP, the week's mood and craving, open
    flags and what they want to bring to group. Each read is audited."""
    from companion import trends

    access.require_role(session, actor, Role.THERAPIST)
    answers = {r.client_id: r for r in session.exec(select(GroupRsvp).where(
        GroupRsvp.series_id == occ.series.id, GroupRsvp.occurrence_at == occ.occurrence_at))}
    rows = []
    for client_id, name in expected_clients(session, occ):
        own = access.allowed(session, actor, client_id, RecordKind.CHECKIN, Action.READ)
        if not own and not may_for_group(session, actor, occ, client_id, RecordKind.CHECKIN,
                                         Action.READ):
            continue
        detail = f"pre-group {occ.title} {occ.starts_at:%Y-%m-%d}"
        authorize_for_group(session, actor, occ, client_id, RecordKind.RSVP, Action.READ, detail)
        authorize_for_group(session, actor, occ, client_id, RecordKind.CHECKIN, Action.READ,
                            detail + (" (bring to group only)" if not own else ""))
        bring, day = _bring_to_group(session, client_id)
        week = trends.daily(session, actor, client_id, 7) if own else None
        open_flags = (flags.for_client(session, actor, client_id, include_acknowledged=False)
                      if own else None)
        rows.append(PreGroupRow(client_id, name, own, answers.get(client_id), week, open_flags,
                                bring, day))
    return rows
