"""A therapist's caseload: assigned clients only, computed with SQL aggregates, sorted by
flag tier then time, then need, each client's row audited as what it shows (`SHOWN`):
profile, check-ins (mood, craving, use days, missed days), flags, questionnaire scores and
group attendance.

Order: clients with open flags first, by their most urgent open flag's tier (urgent, same
day, routine: `companion.flags`); within a tier, the client whose flag of that tier has
waited longest comes first (the triage-queue convention: nobody waits behind newer arrivals
of the same urgency); then everyone by need score, higher first:
    100 × urgent open flags + 10 × open flags + 3 × days with use in the last 14
    + 2 × check-ins missed in the last 7 + max(0, 7-day craving − 5)
    + 2 × max(0, drop in 7-day mood against the 14 days before)
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import case, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from companion import audit, flags, groups, outcomes
from companion.access import RecordKind, require_role
from companion.actors import Actor
from companion.clinic import get_clinic
from companion.i18n import _, N_, ngettext
from companion.models import CheckIn, Enrolment, Flag, Role, User
from companion.core.timeutil import clinic_today, show, utcnow

# The record kinds every caseload row draws from (an empty cell still tells something).
SHOWN = (RecordKind.PROFILE, RecordKind.CHECKIN, RecordKind.FLAG, RecordKind.MEASURE,
         RecordKind.ATTENDANCE)
RECENT_DAYS = 7  # "recently acknowledged" looks back this far
COLUMNS = ["client_id", "Client", "Flag tier", "Status", "Track", "Location", "Last check-in",
           "Mood 7d", "Mood change", "Craving 7d", "Craving change", "Use days (14d)",
           "Missed (7d)", "Open flags", "Urgent", "PHQ-9", "GAD-7", "Need",
           "Groups attended (14d)", "Groups scheduled (14d)",  # attendance: companion.groups
           "PHQ-9 baseline", "GAD-7 baseline", "Last check-in day", "Measures due"]


def _clients(session: Session, actor: Actor):
    """Assigned active clients, each with their newest check-in day (`last_day`, as in
    `_last_checkin`: one index seek per client)."""
    newest = (select(func.max(CheckIn.day)).where(CheckIn.client_id == User.id)
              .correlate(User).scalar_subquery())
    stmt = (select(User.id, User.display_name, User.role, Enrolment.track, Enrolment.location,
                   Enrolment.enrolled_at, Enrolment.discharged_at, newest.label("last_day"))
            .join(Enrolment, Enrolment.client_id == User.id)
            .where(Enrolment.therapist_id == actor.id, col(User.is_active).is_(True)))
    return session.exec(stmt).all()


def _checkin_stats(session: Session, ids: list[int], today) -> dict[int, tuple]:
    d7, d14, d21 = (today - timedelta(days=n) for n in (6, 13, 20))
    recent = CheckIn.day >= d7
    previous = (CheckIn.day < d7) & (CheckIn.day >= d21)
    stmt = (select(CheckIn.client_id,
                   func.avg(case((recent, CheckIn.mood))),
                   func.avg(case((previous, CheckIn.mood))),
                   func.avg(case((recent, CheckIn.craving))),
                   func.avg(case((previous, CheckIn.craving))),
                   func.sum(case(((CheckIn.day >= d14) & (CheckIn.used == "yes"), 1), else_=0)),
                   func.sum(case((recent, 1), else_=0)))
            .where(col(CheckIn.client_id).in_(ids), col(CheckIn.is_current).is_(True),
                   CheckIn.day >= d21)
            .group_by(CheckIn.client_id))
    return {row[0]: tuple(None if v is None else float(v) for v in row[1:])
            for row in session.exec(stmt)}


def _last_checkin(session: Session, ids: list[int]) -> dict[int, object]:
    """Each client's newest check-in day: one index seek per client, flat as history grows."""
    newest = (select(func.max(CheckIn.day)).where(CheckIn.client_id == User.id)
              .correlate(User).scalar_subquery())
    rows = session.exec(select(User.id, newest).where(col(User.id).in_(ids))).all()
    return {client_id: day for client_id, day in rows if day is not None}


@dataclass
class _OpenFlags:
    count: int = 0
    urgent: int = 0
    top: flags.Tier | None = None   # the most urgent open flag's tier
    waiting_since: datetime | None = None  # the oldest open flag of that tier


def _open_flags(open_list: list[Flag], ids: list[int]) -> dict[int, _OpenFlags]:
    """Per client: open flags, urgent ones, the most urgent tier and how long its oldest flag
    has waited, from the open flags already read (`_caseload_flags`)."""
    wanted, found = set(ids), {}
    for flag in open_list:
        if flag.client_id not in wanted:
            continue
        row = found.setdefault(flag.client_id, _OpenFlags())
        row.count += 1
        tier = flags.tier_of(flag)
        if tier is flags.URGENT:
            row.urgent += 1
        if row.top is None or tier.rank < row.top.rank:
            row.top, row.waiting_since = tier, flag.raised_at
        elif tier is row.top and flag.raised_at < row.waiting_since:
            row.waiting_since = flag.raised_at
    return found


def _caseload_flags(session: Session, actor: Actor, acknowledged_since: datetime | None = None
                    ) -> list[tuple[Flag, str, str | None]]:
    """The caseload's open flags (and, with `acknowledged_since`, those acknowledged since
    then) in one read, each with the client's name and who acknowledged it."""
    by = aliased(User)
    handled = (col(Flag.acknowledged_at).is_(None) if acknowledged_since is None else
               col(Flag.acknowledged_at).is_(None)
               | (col(Flag.acknowledged_at) >= acknowledged_since))
    stmt = (select(Flag, User.display_name, by.display_name)
            .join(User, User.id == Flag.client_id)
            .join(Enrolment, Enrolment.client_id == Flag.client_id)
            .outerjoin(by, by.id == Flag.acknowledged_by)
            .where(Enrolment.therapist_id == actor.id, handled))
    return [(f, name, who) for f, name, who in session.exec(stmt).all()]


def _triage_order(open_list: list[tuple[Flag, str]]) -> list[tuple[Flag, str]]:
    """Most urgent tier first, then the longest-waiting (as `flags.tier_rank` in SQL)."""
    return sorted(open_list, key=lambda pair: (flags.tier_of(pair[0]).rank,
                                               pair[0].raised_at.timestamp(), pair[0].id or 0))


def _latest_scores(answered: dict[int, list[tuple[str, str, dict, object]]]
                   ) -> dict[tuple[int, str], tuple[int | None, int | None]]:
    """(baseline, latest) PHQ-9 and GAD-7 totals per client: the first and the newest
    response (baseline None while there is only one), from the answers already read (oldest
    first) for "measures due"."""
    found: dict[tuple[int, str], tuple[int | None, int | None]] = {}
    for client_id, rows in answered.items():
        for instrument in ("phq9", "gad7"):
            totals = [scores.get("total") for i, _, scores, _ in rows if i == instrument]
            if totals:
                found[(client_id, instrument)] = (totals[0] if len(totals) > 1 else None,
                                                  totals[-1])
    return found


def _round(value) -> float | None:
    return None if value is None else round(float(value), 1)


def need_score(urgent: int, open_flags: int, use_days: int, missed: int,
               craving7: float | None, mood_change: float | None) -> float:
    return (100 * urgent + 10 * open_flags + 3 * use_days + 2 * missed
            + max(0.0, (craving7 or 0) - 5) + 2 * max(0.0, -(mood_change or 0)))


@dataclass
class View:
    """What the caseload page shows, read together (issue 16: ≤ 12 statements a rerun)."""
    frame: pd.DataFrame                          # one row a client, as `for_therapist`
    open_flags: list[tuple[Flag, str]]           # as `open_flags`
    recent: list[tuple[Flag, str, str | None]]   # as `recently_acknowledged`


def view(session: Session, actor: Actor, track: str | None = None,
         location: str | None = None, flagged_only: bool = False, min_missed: int = 0,
         measures_due: bool = False, recent_days: int = RECENT_DAYS,
         recent_limit: int = 20) -> View:
    """`for_therapist`, `open_flags` and `recently_acknowledged` at once: the flags are read
    once for all three, and everything shown is audited in one statement."""
    require_role(session, actor, Role.THERAPIST)
    read = _caseload_flags(session, actor, utcnow() - timedelta(days=recent_days))
    open_read = [(f, name) for f, name, _ in read if f.acknowledged_at is None]
    frame, open_list = _frame(session, actor, open_read, track, location, flagged_only,
                              min_missed, measures_due)
    recent = sorted(((f, name, who) for f, name, who in read if f.acknowledged_at is not None),
                    key=lambda r: (r[0].acknowledged_at.timestamp(), r[0].id), reverse=True)
    recent = recent[:recent_limit]
    flag_kind = RecordKind.FLAG.value
    audit.record_rows(session, actor, "read", [
        *_shown_rows(frame, "caseload"),
        *((flag_kind, c, "open flags") for c in sorted({f.client_id for f, _ in open_list})),
        *((flag_kind, c, "recently acknowledged")
          for c in sorted({f.client_id for f, _, _ in recent}))])
    return View(frame, open_list, recent)


def for_therapist(session: Session, actor: Actor, track: str | None = None,
                  location: str | None = None, flagged_only: bool = False,
                  min_missed: int = 0, measures_due: bool = False) -> pd.DataFrame:
    """The caseload, neediest first. Raises "no check-in" flags that are due. `flagged_only`
    keeps clients with an open flag, `min_missed` those who missed at least that many
    check-ins in the last 7 days, `measures_due` those with a questionnaire due or overdue;
    only the rows returned are audited."""
    require_role(session, actor, Role.THERAPIST)
    open_read = [(f, name) for f, name, _ in _caseload_flags(session, actor)]
    frame, _open = _frame(session, actor, open_read, track, location, flagged_only, min_missed,
                      measures_due)
    audit.record_rows(session, actor, "read", _shown_rows(frame, "caseload"))
    return frame


def _shown_rows(frame: pd.DataFrame, detail: str) -> list[tuple[str, int, str]]:
    return [(kind.value, int(i), detail) for i in frame["client_id"] for kind in SHOWN]


def _frame(session: Session, actor: Actor, open_read: list[tuple[Flag, str]],
           track: str | None, location: str | None, flagged_only: bool, min_missed: int,
           measures_due: bool) -> tuple[pd.DataFrame, list[tuple[Flag, str]]]:
    """The caseload's rows (not audited) and every open flag, those it raised included, in
    triage order."""
    clients = [c for c in _clients(session, actor)
               if (track is None or c.track == track) and (location is None or c.location == location)]
    ids = [c.id for c in clients]
    today = clinic_today()
    last = {c.id: c.last_day for c in clients if c.last_day is not None}
    names = {c.id: c.display_name for c in clients}
    raised = flags.for_missing_checkins(
        session, ids, today, last=last, in_program=[
            (c.id, c.enrolled_at) for c in clients if c.role == Role.CLIENT],
        open_already={f.client_id for f, _ in open_read if f.rule == flags.Rule.NO_CHECKIN})
    session.flush()
    open_list = _triage_order([*open_read, *((f, names[f.client_id]) for f in raised)])
    stats = _checkin_stats(session, ids, today)
    attendance = groups.attendance_counts(session, clients, days=14)
    answered = outcomes.rows_for(session, ids)
    open_flags = _open_flags([f for f, _ in open_list], ids)
    scores = _latest_scores(answered)
    clinic = get_clinic()
    rows, order = [], []
    for c in clients:
        mood7, mood_prev, crave7, crave_prev, use_days, seen7 = stats.get(
            c.id, (None, None, None, None, 0, 0))
        days_in = (today - c.enrolled_at.date()).days + 1
        missed = 0 if c.role == Role.ALUMNI else max(0, min(7, days_in) - int(seen7 or 0))
        mood_change = None if mood7 is None or mood_prev is None else mood7 - mood_prev
        crave_change = None if crave7 is None or crave_prev is None else crave7 - crave_prev
        flagged = open_flags.get(c.id, _OpenFlags())
        phq9, gad7 = (scores.get((c.id, i), (None, None)) for i in ("phq9", "gad7"))
        count, urgent = flagged.count, flagged.urgent
        order.append((flagged.top.rank if flagged.top else len(flags.TIERS),
                       flagged.waiting_since.timestamp() if flagged.waiting_since else 0.0))
        rows.append([c.id, c.display_name,
                     f"{flagged.top.icon} {flagged.top.word}" if flagged.top else "",
                     "Alumni" if c.role == Role.ALUMNI else "In program",
                     clinic.track_label(c.track), clinic.location_label(c.location),
                     last[c.id].strftime("%a %b %-d") if c.id in last else "never",
                     _round(mood7), _round(mood_change), _round(crave7), _round(crave_change),
                     int(use_days or 0), missed, count, urgent, phq9[1], gad7[1],
                     round(need_score(urgent, count, int(use_days or 0), missed, crave7,
                                      mood_change), 1), *attendance.get(c.id, (0, 0)),
                     phq9[0], gad7[0], last.get(c.id),
                     outcomes.due_words(outcomes.due_measures(
                         answered.get(c.id, []), c.role,
                         outcomes.start_day(c.role, c.enrolled_at, c.discharged_at, today),
                         today))])
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["_tier"], frame["_since"] = [o[0] for o in order], [o[1] for o in order]
    frame = (frame.sort_values(["_tier", "_since", "Need", "Client"],
                               ascending=[True, True, False, True], ignore_index=True)
             .drop(columns=["_tier", "_since"]))
    if flagged_only:
        frame = frame[frame["Open flags"] > 0].reset_index(drop=True)
    if min_missed:
        frame = frame[frame["Missed (7d)"] >= min_missed].reset_index(drop=True)
    if measures_due:
        frame = frame[frame["Measures due"] != ""].reset_index(drop=True)
    return frame, open_list


def client_choices(session: Session, actor: Actor) -> dict[int, str]:
    """Assigned clients' ids and names, for a picker (no record content, not audited)."""
    require_role(session, actor, Role.THERAPIST)
    stmt = (select(User.id, User.display_name).join(Enrolment, Enrolment.client_id == User.id)
            .where(Enrolment.therapist_id == actor.id, col(User.is_active).is_(True))
            .order_by(User.display_name))
    return {row.id: row.display_name for row in session.exec(stmt)}


def open_flags(session: Session, actor: Actor) -> list[tuple[Flag, str]]:
    """Every open flag on the caseload with the client's name: most urgent tier first,
    then the longest-waiting first (`flags.sort_key`)."""
    require_role(session, actor, Role.THERAPIST)
    stmt = (select(Flag, User.display_name).join(User, User.id == Flag.client_id)
            .join(Enrolment, Enrolment.client_id == Flag.client_id)
            .where(Enrolment.therapist_id == actor.id, col(Flag.acknowledged_at).is_(None))
            .order_by(flags.tier_rank(), col(Flag.raised_at), col(Flag.id)))
    rows = session.exec(stmt).all()
    audit.record_many(session, actor, "read", RecordKind.FLAG.value,
                      sorted({f.client_id for f, _ in rows}), "open flags")
    return [(f, name) for f, name in rows]



def recently_acknowledged(session: Session, actor: Actor, days: int = RECENT_DAYS,
                          limit: int = 20) -> list[tuple[Flag, str, str | None]]:
    """Flags on the caseload acknowledged in the last `days` days, newest first, with the
    client's name and who acknowledged it (audited as flag reads)."""
    require_role(session, actor, Role.THERAPIST)
    by = aliased(User)
    stmt = (select(Flag, User.display_name, by.display_name)
            .join(User, User.id == Flag.client_id)
            .join(Enrolment, Enrolment.client_id == Flag.client_id)
            .outerjoin(by, by.id == Flag.acknowledged_by)
            .where(Enrolment.therapist_id == actor.id,
                   col(Flag.acknowledged_at) >= utcnow() - timedelta(days=days))
            .order_by(col(Flag.acknowledged_at).desc(), col(Flag.id).desc()).limit(limit))
    rows = session.exec(stmt).all()
    if rows:
        audit.record_many(session, actor, "read", RecordKind.FLAG.value,
                          sorted({f.client_id for f, _, _ in rows}), "recently acknowledged")
    return [(f, name, who) for f, name, who in rows]


# --- One card a client, in words (the page draws them; nothing here reads the database) ----

NEED_EXPLAINED = N_(
    "Clients with open flags come first, by their most urgent flag's tier (🚨 Urgent, "
    "⏰ Same day, 📋 Routine), the longest-waiting first within a tier. Everyone else is "
    "ordered by a need score: 100 for each urgent open flag, 10 for each open flag, 3 for "
    "each day with use in the last 14, 2 for each check-in missed in the last 7, the 7-day "
    "craving above 5, and twice any fall in 7-day mood against the two weeks before.")


@dataclass
class Card:
    client_id: int
    name: str
    top_flag: Flag | None   # the most urgent open flag, the longest-waiting of its tier
    open_flags: int
    facts: list[str]        # short plain sentences, most telling first (reader's language)
    need: float


def days_ago(day, today) -> str:
    if day is None or day != day:  # None or NaN/NaT
        return _("never")
    days = (today - (day.date() if hasattr(day, "date") else day)).days
    if days == 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    return ngettext("{n} day ago", "{n} days ago", days).format(n=days)


def _change(value, unit: str = "") -> str:
    if value is None or value != value or abs(value) < 0.5:
        return _("steady")
    amount = f"{abs(value):.1f}{unit}"
    return (_("up {amount}") if value > 0 else _("down {amount}")).format(amount=amount)


def _band_label(instrument, scale, band) -> str:
    """A band's label in this run's language where the instrument's file has it."""
    from companion import i18n

    if i18n.current() != i18n.DEFAULT and hasattr(instrument, "band_words"):
        return instrument.band_words(scale, band)[0]
    return band.label


def _score(title: str, instrument_id: str, latest, baseline) -> str | None:
    from companion import instruments

    if latest is None or latest != latest:
        return None
    latest = int(latest)
    instrument = instruments.get(instrument_id)
    scale = instrument.scales[0]
    band = scale.band(latest)
    words = _("{title} {score} ({band})").format(
        title=title, score=latest,
        band=_band_label(instrument, scale, band).lower() if band else _("unbanded"))
    if baseline is None or baseline != baseline:
        return words
    delta = latest - int(baseline)
    if not delta:
        return _("{score_words}, same as at baseline").format(score_words=words)
    return (_("{score_words}, up {points} from {baseline} at baseline") if delta > 0
            else _("{score_words}, down {points} from {baseline} at baseline")).format(
        score_words=words, points=abs(delta), baseline=int(baseline))


def card_facts(row: dict, today) -> list[str]:
    """A caseload row in words (this run's language): last check-in, craving and mood trend,
    use, missed check-ins, latest PHQ-9 and GAD-7 with band and change since baseline,
    attendance."""
    facts = [_("Last check-in {when}").format(when=days_ago(row['Last check-in day'], today))]
    if row["Craving 7d"] is None or row["Craving 7d"] != row["Craving 7d"]:
        facts.append(_("no craving ratings this week"))
    else:
        facts.append(_("craving {value}/10 this week, {change}").format(
            value=f"{row['Craving 7d']:.1f}", change=_change(row['Craving change'])))
    if row["Mood 7d"] is not None and row["Mood 7d"] == row["Mood 7d"]:
        facts.append(_("mood {value}/10, {change}").format(value=f"{row['Mood 7d']:.1f}",
                                                           change=_change(row['Mood change'])))
    use = int(row["Use days (14d)"])
    facts.append(_("no use reported in 2 weeks") if not use
                 else ngettext("use on {n} day in 2 weeks", "use on {n} days in 2 weeks",
                               use).format(n=use))
    missed = int(row["Missed (7d)"])
    if missed:
        facts.append(ngettext("missed {n} check-in this week", "missed {n} check-ins this week",
                              missed).format(n=missed))
    for title, key in (("PHQ-9", "phq9"), ("GAD-7", "gad7")):
        words = _score(title, key, row[title], row[f"{title} baseline"])
        if words:
            facts.append(words)
    attended, scheduled = int(row["Groups attended (14d)"]), int(row["Groups scheduled (14d)"])
    facts.append(_("groups: {attended} of {scheduled} attended in 2 weeks").format(
        attended=attended, scheduled=scheduled) if scheduled
        else _("no groups scheduled in 2 weeks"))
    facts.append(_("measures: {due}").format(due=row['Measures due'])
                 if row.get("Measures due") else _("measures up to date"))
    return facts


def cards(frame: pd.DataFrame, open_list: list[tuple[Flag, str]], today=None) -> list[Card]:
    """The caseload's rows as cards, in the frame's order; `open_list` is `open_flags`'s
    answer (most urgent first), so the first flag seen for a client is their top one."""
    today = today or clinic_today()
    top: dict[int, Flag] = {}
    for flag, _name in open_list:
        top.setdefault(flag.client_id, flag)
    return [Card(int(row["client_id"]), row["Client"], top.get(int(row["client_id"])),
                 int(row["Open flags"]), card_facts(row, today), float(row["Need"]))
            for row in frame.to_dict("records")]
