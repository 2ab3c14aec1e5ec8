"""The craving log: any number a day, a two-tap quick log, details, the urge-surfing timer's
result, and the follow-up "how strong is it now?" that feeds "what works for me"."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from companion import flags, support, tags
from companion.access import DENIED, Action, RecordKind, authorize
from companion.actors import Actor
from companion.core import textrules
from companion.core.errors import AccessDenied, FormErrors, InvalidInput, NotFound
from companion.models import Craving, EntryTag, Flag
from companion.support import Support
from companion.core.timeutil import to_clinic, utcnow
from companion.i18n import N_, _

# How a craving ended: marked for the catalog here, translated where shown (gettext).
OUTCOMES = {"passed": N_("It passed"), "used": N_("I used"),
            "still_there": N_("It's still there")}
FOLLOWUP_AFTER = timedelta(minutes=15)
FOLLOWUP_UNTIL = timedelta(hours=12)
DETAILS_WINDOW = timedelta(hours=24)
WHERE_MAX, WITH_MAX, NOTE_MAX = 200, 200, 1000


@dataclass
class CravingEntry:
    intensity: int = 5
    triggers: list[str] = field(default_factory=list)
    new_trigger: str = ""
    where: str = ""
    with_whom: str = ""
    coping: list[str] = field(default_factory=list)
    outcome: str | None = None
    duration_minutes: int | None = None
    surf_seconds: int | None = None
    note: str = ""


@dataclass(frozen=True)
class CravingSaved:
    craving: Craving
    flags: list[Flag]
    support: Support | None


def validate(session: Session, client_id: int, entry: CravingEntry) -> CravingEntry:
    errors: dict[str, str] = {}
    if not isinstance(entry.intensity, int) or not 0 <= entry.intensity <= 10:
        errors["intensity"] = _("Choose a number from {low} to {high}.").format(low=0, high=10)
    if entry.outcome not in (None, *OUTCOMES):
        errors["outcome"] = _("Choose one of the answers.")
    # Whole numbers only: NaN, infinity and 12.5 minutes are refused, not stored.
    if entry.duration_minutes is not None and not (
            isinstance(entry.duration_minutes, int) and 0 <= entry.duration_minutes <= 24 * 60):
        errors["duration_minutes"] = _("Minutes go from 0 to 1440 (a whole day).")
    if entry.surf_seconds is not None and not (
            isinstance(entry.surf_seconds, int) and 0 <= entry.surf_seconds <= 6 * 3600):
        errors["surf_seconds"] = _("The timer ran for an impossible time.")
    for name, limit, subject in (("where", WHERE_MAX, _("Where you were")),
                                 ("with_whom", WITH_MAX, _("Who you were with")),
                                 ("note", NOTE_MAX, _("Your note")),
                                 ("new_trigger", tags.MAX_LABEL, _("The trigger in your words"))):
        setattr(entry, name, textrules.clean(getattr(entry, name)))
        textrules.check_length(errors, name, getattr(entry, name), limit, subject=subject)
        textrules.check(errors, name, getattr(entry, name), multiline=name == "note")
    tags.check_labels(errors, "triggers", entry.triggers, tags.trigger_options(session, client_id))
    tags.check_labels(errors, "coping", entry.coping,
                      tags.coping_options(session, client_id))
    if errors:
        raise FormErrors(errors)
    return entry


def _finish(session: Session, craving: Craving, entry: CravingEntry) -> CravingSaved:
    if entry.new_trigger:
        tags.remember_trigger(session, craving.client_id, entry.new_trigger)
        entry.triggers = [*entry.triggers, entry.new_trigger]
    existing = tags.tags_of(session, "craving", craving.id)
    for tag_type, labels in (("trigger", entry.triggers), ("coping", entry.coping)):
        new = [label for label in labels if label not in existing.get(tag_type, [])]
        tags.add_tags(session, craving.client_id, "craving", craving.id, craving.local_day,
                      tag_type, new)
    raised = flags.for_craving(session, craving)
    return CravingSaved(craving, raised, support.for_craving(session, craving))


def log_craving(session: Session, actor: Actor, entry: CravingEntry,
                at: datetime | None = None) -> CravingSaved:
    authorize(session, actor, actor.id, RecordKind.CRAVING, Action.WRITE)
    entry = validate(session, actor.id, entry)
    at = at or utcnow()
    local = to_clinic(at)
    craving = Craving(client_id=actor.id, at=at, local_day=local.date(), local_hour=local.hour,
                      local_weekday=local.weekday(), intensity=entry.intensity,
                      where=entry.where, with_whom=entry.with_whom, outcome=entry.outcome,
                      duration_minutes=entry.duration_minutes, surf_seconds=entry.surf_seconds,
                      note=entry.note)
    session.add(craving)
    session.flush()
    return _finish(session, craving, entry)


def _own_recent(session: Session, actor: Actor, craving_id: int) -> Craving:
    authorize(session, actor, actor.id, RecordKind.CRAVING, Action.WRITE)
    craving = session.get(Craving, craving_id)
    if craving is None or craving.client_id != actor.id:
        raise NotFound(_("That craving entry isn't yours or no longer exists."))
    return craving


def own_craving(session: Session, actor: Actor, craving_id: int) -> Craving:
    """One of the acting client's own cravings, as stored (the details form starts from it).
    Anyone else's, a client's or not, is refused (and the refusal audited)."""
    authorize(session, actor, actor.id, RecordKind.CRAVING, Action.READ)
    craving = session.get(Craving, craving_id)
    if craving is None:
        raise NotFound(_("That craving entry no longer exists."))
    if craving.client_id != actor.id:
        # A client may read only their own: this refuses, and writes the refusal to the audit.
        authorize(session, actor, craving.client_id, RecordKind.CRAVING, Action.READ)
        raise AccessDenied(DENIED)
    return craving


def add_details(session: Session, actor: Actor, craving_id: int,
                entry: CravingEntry) -> CravingSaved:
    """Fill in what a quick log left out. Details already written are kept, not replaced:
    lists grow, and text is only set where it was empty."""
    craving = _own_recent(session, actor, craving_id)
    if utcnow() - craving.at > DETAILS_WINDOW:
        raise InvalidInput(_("Details can be added for a day after logging; log a new "
                             "craving."))
    entry = validate(session, actor.id, entry)
    for name in ("where", "with_whom", "note"):
        if getattr(entry, name) and not getattr(craving, name):
            setattr(craving, name, getattr(entry, name))
    for name in ("outcome", "duration_minutes", "surf_seconds"):
        if getattr(entry, name) is not None:
            setattr(craving, name, getattr(entry, name))
    craving.updated_at = utcnow()
    session.add(craving)
    session.flush()
    return _finish(session, craving, entry)


def record_surf(session: Session, actor: Actor, craving_id: int, seconds: int) -> Craving:
    """The urge-surfing timer: how long the wave took to pass."""
    craving = _own_recent(session, actor, craving_id)
    if not 0 <= seconds <= 6 * 3600:
        raise InvalidInput(_("The timer ran for an impossible time."))
    craving.surf_seconds = int(seconds)
    craving.outcome = craving.outcome or "passed"
    craving.updated_at = utcnow()
    session.add(craving)
    return craving


def record_followup(session: Session, actor: Actor, craving_id: int,
                    intensity: int) -> Craving:
    craving = _own_recent(session, actor, craving_id)
    if not isinstance(intensity, int) or not 0 <= intensity <= 10:
        raise InvalidInput(_("Choose a number from {low} to {high}.").format(low=0, high=10))
    if craving.followup_intensity is not None:
        raise InvalidInput(_("You already answered this one — thank you."))
    craving.followup_intensity, craving.followup_at = intensity, utcnow()
    session.add(craving)
    return craving


def pending_followups(session: Session, actor: Actor,
                      now: datetime | None = None) -> list[tuple[Craving, list[str]]]:
    """Cravings with a coping strategy, logged 15 minutes to 12 hours ago, not yet
    followed up: ask "how strong is it now?"."""
    authorize(session, actor, actor.id, RecordKind.CRAVING, Action.READ)
    now = now or utcnow()
    with_coping = select(EntryTag.entry_id).where(
        EntryTag.client_id == actor.id, EntryTag.entry_kind == "craving",
        EntryTag.tag_type == "coping")
    stmt = (select(Craving).where(Craving.client_id == actor.id,
                                  col(Craving.followup_intensity).is_(None),
                                  Craving.at <= now - FOLLOWUP_AFTER,
                                  Craving.at >= now - FOLLOWUP_UNTIL,
                                  col(Craving.id).in_(with_coping.scalar_subquery()))
            .order_by(col(Craving.at).desc()).limit(3))
    return [(c, tags.tags_of(session, "craving", c.id).get("coping", []))
            for c in session.exec(stmt)]


def recent(session: Session, actor: Actor, client_id: int, limit: int = 20) -> list[Craving]:
    authorize(session, actor, client_id, RecordKind.CRAVING, Action.READ, "craving log")
    stmt = (select(Craving).where(Craving.client_id == client_id)
            .order_by(col(Craving.at).desc()).limit(limit))
    return list(session.exec(stmt))
