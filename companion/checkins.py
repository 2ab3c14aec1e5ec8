"""Daily check-ins: one per client per clinic day, editable that day and the next; every
save keeps the earlier versions."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sqlmodel import Session, col, select

from companion import flags, support, tags
from companion.access import Action, RecordKind, authorize
from companion.actors import Actor
from companion.clinic import get_clinic
from companion.core import textrules, versions
from companion.i18n import N_, _, format_list, gettext
from companion.core.errors import FormErrors, InvalidInput
from companion.models import CheckIn, Flag
from companion.support import Support
from companion.core.timeutil import clinic_today

USED_CHOICES = {"no": "No", "yes": "Yes", "prefer_not": "Prefer not to say"}
MEDICATION_CHOICES = {"yes": "Yes", "no": "No"}
NOTE_MAX, BRING_MAX, DETAILS_MAX = 1000, 280, 500


@dataclass
class CheckInEntry:
    """What the form collects. Lists hold labels from the clinic's lists. Mood, craving,
    stress and use start unanswered (None): they feed the therapist's flags, so a save
    never takes them from another day or from a default."""

    mood: int | None = None
    craving: int | None = None
    stress: int | None = None
    sleep_hours: float = 7.0
    sleep_quality: int = 3
    used: str | None = None
    substances: list[str] = field(default_factory=list)
    use_details: str = ""
    triggers: list[str] = field(default_factory=list)
    new_trigger: str = ""
    skills: list[str] = field(default_factory=list)
    medication: str | None = None
    note: str = ""
    bring_to_group: str = ""


@dataclass(frozen=True)
class SaveResult:
    checkin: CheckIn
    flags: list[Flag]
    support: "Support | None"


def editable_days(today: date | None = None) -> tuple[date, date]:
    today = today or clinic_today()
    return today, today - timedelta(days=1)


# The answers a check-in needs, as a kind message names them, and what it says beside each.
# Marked for the catalog here, translated when a message is made (in the reader's language).
REQUIRED = {
    "mood": (N_("your mood"), N_("How is your mood today? Choose 1 (very low) to 10 (great).")),
    "craving": (N_("craving"), N_("How strong was any craving today? Choose 0 (none) to 10.")),
    "stress": (N_("anxiety or stress"),
               N_("How much anxiety or stress? Choose 0 (none) to 10.")),
    "used": (N_("whether you used today"), N_("Did you use today? Choose an answer — "
                                              "“Prefer not to say” is fine too.")),
}


def _missing(entry: CheckInEntry) -> FormErrors | None:
    """The answers left unanswered, named in one kind message and beside each field."""
    missing = [name for name in REQUIRED if getattr(entry, name) is None]
    if not missing:
        return None
    listed = format_list([gettext(REQUIRED[name][0]) for name in missing])
    return FormErrors({name: gettext(REQUIRED[name][1]) for name in missing},
                      _("Almost there: please answer {answers}. Nothing was saved yet, and "
                        "everything you typed is still here.").format(answers=listed))


def validate(session: Session, client_id: int, entry: CheckInEntry) -> CheckInEntry:
    missing = _missing(entry)
    errors: dict[str, str] = dict(missing.fields) if missing else {}
    for name, low, high in (("mood", 1, 10), ("craving", 0, 10), ("stress", 0, 10),
                            ("sleep_quality", 1, 5)):
        value = getattr(entry, name)
        if name in errors:
            continue
        if not isinstance(value, int) or not low <= value <= high:
            errors[name] = _("Choose a number from {low} to {high}.").format(low=low, high=high)
    if not isinstance(entry.sleep_hours, (int, float)) or not 0 <= entry.sleep_hours <= 24:
        errors["sleep_hours"] = _("Hours of sleep go from 0 to 24.")
    if entry.used is not None and entry.used not in USED_CHOICES:
        errors["used"] = _("Choose one of the answers.")
    if entry.medication not in (None, *MEDICATION_CHOICES):
        errors["medication"] = _("Choose yes, no, or leave it blank.")
    entry.use_details = textrules.clean(entry.use_details)
    entry.note = textrules.clean(entry.note)
    entry.bring_to_group = textrules.clean(entry.bring_to_group)
    entry.new_trigger = textrules.clean(entry.new_trigger)
    for name, multiline in (("use_details", True), ("note", True), ("bring_to_group", False),
                            ("new_trigger", False)):  # as typed, before spaces are joined
        textrules.check(errors, name, getattr(entry, name), multiline=multiline)
    entry.new_trigger = " ".join(entry.new_trigger.split())
    textrules.check_length(errors, "use_details", entry.use_details, DETAILS_MAX,
                           subject=_("Your details of what you used"))
    textrules.check_length(errors, "note", entry.note, NOTE_MAX, subject=_("Your note"))
    textrules.check_length(errors, "bring_to_group", entry.bring_to_group, BRING_MAX,
                           subject=_("What you want to bring to group"))
    textrules.check_length(errors, "new_trigger", entry.new_trigger, tags.MAX_LABEL,
                           subject=_("The trigger in your words"))
    if entry.used != "yes":
        entry.substances, entry.use_details = [], ""
    tags.check_labels(errors, "substances", entry.substances, list(get_clinic().substances))
    tags.check_labels(errors, "triggers", entry.triggers,
                      tags.trigger_options(session, client_id))
    tags.check_labels(errors, "skills", entry.skills, tags.coping_options(session, client_id))
    if errors:
        raise FormErrors(errors, str(missing) if missing else None)
    return entry


def current(session: Session, actor: Actor, client_id: int, day: date) -> CheckIn | None:
    authorize(session, actor, client_id, RecordKind.CHECKIN, Action.READ, f"check-in {day}")
    return _current(session, client_id, day)


def _current(session: Session, client_id: int, day: date) -> CheckIn | None:
    return versions.current(session, VERSIONS, {"client_id": client_id, "day": day})


def history(session: Session, actor: Actor, client_id: int, day: date) -> list[CheckIn]:
    """Every saved version of one day's check-in, newest first."""
    authorize(session, actor, client_id, RecordKind.CHECKIN, Action.READ,
              f"check-in history {day}")
    return versions.history(session, VERSIONS, {"client_id": client_id, "day": day})


def entry_of(session: Session, checkin: CheckIn) -> CheckInEntry:
    """The form values of a saved check-in (to edit it)."""
    found = tags.tags_of(session, "checkin", checkin.id)
    return CheckInEntry(
        mood=checkin.mood, craving=checkin.craving, stress=checkin.stress,
        sleep_hours=checkin.sleep_hours, sleep_quality=checkin.sleep_quality,
        used=checkin.used, substances=found.get("substance", []),
        use_details=checkin.use_details, triggers=found.get("trigger", []),
        skills=found.get("skill", []), medication=checkin.medication, note=checkin.note,
        bring_to_group=checkin.bring_to_group)


def _content(entry: CheckInEntry) -> versions.Content:
    """A check-in as it is stored, by the names a stale-edit message uses."""
    return {N_("Mood"): entry.mood, N_("Craving"): entry.craving, N_("Stress"): entry.stress,
            N_("Hours of sleep"): float(entry.sleep_hours),
            N_("Sleep quality"): entry.sleep_quality, N_("Use"): entry.used,
            N_("What was used"): sorted(set(entry.substances)),
            N_("Use details"): entry.use_details, N_("Triggers"): sorted(set(entry.triggers)),
            N_("Skills"): sorted(set(entry.skills)), N_("Medication"): entry.medication,
            N_("Note"): entry.note, N_("Bring to group"): entry.bring_to_group}


VERSIONS = versions.Versioned(
    CheckIn, lambda session, row: _content(entry_of(session, row)),
    stale=N_("This check-in was saved from another screen since you opened it{changed}. Your "
             "answers are still here: review the latest, then save again."),
    parallel=N_("This check-in was just saved from another screen{changed}. Your answers are "
                "still here: review the latest, then save again."),
    blank=_content(CheckInEntry()))  # a first save elsewhere: what it set, against a blank form


def defaults(session: Session, actor: Actor) -> CheckInEntry:
    """A new day's form: mood, craving, stress and use unanswered; only what rarely changes
    (medication, and sleep as a starting point to adjust) from the latest check-in."""
    authorize(session, actor, actor.id, RecordKind.CHECKIN, Action.READ)
    stmt = (select(CheckIn).where(CheckIn.client_id == actor.id,
                                  col(CheckIn.is_current).is_(True),
                                  CheckIn.day >= clinic_today() - timedelta(days=7))
            .order_by(col(CheckIn.day).desc()))
    last = session.exec(stmt).first()
    if last is None:
        return CheckInEntry()
    return CheckInEntry(sleep_hours=last.sleep_hours, sleep_quality=last.sleep_quality,
                        medication=last.medication)


def record_checkin(session: Session, actor: Actor, entry: CheckInEntry, *,
                   day: date | None = None, expected_version: int | None = None) -> SaveResult:
    """Save today's (or yesterday's) check-in as a new version.

    `expected_version` is the version the form was loaded with (0 for none): if someone
    saved since, `StaleEdit` is raised and nothing is written. The same answers as the
    current version (a double-tapped Save) write nothing and return the current version.
    """
    authorize(session, actor, actor.id, RecordKind.CHECKIN, Action.WRITE)
    day = day or clinic_today()
    if day not in editable_days():
        raise InvalidInput(_("A check-in can be changed on its day and the day after."))
    entry = validate(session, actor.id, entry)
    # What is stored: the trigger typed in the box joins the chosen ones.
    stored = replace(entry, new_trigger="", triggers=list(dict.fromkeys(
        [*entry.triggers, *([entry.new_trigger] if entry.new_trigger else [])])))
    saved = versions.save(
        session, VERSIONS, {"client_id": actor.id, "day": day}, _content(stored),
        expected_version=expected_version,
        new_row=lambda number: CheckIn(
            client_id=actor.id, day=day, version=number, mood=entry.mood,
            craving=entry.craving, stress=entry.stress, sleep_hours=float(entry.sleep_hours),
            sleep_quality=entry.sleep_quality, used=entry.used, use_details=entry.use_details,
            medication=entry.medication, note=entry.note, bring_to_group=entry.bring_to_group))
    checkin = saved.row
    if not saved.created:  # flags were raised when it was saved; the support still fits
        return SaveResult(checkin, [], support.for_checkin(session, checkin))
    if entry.new_trigger:
        tags.remember_trigger(session, actor.id, entry.new_trigger)
    for tag_type, labels in (("trigger", stored.triggers), ("skill", entry.skills),
                             ("substance", entry.substances)):
        tags.add_tags(session, actor.id, "checkin", checkin.id, day, tag_type, labels)
    version_ids = [c.id for c in session.exec(select(CheckIn).where(
        CheckIn.client_id == actor.id, CheckIn.day == day))]
    raised = flags.for_checkin(session, checkin, version_ids)
    return SaveResult(checkin, raised, support.for_checkin(session, checkin))


def days_with_checkin(session: Session, actor: Actor, client_id: int, start: date,
                      end: date) -> set[date]:
    authorize(session, actor, client_id, RecordKind.CHECKIN, Action.READ, "calendar")
    stmt = select(CheckIn.day).where(CheckIn.client_id == client_id,
                                     col(CheckIn.is_current).is_(True),
                                     CheckIn.day >= start, CheckIn.day <= end)
    return set(session.exec(stmt))


def in_period(session: Session, actor: Actor, client_id: int, start: date,
              end: date | None = None) -> list[CheckIn]:
    """The current check-ins from `start` (to `end`), newest first: what the record's
    "since last session" shows (notes, use details, "bring to group" lines)."""
    authorize(session, actor, client_id, RecordKind.CHECKIN, Action.READ,
              f"check-ins since {start}")
    stmt = select(CheckIn).where(CheckIn.client_id == client_id,
                                 col(CheckIn.is_current).is_(True), CheckIn.day >= start)
    if end is not None:
        stmt = stmt.where(CheckIn.day <= end)
    return list(session.exec(stmt.order_by(col(CheckIn.day).desc())))
