"""The pre-session brief: what changed for one client since a date, in one read."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd
from sqlmodel import Session, col, select

from companion import chains, flags, instruments, measures, safety, sessions, trends
from companion.access import Action, RecordKind, authorize
from companion.actors import Actor
from companion.audit import redisclosure_notice
from companion.i18n import N_, _, format_day, format_moment, format_month_day, gettext, ngettext
from companion.models import ChainAnalysis, CheckIn, Flag, SafetyPlan, TherapySession, User
from companion.core.timeutil import clinic_today, to_clinic


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
    kind: str   # "Note", "Use", "Bring to group" (English: `gettext` it to show)
    text: str


JOURNAL_KINDS = (N_("Note"), N_("Use"), N_("Bring to group"))
NO_USE_DETAILS = N_("used (no details given)")


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
            lines.append(JournalLine(day, "Use", details or gettext(NO_USE_DETAILS)))
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


TITLE = N_("Pre-session brief")


def heading(brief: Brief) -> str:
    """"PRE-SESSION BRIEF — Robin" in this run's language."""
    return _("PRE-SESSION BRIEF — {name}").format(name=brief.client_name)


def _since_day(day: date) -> str:
    return f"{day:%a %b %-d, %Y}" if _english() else format_day(day)


def _english() -> bool:
    from companion import i18n

    return i18n.current() == i18n.DEFAULT


def as_text(brief: Brief) -> str:
    """A print-friendly copy in this run's language, led by the Part 2 notice against
    re-disclosure (its paragraphs, then a blank line, then the heading). What the client
    wrote and the clinic's labels are as stored."""
    from companion.i18n import clinic_label

    d = brief.daily
    lines = [*redisclosure_notice().splitlines(), "", heading(brief),
             ngettext("Since {day} ({n} day)", "Since {day} ({n} days)", brief.days).format(
                 day=_since_day(brief.since), n=brief.days), ""]
    if d.empty:
        lines.append(_("Check-ins: none in this period."))
    else:
        lines.append(_("Check-ins: {count} of {days} days. Mood avg {mood}, craving avg "
                       "{craving}, stress avg {stress}.").format(
            count=len(d), days=brief.days, mood=f"{d['mood'].mean():.1f}",
            craving=f"{d['craving'].mean():.1f}", stress=f"{d['stress'].mean():.1f}"))

    def held(s) -> str:
        kind = gettext(sessions.KINDS.get(s.kind, s.kind)).lower()
        words = _("{day} {kind}").format(day=format_month_day(s.day), kind=kind)
        return words + (_(" — next step: {step}").format(step=s.next_step) if s.next_step
                        else "")

    lines.append(_("Sessions: {sessions}").format(
        sessions="; ".join(held(s) for s in brief.sessions)
        or _("none recorded in this period")))
    lines.append(_("In their own words:") if brief.journal
                 else _("In their own words: nothing written."))
    for line in brief.journal:
        lines.append(_("- {day} {kind}: {text}").format(day=format_month_day(line.day),
                                                        kind=gettext(line.kind), text=line.text))
    recurring = brief.recurring_triggers()
    lines.append(_("Recurring triggers: {triggers}").format(
        triggers=", ".join(f"{clinic_label(t)} ({n})" for t, n in recurring) or _("none")))
    if not brief.works.empty:
        lines.append(_("What helps (avg fall in craving): {skills}").format(skills=", ".join(
            f"{clinic_label(r.strategy)} {r.avg_drop:.1f} (n={r.uses})"
            for r in brief.works.itertuples())))
    for instrument_id, frame in brief.measures.items():
        if frame.empty:
            continue
        title = instruments.get(instrument_id).title
        for scale, rows in frame.groupby("label", sort=False):
            values = ", ".join(f"{format_month_day(r.day)}: "
                               f"{r.value if r.value == r.value else '—'}"
                               for r in rows.itertuples())
            lines.append(f"{title} {scale}: {values}")
    lines.append(_("Safety plan changes: {n}").format(n=len(brief.plan_versions)))
    lines.append(_("Look-backs after a use: {n}").format(n=len(brief.look_backs)))
    lines.append(_("Flags:"))
    for f in brief.flags:
        handled = (_("acknowledged {when}: {note}").format(when=format_moment(f.acknowledged_at),
                                                          note=f.ack_note)
                   if f.acknowledged_at else _("OPEN"))
        lines.append(f"- [{flags.tier_of(f).shown.upper()}] {format_moment(f.raised_at)} "
                     f"{flags.label_of(f)}: {flags.reason_of(f)} — {handled}")
    return "\n".join(lines) + "\n"
