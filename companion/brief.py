"""The pre-session brief: what changed for one client since a date, in one read."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd
from sqlmodel import Session, col, select

from companion import chains, flags, instruments, measures, safety, sessions, trends
from companion.access import Action, RecordKind, authorize
from companion.actors import Actor
from companion.audit import REDISCLOSURE_NOTICE
from companion.models import ChainAnalysis, CheckIn, Flag, SafetyPlan, TherapySession, User
from companion.core.timeutil import clinic_today, show, to_clinic


@dataclass(frozen=True)
class Brief:
    client_name: str
    since: date
    daily: pd.DataFrame
    triggers: pd.DataFrame
    outcomes: pd.DataFrame
    works: pd.DataFrame
    measures: dict[str, pd.DataFrame]
    plan_versions: list[SafetyPlan]
    look_backs: list[ChainAnalysis]
    flags: list[Flag]
    journal: list["JournalLine"] = field(default_factory=list)
    sessions: list[TherapySession] = field(default_factory=list)

    @property
    def days(self) -> int:
        return (clinic_today() - self.since).days + 1

    def recurring_triggers(self) -> list[tuple[str, int]]:
        return [(r.label, int(r.count)) for r in self.triggers.itertuples() if r.count >= 2]


DEFAULT_DAYS = 7


@dataclass(frozen=True)
class JournalLine:
    """Something the client wrote in a check-in: a note, use details, or a "bring to group"."""
    day: date
    kind: str   # "Note", "Use", "Bring to group"
    text: str


def default_since(session: Session, actor: Actor, client_id: int,
                  last: date | None | bool = False) -> date:
    """The brief's default period starts at the client's last session (that day included);
    with none recorded, the last `DEFAULT_DAYS` days. `last`: the last session's day when the
    caller has already read it (None: none recorded)."""
    if last is False:
        last = sessions.last_day(session, actor, client_id)
    return last if last is not None else clinic_today() - timedelta(days=DEFAULT_DAYS)


def journal(session: Session, actor: Actor, client_id: int, since: date) -> list[JournalLine]:
    """Notes, use details and "bring to group" lines of current check-ins since `since`
    (oldest first). The text is encrypted at rest, so empty ones are dropped after reading
    the period's rows only."""
    authorize(session, actor, client_id, RecordKind.CHECKIN, Action.READ,
              f"brief notes since {since}")
    stmt = (select(CheckIn.day, CheckIn.used, CheckIn.use_details, CheckIn.note,
                   CheckIn.bring_to_group)
            .where(CheckIn.client_id == client_id, col(CheckIn.is_current).is_(True),
                   CheckIn.day >= since)
            .order_by(CheckIn.day))
    lines = []
    for day, used, details, note, bring in session.exec(stmt):
        if used == "yes" or details:
            lines.append(JournalLine(day, "Use", details or "used (no details given)"))
        if note:
            lines.append(JournalLine(day, "Note", note))
        if bring:
            lines.append(JournalLine(day, "Bring to group", bring))
    return lines


def for_client(session: Session, actor: Actor, client_id: int, since: date) -> Brief:
    authorize(session, actor, client_id, RecordKind.PROFILE, Action.READ, f"brief since {since}")
    days = max(1, (clinic_today() - since).days + 1)
    client = session.get(User, client_id)
    plans = [v for v in safety.history(session, actor, client_id)
             if to_clinic(v.created_at).date() >= since]
    looks = [c for c in chains.for_client(session, actor, client_id, limit=50)
             if to_clinic(c.created_at).date() >= since]
    return Brief(
        client_name=client.display_name, since=since,
        daily=trends.daily(session, actor, client_id, days),
        triggers=trends.trigger_counts(session, actor, client_id, days),
        outcomes=trends.craving_outcomes(session, actor, client_id, days),
        works=trends.what_works(session, actor, client_id),
        measures={i: measures.history(session, actor, client_id, i, days)
                  for i in instruments.load_all()},
        plan_versions=plans, look_backs=looks,
        flags=[f for f in flags.for_client(session, actor, client_id)
               if to_clinic(f.raised_at).date() >= since or f.acknowledged_at is None],
        journal=journal(session, actor, client_id, since),
        sessions=[s for s in sessions.for_client(session, actor, client_id)
                  if s.day >= since])


def as_text(brief: Brief) -> str:
    """A print-friendly copy, led by the Part 2 notice against re-disclosure."""
    d = brief.daily
    lines = [REDISCLOSURE_NOTICE, "", f"PRE-SESSION BRIEF — {brief.client_name}",
             f"Since {brief.since:%a %b %-d, %Y} ({brief.days} days)", ""]
    if d.empty:
        lines.append("Check-ins: none in this period.")
    else:
        lines.append(f"Check-ins: {len(d)} of {brief.days} days. Mood avg {d['mood'].mean():.1f}, "
                     f"craving avg {d['craving'].mean():.1f}, stress avg {d['stress'].mean():.1f}.")
    lines.append("Sessions: " + ("; ".join(
        f"{s.day:%b %-d} {sessions.KINDS.get(s.kind, s.kind).lower()}"
        + (f" — next step: {s.next_step}" if s.next_step else "") for s in brief.sessions)
        or "none recorded in this period"))
    lines.append("In their own words:" if brief.journal else "In their own words: nothing written.")
    for line in brief.journal:
        lines.append(f"- {line.day:%b %-d} {line.kind}: {line.text}")
    recurring = brief.recurring_triggers()
    lines.append("Recurring triggers: " + (", ".join(f"{t} ({n})" for t, n in recurring)
                                           or "none"))
    if not brief.works.empty:
        lines.append("What helps (avg fall in craving): " + ", ".join(
            f"{r.strategy} {r.avg_drop:.1f} (n={r.uses})" for r in brief.works.itertuples()))
    for instrument_id, frame in brief.measures.items():
        if frame.empty:
            continue
        title = instruments.get(instrument_id).title
        for scale, rows in frame.groupby("label", sort=False):
            values = ", ".join(f"{r.day:%b %-d}: {r.value if r.value == r.value else '—'}"
                               for r in rows.itertuples())
            lines.append(f"{title} {scale}: {values}")
    lines.append(f"Safety plan changes: {len(brief.plan_versions)}")
    lines.append(f"Look-backs after a use: {len(brief.look_backs)}")
    lines.append("Flags:")
    for f in brief.flags:
        handled = (f"acknowledged {show(f.acknowledged_at)}: {f.ack_note}"
                   if f.acknowledged_at else "OPEN")
        lines.append(f"- [{flags.tier_of(f).word.upper()}] {show(f.raised_at)} "
                     f"{flags.label_of(f)}: {f.reason} — {handled}")
    return "\n".join(lines) + "\n"
