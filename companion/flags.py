"""Flags for therapists: every rule and threshold lives here, and every feature raises
flags through this module."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from companion.models import CheckIn, Craving, Flag

CRAVING_HIGH = 8          # craving intensity at or above this raises a flag
MOOD_DROP = 3             # mood this many points below the 14-day baseline raises a flag
MOOD_BASELINE_DAYS = 14
MOOD_BASELINE_MIN_CHECKINS = 3
USE_FREE_RUN_DAYS = 3     # a use report after this many use-free check-in days is a "slip"
NO_CHECKIN_DAYS = 3       # this many days without a check-in raises a flag (clients in program)


class Rule:
    CRAVING_HIGH = "craving_high"
    USE_REPORTED = "use_reported"
    MOOD_DROP = "mood_drop"
    SELF_HARM = "self_harm"          # urgent: same-day follow-up
    SEVERE_SCORE = "severe_score"    # a measure in its severe band (thresholds in its file)
    WORSENING = "worsening"          # a reliable rise since the last one (points in its file)
    NO_CHECKIN = "no_checkin"
    ABSENCE = "absence"              # an unexcused absence from group (groups issue)


RULE_LABELS = {Rule.CRAVING_HIGH: "Strong craving", Rule.USE_REPORTED: "Use reported",
               Rule.MOOD_DROP: "Mood drop", Rule.SELF_HARM: "Self-harm answer — today",
               Rule.SEVERE_SCORE: "Severe score", Rule.WORSENING: "Worsening score",
               Rule.NO_CHECKIN: "No check-in", Rule.ABSENCE: "Missed group"}


def _already_open(session: Session, client_id: int, rule: str, kind: str,
                  source_ids: list[int]) -> bool:
    stmt = select(Flag.id).where(Flag.client_id == client_id, Flag.rule == rule,
                                 Flag.source_kind == kind, col(Flag.source_id).in_(source_ids))
    return session.exec(stmt).first() is not None


def raise_flag(session: Session, client_id: int, rule: str, reason: str, kind: str,
               source_id: int, same_record_ids: list[int] | None = None,
               urgent: bool = False) -> Flag | None:
    """Raise once per record: earlier versions of the same record count as the same."""
    if _already_open(session, client_id, rule, kind, same_record_ids or [source_id]):
        return None
    flag = Flag(client_id=client_id, rule=rule, reason=reason[:300], source_kind=kind,
                source_id=source_id, urgent=urgent)
    session.add(flag)
    return flag


def mood_baseline(session: Session, client_id: int, day: date) -> float | None:
    """Average mood over the 14 days before `day`, if there are enough check-ins."""
    since = day - timedelta(days=MOOD_BASELINE_DAYS)
    stmt = select(func.avg(CheckIn.mood), func.count()).where(
        CheckIn.client_id == client_id, col(CheckIn.is_current).is_(True),
        CheckIn.day >= since, CheckIn.day < day)
    avg, count = session.exec(stmt).one()
    return float(avg) if count >= MOOD_BASELINE_MIN_CHECKINS else None


def use_free_days_before(session: Session, client_id: int, day: date) -> int:
    """How many check-in days in a row before `day` reported no use."""
    stmt = (select(CheckIn.used).where(CheckIn.client_id == client_id,
                                       col(CheckIn.is_current).is_(True), CheckIn.day < day)
            .order_by(col(CheckIn.day).desc()).limit(90))
    run = 0
    for used in session.exec(stmt):
        if used != "no":
            break
        run += 1
    return run


def for_checkin(session: Session, checkin: CheckIn, version_ids: list[int]) -> list[Flag]:
    raised = []
    if checkin.craving >= CRAVING_HIGH:
        raised.append(raise_flag(session, checkin.client_id, Rule.CRAVING_HIGH,
                                 f"Check-in craving {checkin.craving}/10", "checkin",
                                 checkin.id, version_ids))
    if checkin.used == "yes":
        raised.append(raise_flag(session, checkin.client_id, Rule.USE_REPORTED,
                                 "Use reported in the daily check-in", "checkin", checkin.id,
                                 version_ids))
    baseline = mood_baseline(session, checkin.client_id, checkin.day)
    if baseline is not None and checkin.mood <= baseline - MOOD_DROP:
        raised.append(raise_flag(session, checkin.client_id, Rule.MOOD_DROP,
                                 f"Mood {checkin.mood}/10, {baseline - checkin.mood:.1f} below "
                                 f"the 14-day average of {baseline:.1f}", "checkin", checkin.id,
                                 version_ids))
    return [f for f in raised if f is not None]


def for_craving(session: Session, craving: Craving) -> list[Flag]:
    raised = []
    if craving.intensity >= CRAVING_HIGH:
        raised.append(raise_flag(session, craving.client_id, Rule.CRAVING_HIGH,
                                 f"Craving logged at {craving.intensity}/10", "craving",
                                 craving.id))
    if craving.outcome == "used":
        raised.append(raise_flag(session, craving.client_id, Rule.USE_REPORTED,
                                 "A craving episode ended in use", "craving", craving.id))
    return [f for f in raised if f is not None]


def for_measure(session: Session, response, instrument, scored, previous: dict | None
                ) -> list[Flag]:
    """A risk item above 0 (PHQ-9 item 9) is urgent; a severe total or a rise of the
    instrument's `worsening_points` since the last one raise ordinary flags."""
    raised = []
    for item_id in scored.risk_items:
        raised.append(raise_flag(
            session, response.client_id, Rule.SELF_HARM,
            f"{instrument.title} item {item_id} answered "
            f"{response.answers[item_id]} (thoughts of death or self-harm): follow up today",
            "measure", response.id, urgent=True))
    for scale in instrument.scales:
        value = scored.values.get(scale.id)
        if value is None:
            continue
        if scale.severe_from is not None and value >= scale.severe_from:
            raised.append(raise_flag(session, response.client_id, Rule.SEVERE_SCORE,
                                     f"{instrument.title} {scale.label.lower()} {value} "
                                     f"({scale.band(value).label.lower()})", "measure",
                                     response.id))
        before = (previous or {}).get(scale.id)
        if (scale.worsening_points is not None and before is not None
                and value - before >= scale.worsening_points):
            raised.append(raise_flag(session, response.client_id, Rule.WORSENING,
                                     f"{instrument.title} {scale.label.lower()} rose from "
                                     f"{before} to {value}", "measure", response.id))
    return [f for f in raised if f is not None]


def for_missing_checkins(session: Session, client_ids: list[int], today: date,
                         last: dict | None = None) -> list[Flag]:
    """Clients in the program with no check-in for `NO_CHECKIN_DAYS` days (counting from
    enrolment when they never checked in); one open flag at a time per client."""
    from companion.models import Enrolment, User  # local: models import nothing from here

    if not client_ids:
        return []
    cutoff = today - timedelta(days=NO_CHECKIN_DAYS)
    if last is None:  # each client's newest check-in day
        last = dict(session.exec(
            select(CheckIn.client_id, func.max(CheckIn.day))
            .where(col(CheckIn.client_id).in_(client_ids)).group_by(CheckIn.client_id)).all())
    open_already = set(session.exec(
        select(Flag.client_id).where(col(Flag.client_id).in_(client_ids),
                                     Flag.rule == Rule.NO_CHECKIN,
                                     col(Flag.acknowledged_at).is_(None))))
    in_program = session.exec(
        select(Enrolment.client_id, Enrolment.enrolled_at).join(User, User.id == Enrolment.client_id)
        .where(col(Enrolment.client_id).in_(client_ids), User.role == "client")).all()
    raised = []
    for client_id, enrolled_at in in_program:
        since = last.get(client_id)
        start = since or enrolled_at.date()
        if start > cutoff or client_id in open_already:
            continue
        words = (f"No check-in since {since:%a %b %-d}" if since
                 else "No check-in since joining the program")
        flag = Flag(client_id=client_id, rule=Rule.NO_CHECKIN, reason=words,
                    source_kind="checkin", source_id=None)
        session.add(flag)
        raised.append(flag)
    return raised


# --- Reading and acknowledging (therapists) ------------------------------------------------

ACK_NOTE_MAX = 500


def for_client(session: Session, actor, client_id: int, include_acknowledged: bool = True,
               since=None) -> list[Flag]:
    """A client's flags, newest first: open ones, and (by default) the handled history."""
    from companion.access import Action, RecordKind, authorize

    authorize(session, actor, client_id, RecordKind.FLAG, Action.READ, "flags")
    stmt = select(Flag).where(Flag.client_id == client_id)
    if not include_acknowledged:
        stmt = stmt.where(col(Flag.acknowledged_at).is_(None))
    if since is not None:
        stmt = stmt.where(Flag.raised_at >= since)
    return list(session.exec(stmt.order_by(col(Flag.urgent).desc(), col(Flag.raised_at).desc())))


def acknowledge(session: Session, actor, flag_id: int, note: str) -> Flag:
    """The therapist notes what they did; the flag stays in the history."""
    from companion.access import Action, RecordKind, authorize
    from companion.core import textrules
    from companion.core.errors import InvalidInput, NotFound
    from companion.core.timeutil import utcnow

    flag = session.get(Flag, flag_id)
    if flag is None:
        raise NotFound("That flag no longer exists.")
    authorize(session, actor, flag.client_id, RecordKind.FLAG, Action.WRITE,
              f"acknowledged flag {flag_id}")
    note = (note or "").strip()
    if not note:
        raise InvalidInput("Please add a short note on what you did or plan to do.")
    if len(note) > ACK_NOTE_MAX:
        raise InvalidInput(f"Please keep the note under {ACK_NOTE_MAX} characters.")
    textrules.require(note, subject="The note")
    if flag.acknowledged_at is not None:
        raise InvalidInput("This flag was already acknowledged.")
    flag.acknowledged_by, flag.acknowledged_at, flag.ack_note = actor.id, utcnow(), note
    session.add(flag)
    return flag


# --- Group attendance (groups issue) ---------------------------------------------------------


def for_absence(session: Session, attendance, version_ids: list[int], what: str) -> Flag | None:
    """An unexcused absence from group: one flag per attendance record (its corrections
    count as the same record). `what` names the session, e.g. "Process group, Mon Mar 1"."""
    if attendance.status != "absent":
        return None
    return raise_flag(session, attendance.client_id, Rule.ABSENCE,
                      f"Missed {what} (not excused)", "attendance", attendance.id,
                      version_ids)


def settle_absence(session: Session, client_id: int, version_ids: list[int], actor_id: int,
                   note: str) -> list[Flag]:
    """An absence corrected to present or excused: its open flag is acknowledged with the
    correction as the note, so it leaves the to-do list but stays in the history."""
    from companion.core.timeutil import utcnow

    stmt = select(Flag).where(Flag.client_id == client_id, Flag.rule == Rule.ABSENCE,
                              Flag.source_kind == "attendance",
                              col(Flag.source_id).in_(version_ids),
                              col(Flag.acknowledged_at).is_(None))
    settled = list(session.exec(stmt))
    for flag in settled:
        flag.acknowledged_by, flag.acknowledged_at = actor_id, utcnow()
        flag.ack_note = note[:ACK_NOTE_MAX]
        session.add(flag)
    return settled
