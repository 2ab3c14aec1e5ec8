"""Flags for therapists: every rule, threshold and tier lives here, and every feature raises
flags through this module.

Tiers — how soon a therapist should act — are decided here and nowhere else, when a flag is
raised, and kept on the flag (`Flag.tier`): what the therapist was told stays what it was.

    🚨 Urgent    reach the client now, before anything else today
                 · PHQ-9 item 9 above 0 (thoughts of death or self-harm)
                 · a use, a craving of 8+ and a low mood on the same day (see below)
    ⏰ Same day  reach the client today
                 · PHQ-9 item 9 left blank (asked again; below a positive answer)
                 · a use after a use-free run of `USE_FREE_RUN_DAYS` check-in days
                   (lost tolerance: the overdose risk is highest right after abstinence)
                 · a craving of 8+ (check-in or craving log)
                 · a use with a low mood the same day, craving under 8
                 · a questionnaire in its severe band (a severe PHQ-9 carries suicide risk
                   even with item 9 at 0; the GAD-7 follows the same rule, erring early)
    📋 Routine   take it up at the next contact (IOP meets 3–5 days a week)
                 · a use with no use-free run before it (ongoing use the team knows about)
                 · a mood drop, a worsening score, no check-in for `NO_CHECKIN_DAYS` days,
                   a missed group

Escalation: a use together with a low mood (≤ `MOOD_LOW`, or the mood-drop rule) on the same
day raises one more flag, "combined_risk": same day, or urgent when a craving of 8+ comes
with them. Substance use and low mood together are the state in which suicidal behaviour in
people with substance use disorders is most likely (intoxication is a proximal risk factor),
and a high craving with a use means the slip is still going; so the conservative reading is
to ask about safety now rather than later today. Nothing is escalated beyond urgent, and no
flag ever lowers another.

Each tier is shown by word and icon as well as colour (`companion/ui/flags.py`); lists sort
by `sort_key` (open first, most urgent tier first, then the longest-waiting first — the
triage-queue convention), SQL by `tier_rank`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from functools import lru_cache

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from companion.i18n import N_, _, gettext
from companion.models import CheckIn, Craving, Flag

CRAVING_HIGH = 8          # craving intensity at or above this raises a flag
MOOD_DROP = 3             # mood this many points below the 14-day baseline raises a flag
MOOD_BASELINE_DAYS = 14
MOOD_BASELINE_MIN_CHECKINS = 3
MOOD_LOW = 3              # mood at or below this (of 10) counts as low for the escalation
USE_FREE_RUN_DAYS = 3     # a use report after this many use-free check-in days is a "slip"
NO_CHECKIN_DAYS = 3       # this many days without a check-in raises a flag (clients in program)


@dataclass(frozen=True)
class Tier:
    key: str      # kept in flags.tier
    rank: int     # 0 is the most urgent
    word: str
    icon: str     # a different shape for each, so the tier never rests on colour alone
    colour: str   # a Streamlit markdown colour
    means: str

    @property
    def shown(self) -> str:
        """The tier's word in this run's language ("Urgente")."""
        return gettext(self.word)


URGENT = Tier("urgent", 0, N_("Urgent"), "🚨", "red", N_("reach the client now"))
SAME_DAY = Tier("same_day", 1, N_("Same day"), "⏰", "orange", N_("reach the client today"))
ROUTINE = Tier("routine", 2, N_("Routine"), "📋", "blue", N_("at the next contact"))
TIERS = {t.key: t for t in (URGENT, SAME_DAY, ROUTINE)}


class Rule:
    CRAVING_HIGH = "craving_high"
    USE_REPORTED = "use_reported"
    MOOD_DROP = "mood_drop"
    SELF_HARM = "self_harm"          # PHQ-9 item 9 above 0
    SELF_HARM_UNANSWERED = "item9_unanswered"  # PHQ-9 item 9 left blank
    COMBINED_RISK = "combined_risk"  # a use and a low mood (and a high craving) the same day
    SEVERE_SCORE = "severe_score"    # a measure in its severe band (thresholds in its file)
    WORSENING = "worsening"          # a reliable rise since the last one (points in its file)
    NO_CHECKIN = "no_checkin"
    ABSENCE = "absence"              # an unexcused absence from group (groups issue)


# Each rule's tier. A use's tier depends on what came before it (`use_tier`), and the
# combination's on what came with it (`combined_risk`); these are their lowest.
RULE_TIERS = {Rule.SELF_HARM: URGENT, Rule.SELF_HARM_UNANSWERED: SAME_DAY,
              Rule.COMBINED_RISK: SAME_DAY, Rule.CRAVING_HIGH: SAME_DAY,
              Rule.USE_REPORTED: ROUTINE, Rule.SEVERE_SCORE: SAME_DAY,
              Rule.MOOD_DROP: ROUTINE, Rule.WORSENING: ROUTINE, Rule.NO_CHECKIN: ROUTINE,
              Rule.ABSENCE: ROUTINE}

RULE_LABELS = {Rule.CRAVING_HIGH: N_("Strong craving"), Rule.USE_REPORTED: N_("Use reported"),
               Rule.MOOD_DROP: N_("Mood drop"), Rule.SELF_HARM: N_("Self-harm answer"),
               Rule.SELF_HARM_UNANSWERED: N_("Item 9 not answered"),
               Rule.COMBINED_RISK: N_("Use with low mood"),
               Rule.SEVERE_SCORE: N_("Severe score"), Rule.WORSENING: N_("Worsening score"),
               Rule.NO_CHECKIN: N_("No check-in"), Rule.ABSENCE: N_("Missed group")}


def tier_of(flag: Flag) -> Tier:
    """The flag's tier (an unknown key reads as routine, never as nothing)."""
    return TIERS.get(flag.tier, ROUTINE)


def label_of(flag: Flag) -> str:
    """The rule's name in this run's language ("Strong craving", "Ganas de consumir fuertes")."""
    label = RULE_LABELS.get(flag.rule)
    return gettext(label) if label else flag.rule


# --- Reasons: a code and its parameters, drawn in the reader's language ---------------------
# Each reason's English is its msgid; `reason` on the row keeps the English as written, and
# `reason_params` the code and parameters it was made from, so a Spanish-reading therapist
# reads it in Spanish. Rows older than reason_params are read back through the same
# templates (`_legacy_params`); one that matches none is shown as it was stored.

REASONS = {
    "checkin_craving": N_("Check-in craving {value}/10"),
    "checkin_use": N_("Use reported in the daily check-in"),
    "checkin_use_after_run": N_("Use reported in the daily check-in after {run} use-free "
                                "check-in days"),
    "mood_drop": N_("Mood {mood}/10, {drop} below the 14-day average of {baseline}"),
    "craving_logged": N_("Craving logged at {value}/10"),
    "craving_use": N_("A craving episode ended in use"),
    "craving_use_after_run": N_("A craving episode ended in use after {run} use-free check-in "
                                "days"),
    "combined_today": N_("The same day: a use, mood {mood}/10 — check on safety today"),
    "combined_now": N_("The same day: a use, mood {mood}/10 and a craving of {craving}/10 — "
                       "check on safety now"),
    "self_harm": N_("{instrument} item {item} answered {answer} (thoughts of death or "
                    "self-harm): follow up today"),
    "self_harm_blank": N_("{instrument} item {item} (thoughts of death or self-harm) left "
                          "blank: the client was offered it again with the crisis lines; check "
                          "in today"),
    "severe": N_("{instrument} {scale} {value} ({band})"),
    "worsening": N_("{instrument} {scale} rose from {before} to {value}"),
    "no_checkin_since": N_("No check-in since {day}"),
    "no_checkin_ever": N_("No check-in since joining the program"),
    "absence": N_("Missed {group}, {day} (not excused)"),
}
_DAY = "%a %b %-d"  # a day inside an English reason ("Mon Mar 1")


@dataclass(frozen=True)
class Reason:
    """Why a flag was raised: `code` (a key of REASONS) and its parameters, kept as data
    (numbers, ISO days, an instrument's and scale's ids): never a sentence."""
    code: str
    params: dict

    @property
    def english(self) -> str:
        return _render(self.code, self.params, "en")


def reason(code: str, **params) -> Reason:
    return Reason(code, {k: (v.isoformat() if isinstance(v, date) else v)
                         for k, v in params.items()})


def _instrument_words(params: dict, language: str):
    """(title, scale label, band label) of an instrument reason's parameters, in `language`
    where the instrument's file has it."""
    from companion import instruments

    try:
        instrument = instruments.get(params["instrument"])
    except Exception:  # an instrument since removed: its id stands in
        return params.get("instrument", ""), params.get("scale", ""), ""
    scale = next((sc for sc in instrument.scales if sc.id == params.get("scale")),
                 instrument.scales[0])
    label = scale.label
    if language != "en" and hasattr(instrument, "scale_label"):
        label = instrument.scale_label(scale, language)
    band = scale.band(params.get("value"))
    band_label = band.label if band else ""
    if band and language != "en" and hasattr(instrument, "band_words"):
        band_label = instrument.band_words(scale, band, language)[0]
    return instrument.title, label.lower(), band_label.lower()


def _render(code: str, params: dict, language: str) -> str:
    from companion import i18n

    template = i18n.translations(language).gettext(REASONS[code])
    values = dict(params)
    if "day" in values and values["day"]:
        day = date.fromisoformat(values["day"])
        values["day"] = (f"{day:{_DAY}}" if language == "en"
                         else i18n.format_short_day(day, language))
    if "instrument" in values:
        values["instrument"], values["scale"], values["band"] = _instrument_words(values,
                                                                                  language)
    for key in ("drop", "baseline"):
        if key in values:
            values[key] = f"{float(values[key]):.1f}"
    return template.format(**values)


@lru_cache(maxsize=1)
def _legacy_patterns() -> list[tuple[str, re.Pattern]]:
    """Each English template as a pattern, its placeholders captured (old rows), the one with
    the most fixed words first ("… after {run} use-free …" before the bare use reasons, and
    "Missed {group}, {day} (not excused)" before "{instrument} {scale} {value} ({band})")."""
    found = []
    for code, template in REASONS.items():
        pattern, last = "", 0
        for match in re.finditer(r"\{(\w+)\}", template):
            pattern += re.escape(template[last:match.start()]) + f"(?P<{match.group(1)}>.+?)"
            last = match.end()
        fixed = len(re.sub(r"\{\w+\}", "", template))
        found.append((fixed, code, re.compile("^" + pattern + re.escape(template[last:]) + "$")))
    return [(code, pattern) for _fixed, code, pattern in sorted(found, key=lambda f: -f[0])]


def _legacy_params(flag: Flag) -> dict | None:
    """The code and parameters of a reason stored as English only (a row older than
    reason_params), or None when it reads as no template (it is then shown as stored)."""
    for code, pattern in _legacy_patterns():
        match = pattern.match(flag.reason or "")
        if match:
            params = _legacy_values(flag, code, match.groupdict())
            if params is not None:
                return params
    return None


def _legacy_values(flag: Flag, code: str, params: dict) -> dict | None:
    """A template's captured English back to data (an ISO day, ids, numbers), or None when
    they don't read as such (another template may)."""
    from datetime import datetime

    from companion import instruments
    from companion.core.timeutil import to_clinic

    params = {"code": code, **params}
    if "day" in params:  # "Mon Mar 1": the year is the raising's, or the one before
        year = to_clinic(flag.raised_at).year if flag.raised_at else None
        for candidate in (year, year - 1) if year else ():
            try:
                params["day"] = datetime.strptime(f"{params['day']} {candidate}",
                                                  "%a %b %d %Y").date().isoformat()
                break
            except ValueError:
                continue
        else:
            return None
    if "instrument" in params:  # the title and lower-cased labels back to ids
        instrument = next((i for i in instruments.load_all().values()
                           if i.title == params["instrument"]), None)
        if instrument is None:
            return None
        params["instrument"] = instrument.id
        if "scale" in params:
            scale = next((sc for sc in instrument.scales
                          if sc.label.lower() == params["scale"]), None)
            if scale is None:
                return None
            params["scale"] = scale.id
        params.pop("band", None)
    for key in ("value", "before", "answer", "run", "mood", "craving"):
        if key in params:
            try:
                params[key] = int(params[key])
            except ValueError:
                return None
    for key in ("drop", "baseline"):
        if key in params:
            try:
                params[key] = float(params[key])
            except ValueError:
                return None
    return params


def reason_of(flag: Flag, language: str | None = None) -> str:
    """Why the flag was raised, in `language` (default: this run's): in English the stored
    words; in another language drawn from its code and parameters, or an old row's English
    read back through the templates, else as stored."""
    from companion import i18n

    language = i18n.normalise(language) or i18n.current()
    if language == i18n.DEFAULT:  # English: the words the flag was raised with, as stored
        return flag.reason
    params = flag.reason_params or _legacy_params(flag)
    if not params or params.get("code") not in REASONS:
        return flag.reason
    try:
        return _render(params["code"], {k: v for k, v in params.items() if k != "code"},
                       language)
    except (KeyError, ValueError, IndexError, TypeError):
        return flag.reason


def sort_key(flag: Flag) -> tuple:
    """Triage order: open before handled; most urgent tier first; then open flags the
    longest-waiting first, handled ones the newest first."""
    at = flag.raised_at.timestamp()
    handled = flag.acknowledged_at is not None
    return (handled, tier_of(flag).rank, -at if handled else at)


def tier_rank(column=Flag.tier):
    """The tier's rank as SQL, for ORDER BY and WHERE (unknown keys rank as routine)."""
    return case({t.key: t.rank for t in TIERS.values()}, value=column, else_=ROUTINE.rank)


def _already_raised(session: Session, client_id: int, rule: str, kind: str,
                    source_ids: list[int], tier: Tier) -> bool:
    """A flag of this rule on this record at this tier or a more urgent one."""
    stmt = select(Flag.id).where(Flag.client_id == client_id, Flag.rule == rule,
                                 Flag.source_kind == kind, col(Flag.source_id).in_(source_ids),
                                 tier_rank() <= tier.rank)
    return session.exec(stmt).first() is not None


def raise_flag(session: Session, client_id: int, rule: str, reason: "str | Reason", kind: str,
               source_id: int, same_record_ids: list[int] | None = None,
               tier: Tier | None = None) -> Flag | None:
    """Raise once per record and tier: earlier versions of the same record count as the
    same; a more urgent reading of the same record (an edit that adds a use) raises anew.
    `reason`: a `Reason` (kept as its code and parameters, and its English), or plain text."""
    tier = tier or RULE_TIERS[rule]
    if _already_raised(session, client_id, rule, kind, same_record_ids or [source_id], tier):
        return None
    params = {"code": reason.code, **reason.params} if isinstance(reason, Reason) else None
    text = reason.english if isinstance(reason, Reason) else reason
    flag = Flag(client_id=client_id, rule=rule, reason=text[:300], reason_params=params,
                source_kind=kind, source_id=source_id, tier=tier.key)
    session.add(flag)
    return flag


def use_tier(session: Session, client_id: int, day: date) -> tuple[Tier, int]:
    """Same day after a use-free run (a slip after abstinence), routine otherwise; and the
    run's length, for the reason."""
    run = use_free_days_before(session, client_id, day)
    return (SAME_DAY if run >= USE_FREE_RUN_DAYS else ROUTINE), run


def _use_reason(code: str, run: int) -> Reason:
    """`checkin_use` / `craving_use`, "… after {run} use-free check-in days" after a run."""
    return reason(f"{code}_after_run", run=run) if run >= USE_FREE_RUN_DAYS else reason(code)


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


def _mood_is_low(session: Session, checkin: CheckIn) -> bool:
    baseline = mood_baseline(session, checkin.client_id, checkin.day)
    return checkin.mood <= MOOD_LOW or (baseline is not None
                                        and checkin.mood <= baseline - MOOD_DROP)


def for_checkin(session: Session, checkin: CheckIn, version_ids: list[int]) -> list[Flag]:
    raised = []
    if checkin.craving >= CRAVING_HIGH:
        raised.append(raise_flag(session, checkin.client_id, Rule.CRAVING_HIGH,
                                 reason("checkin_craving", value=checkin.craving), "checkin",
                                 checkin.id, version_ids))
    if checkin.used == "yes":
        tier, run = use_tier(session, checkin.client_id, checkin.day)
        raised.append(raise_flag(session, checkin.client_id, Rule.USE_REPORTED,
                                 _use_reason("checkin_use", run),
                                 "checkin", checkin.id, version_ids, tier))
    baseline = mood_baseline(session, checkin.client_id, checkin.day)
    if baseline is not None and checkin.mood <= baseline - MOOD_DROP:
        raised.append(raise_flag(session, checkin.client_id, Rule.MOOD_DROP,
                                 reason("mood_drop", mood=checkin.mood,
                                        drop=baseline - checkin.mood, baseline=baseline),
                                 "checkin", checkin.id,
                                 version_ids))
    raised.append(combined_risk(session, checkin.client_id, checkin.day))
    return [f for f in raised if f is not None]


def for_craving(session: Session, craving: Craving) -> list[Flag]:
    raised = []
    if craving.intensity >= CRAVING_HIGH:
        raised.append(raise_flag(session, craving.client_id, Rule.CRAVING_HIGH,
                                 reason("craving_logged", value=craving.intensity), "craving",
                                 craving.id))
    if craving.outcome == "used":
        tier, run = use_tier(session, craving.client_id, craving.local_day)
        raised.append(raise_flag(session, craving.client_id, Rule.USE_REPORTED,
                                 _use_reason("craving_use", run),
                                 "craving", craving.id, tier=tier))
    raised.append(combined_risk(session, craving.client_id, craving.local_day))
    return [f for f in raised if f is not None]


def combined_risk(session: Session, client_id: int, day: date) -> Flag | None:
    """The escalation (see the module's docstring): a use and a low mood on the same day,
    from the day's check-in and its craving log; urgent when a craving of 8+ is with them.
    Needs the day's check-in (mood is only asked there); one flag per day and tier."""
    versions = list(session.exec(select(CheckIn).where(CheckIn.client_id == client_id,
                                                       CheckIn.day == day)))
    checkin = next((c for c in versions if c.is_current), None)
    if checkin is None:
        return None
    logged = session.exec(select(func.max(Craving.intensity),
                                 func.sum(case((Craving.outcome == "used", 1), else_=0)))
                          .where(Craving.client_id == client_id, Craving.local_day == day)).one()
    craving = max(checkin.craving, logged[0] or 0)
    used = checkin.used == "yes" or bool(logged[1])
    if not used or not _mood_is_low(session, checkin):
        return None
    high = craving >= CRAVING_HIGH
    why = (reason("combined_now", mood=checkin.mood, craving=craving) if high
           else reason("combined_today", mood=checkin.mood))
    return raise_flag(session, client_id, Rule.COMBINED_RISK, why, "checkin", checkin.id,
                      [c.id for c in versions], URGENT if high else SAME_DAY)


def for_measure(session: Session, response, instrument, scored, previous: dict | None
                ) -> list[Flag]:
    """A risk item above 0 (PHQ-9 item 9) is urgent; left blank, same day; a severe total
    is same day and a rise of the instrument's `worsening_points` since the last one
    routine."""
    raised = []
    for item_id in scored.risk_items:
        raised.append(raise_flag(
            session, response.client_id, Rule.SELF_HARM,
            reason("self_harm", instrument=instrument.id, item=item_id,
                   answer=response.answers[item_id]),
            "measure", response.id))
    for item_id in scored.risk_unanswered:  # never read as 0: asked again, and a person checks
        raised.append(raise_flag(
            session, response.client_id, Rule.SELF_HARM_UNANSWERED,
            reason("self_harm_blank", instrument=instrument.id, item=item_id),
            "measure", response.id))
    for scale in instrument.scales:
        value = scored.values.get(scale.id)
        if value is None:
            continue
        if scale.severe_from is not None and value >= scale.severe_from:
            raised.append(raise_flag(session, response.client_id, Rule.SEVERE_SCORE,
                                     reason("severe", instrument=instrument.id,
                                            scale=scale.id, value=value), "measure",
                                     response.id))
        before = (previous or {}).get(scale.id)
        if (scale.worsening_points is not None and before is not None
                and value - before >= scale.worsening_points):
            raised.append(raise_flag(session, response.client_id, Rule.WORSENING,
                                     reason("worsening", instrument=instrument.id,
                                            scale=scale.id, before=before, value=value),
                                     "measure", response.id))
    return [f for f in raised if f is not None]


def for_missing_checkins(session: Session, client_ids: list[int], today: date,
                         last: dict | None = None, in_program: list | None = None,
                         open_already: set[int] | None = None) -> list[Flag]:
    """Clients in the program with no check-in for `NO_CHECKIN_DAYS` days (counting from
    enrolment when they never checked in); one open flag at a time per client. `last`,
    `in_program` ((client id, enrolled at) of those with the client role) and `open_already`
    (clients with an open flag of this rule): when the caller already read them."""
    from companion.models import Enrolment, User  # local: models import nothing from here

    if not client_ids:
        return []
    cutoff = today - timedelta(days=NO_CHECKIN_DAYS)
    if last is None:  # each client's newest check-in day
        last = dict(session.exec(
            select(CheckIn.client_id, func.max(CheckIn.day))
            .where(col(CheckIn.client_id).in_(client_ids)).group_by(CheckIn.client_id)).all())
    if open_already is None:
        open_already = set(session.exec(
            select(Flag.client_id).where(col(Flag.client_id).in_(client_ids),
                                         Flag.rule == Rule.NO_CHECKIN,
                                         col(Flag.acknowledged_at).is_(None))))
    if in_program is None:
        in_program = session.exec(
            select(Enrolment.client_id, Enrolment.enrolled_at)
            .join(User, User.id == Enrolment.client_id)
            .where(col(Enrolment.client_id).in_(client_ids), User.role == "client")).all()
    raised = []
    for client_id, enrolled_at in in_program:
        since = last.get(client_id)
        start = since or enrolled_at.date()
        if start > cutoff or client_id in open_already:
            continue
        why = (reason("no_checkin_since", day=since) if since
               else reason("no_checkin_ever"))
        flag = Flag(client_id=client_id, rule=Rule.NO_CHECKIN, reason=why.english,
                    reason_params={"code": why.code, **why.params},
                    source_kind="checkin", source_id=None,
                    tier=RULE_TIERS[Rule.NO_CHECKIN].key)
        session.add(flag)
        raised.append(flag)
    return raised


# --- Reading and acknowledging (therapists) ------------------------------------------------

ACK_NOTE_MAX = 500


def for_client(session: Session, actor, client_id: int, include_acknowledged: bool = True,
               since=None) -> list[Flag]:
    """A client's flags in `sort_key` order: open ones by tier, the longest-waiting first;
    then (by default) the handled history, newest first."""
    from companion.access import Action, RecordKind, authorize

    authorize(session, actor, client_id, RecordKind.FLAG, Action.READ, "flags")
    stmt = select(Flag).where(Flag.client_id == client_id)
    if not include_acknowledged:
        stmt = stmt.where(col(Flag.acknowledged_at).is_(None))
    if since is not None:
        stmt = stmt.where(Flag.raised_at >= since)
    return sorted(session.exec(stmt), key=sort_key)  # one client's flags: a short list


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
    textrules.require_length(note, ACK_NOTE_MAX, subject=_("The note"))
    textrules.require(note, subject=_("The note"))
    if flag.acknowledged_at is not None:
        raise InvalidInput("This flag was already acknowledged.")
    flag.acknowledged_by, flag.acknowledged_at, flag.ack_note = actor.id, utcnow(), note
    session.add(flag)
    return flag


UNDO_SECONDS = 60  # an acknowledgement can be taken back this long, by whoever made it


def acknowledge_many(session: Session, actor, flag_ids: list[int], note: str) -> list[Flag]:
    """One note for several open flags of the same client (one call, one client: a note
    about Robin never lands on Sam's flag). All or none."""
    from companion.core.errors import InvalidInput

    ids = sorted(set(flag_ids))
    if not ids:
        raise InvalidInput("Please tick at least one flag to acknowledge.")
    clients = set(session.exec(select(Flag.client_id).where(col(Flag.id).in_(ids))))
    if len(clients) > 1:
        raise InvalidInput("One note covers the flags of one client; please acknowledge "
                           "each client's flags on their own.")
    return [acknowledge(session, actor, flag_id, note) for flag_id in ids]


def undo_acknowledge(session: Session, actor, flag_ids: list[int]) -> list[Flag]:
    """Reopen flags the actor acknowledged less than `UNDO_SECONDS` ago (a mis-tap); both
    the acknowledgement and its undoing stay in the audit trail."""
    from companion.access import Action, RecordKind, authorize
    from companion.core.errors import InvalidInput
    from companion.core.timeutil import utcnow

    reopened = []
    now = utcnow()
    for flag in session.exec(select(Flag).where(col(Flag.id).in_(sorted(set(flag_ids))))):
        authorize(session, actor, flag.client_id, RecordKind.FLAG, Action.WRITE,
                  f"undid acknowledging flag {flag.id}")
        at = flag.acknowledged_at
        if at is not None and at.tzinfo is None:  # SQLite hands back naive UTC
            at = at.replace(tzinfo=timezone.utc)
        if (flag.acknowledged_by != actor.id or at is None
                or (now - at).total_seconds() > UNDO_SECONDS):
            raise InvalidInput("That acknowledgement can no longer be undone (only its author "
                               f"can, within {UNDO_SECONDS} seconds).")
        flag.acknowledged_by, flag.acknowledged_at, flag.ack_note = None, None, ""
        session.add(flag)
        reopened.append(flag)
    return reopened


def history(session: Session, actor, client_id: int) -> list[tuple[Flag, str | None]]:
    """A client's flags, open first, each with the name of who acknowledged it (audited as
    a read of the client's flags)."""
    from companion.models import User

    found = for_client(session, actor, client_id)
    by_ids = {f.acknowledged_by for f in found if f.acknowledged_by}
    names = dict(session.exec(select(User.id, User.display_name)
                              .where(col(User.id).in_(by_ids))).all()) if by_ids else {}
    return [(f, names.get(f.acknowledged_by)) for f in found]


# --- Group attendance (groups issue) ---------------------------------------------------------


def for_absence(session: Session, attendance, version_ids: list[int], group: str,
                day: date) -> Flag | None:
    """An unexcused absence from group: one flag per attendance record (its corrections
    count as the same record). `group` is the session's title, `day` its clinic day
    ("Missed Process group, Mon Mar 1 (not excused)")."""
    if attendance.status != "absent":
        return None
    return raise_flag(session, attendance.client_id, Rule.ABSENCE,
                      reason("absence", group=group, day=day), "attendance", attendance.id,
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
