"""Measurement-based care: which questionnaires are due, answering them, their history."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlmodel import Session, col, select

from companion import flags, instruments
from companion.access import Action, RecordKind, authorize
from companion.actors import Actor
from companion.core.errors import InvalidInput
from companion.i18n import N_, _, gettext, ngettext
from companion.instruments import Instrument, InstrumentError, Scored
from companion.models import Flag, MeasureResponse
from companion.core.timeutil import clinic_today, to_clinic, utcnow


@dataclass(frozen=True)
class Due:
    instrument: Instrument
    form: str

    @property
    def label(self) -> str:
        form = self.instrument.form_label(self.form)
        return self.instrument.short + (f" · {form}" if form else "")


@dataclass(frozen=True)
class MeasureSaved:
    response: MeasureResponse
    scored: Scored
    flags: list[Flag]

    @property
    def risk(self) -> bool:
        return bool(self.scored.risk_items)

    @property
    def risk_unanswered(self) -> bool:
        """A risk item (PHQ-9 item 9) was left blank: ask again, gently, and flag same day."""
        return bool(self.scored.risk_unanswered)


def _last_days(session: Session, client_id: int) -> dict[tuple[str, str], date]:
    stmt = (select(MeasureResponse.instrument, MeasureResponse.form,
                   MeasureResponse.local_day)
            .where(MeasureResponse.client_id == client_id))
    last: dict[tuple[str, str], date] = {}
    for instrument, form, day in session.exec(stmt):
        last[(instrument, form)] = max(day, last.get((instrument, form), day))
    return last


@dataclass(frozen=True)
class Scheduled:
    """One schedule rule applied to a person: the form and the day it is (or was) due."""
    instrument_id: str
    form: str
    due_on: date


def scheduled(last: dict[tuple[str, str], date], role: str, start: date) -> list[Scheduled]:
    """Each rule of `schedule.toml` for `role`, given the last day of each form (`last`) and
    the day a never-answered form counts from (`start`: today, or the day of enrolment)."""
    found = []
    for rule in instruments.schedule():
        if role not in rule["roles"]:
            continue
        key = (rule["instrument"], rule.get("form", ""))
        since = last.get(key)
        if "after_intake_of" in rule:  # counts from the intake form as well
            intake = last.get((rule["instrument"], rule["after_intake_of"]))
            if intake is None:
                continue
            since = max(d for d in (since, intake) if d)
        if rule.get("intake"):
            if key in last:
                continue
            due_on = start
        else:
            due_on = start if since is None else since + timedelta(days=rule["every_days"])
        found.append(Scheduled(key[0], key[1], due_on))
    return found


def due(session: Session, actor: Actor, today: date | None = None) -> list[Due]:
    """The questionnaires due for this client or alumnus today, per `schedule.toml`."""
    authorize(session, actor, actor.id, RecordKind.MEASURE, Action.READ)
    today = today or clinic_today()
    found = []
    for rule in scheduled(_last_days(session, actor.id), actor.role.value, today):
        if rule.due_on <= today and all(d.instrument.id != rule.instrument_id for d in found):
            found.append(Due(instruments.get(rule.instrument_id), rule.form))
    return found


def submit(session: Session, actor: Actor, instrument_id: str, answers: dict[str, int | None],
           form: str = "") -> MeasureSaved:
    """Score and keep a completed questionnaire; raise flags by the instrument's rules."""
    authorize(session, actor, actor.id, RecordKind.MEASURE, Action.WRITE)
    try:
        instrument = instruments.get(instrument_id)
        scored = instruments.score(instrument, answers, form)
    except InstrumentError as exc:
        raise InvalidInput(_("That questionnaire couldn't be saved: {reason}.").format(
            reason=exc)) from exc
    if all(answers.get(i.id) is None for i in instrument.items(form)):
        raise InvalidInput(_("Please answer at least one question before saving."))
    previous = _latest(session, actor.id, instrument_id)
    now = utcnow()
    response = MeasureResponse(client_id=actor.id, instrument=instrument_id, form=form,
                               answers=dict(answers), scores=scored.values, completed_at=now,
                               local_day=to_clinic(now).date())
    session.add(response)
    session.flush()
    raised = flags.for_measure(session, response, instrument, scored,
                               previous.scores if previous else None)
    return MeasureSaved(response, scored, raised)


def _latest(session: Session, client_id: int, instrument_id: str) -> MeasureResponse | None:
    stmt = (select(MeasureResponse).where(MeasureResponse.client_id == client_id,
                                          MeasureResponse.instrument == instrument_id)
            .order_by(col(MeasureResponse.completed_at).desc()))
    return session.exec(stmt).first()


def history(session: Session, actor: Actor, client_id: int, instrument_id: str,
            days: int = 365) -> pd.DataFrame:
    """One row per response and scale: day, form, scale, value, band."""
    authorize(session, actor, client_id, RecordKind.MEASURE, Action.READ,
              f"{instrument_id} history")
    instrument = instruments.get(instrument_id)
    stmt = (select(MeasureResponse).where(
        MeasureResponse.client_id == client_id, MeasureResponse.instrument == instrument_id,
        MeasureResponse.local_day >= clinic_today() - timedelta(days=days))
        .order_by(MeasureResponse.completed_at))
    rows = []
    for response in session.exec(stmt):
        missing = _missing(instrument, response)
        for scale in instrument.scales:
            value = response.scores.get(scale.id)
            band = scale.band(value)
            rows.append({"day": response.local_day, "form": response.form, "scale": scale.id,
                         "label": scale.label, "value": value,
                         "band": band.label if band else "Incomplete", "id": response.id,
                         "missing": missing.get(scale.id)})
    return pd.DataFrame(rows, columns=["day", "form", "scale", "label", "value", "band", "id",
                                       "missing"])


def _missing(instrument: Instrument, response: MeasureResponse) -> dict[str, int]:
    """Items left out per scale (skips the form itself asks for don't count)."""
    try:
        return instruments.score(instrument, response.answers, response.form).missing
    except InstrumentError:  # answers kept from an older version of the file
        return {}


def latest_answers(session: Session, actor: Actor, client_id: int,
                   instrument_id: str) -> MeasureResponse | None:
    authorize(session, actor, client_id, RecordKind.MEASURE, Action.READ,
              f"{instrument_id} answers")
    return _latest(session, client_id, instrument_id)


_COUNTS = (N_("no"), N_("one"), N_("two"), N_("three"), N_("four"), N_("five"), N_("six"),
           N_("seven"), N_("eight"), N_("nine"))


def skipped_words(missing: int | None) -> str:
    """ "one question was skipped", "3 … were", never "several" for one."""
    if not missing or missing < 0:
        return _("some questions were skipped")
    count = gettext(_COUNTS[missing]) if missing < len(_COUNTS) else str(missing)
    return ngettext("{count} question was skipped", "{count} questions were skipped",
                    missing).format(count=count)


def meaning(instrument: Instrument, scale_id: str, value: int | None,
            missing: int | None = None, about: str | None = None) -> str:
    """A plain sentence about a score — never that someone is "safe". `missing`: how many of
    the scale's questions were left out (from `Scored.missing` or the history's column).
    `about`: the client's name, for staff screens (spoken about the client, never to them).
    In the reader's language (the band words from the instrument's file)."""
    scale = next(s for s in instrument.scales if s.id == scale_id)
    scale_words = instrument.scale_label(scale)
    if value is None:
        skipped = skipped_words(missing)
        if about:
            return _("{name}'s {instrument} {scale} couldn't be scored because {skipped}.").format(
                name=about, instrument=instrument.title, scale=scale_words.lower(),
                skipped=skipped)
        return _("Your {instrument} {scale} couldn't be scored because {skipped} — that's "
                 "okay.").format(instrument=instrument.title, scale=scale_words.lower(),
                                 skipped=skipped)
    label, band_meaning = instrument.band_words(scale, scale.band(value))
    if about:
        return _("{name}'s latest {instrument} {scale} is {value} (of {max}): {band} — "
                 "{meaning}.").format(name=about, instrument=instrument.title,
                                      scale=scale_words.lower(), value=value, max=scale.max,
                                      band=label.lower(), meaning=band_meaning)
    return _("Your latest {instrument} {scale} is {value} (of {max}): {band} — {meaning}. "
             "Scores are a starting point for a conversation with your therapist, not a "
             "verdict.").format(instrument=instrument.title, scale=scale_words.lower(),
                                value=value, max=scale.max, band=label.lower(),
                                meaning=band_meaning)
