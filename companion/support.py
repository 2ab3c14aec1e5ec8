"""The supportive response a client sees, in the same rerun, when a risk rule fires."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from companion import flags, tags, trends
from companion.i18n import _, ngettext
from companion.models import CheckIn, Craving, EntryTag

DEFAULT_ACTIONS = ("Urge surfing", "Called or texted someone", "Slow breathing")


@dataclass(frozen=True)
class Support:
    headline: str
    message: str
    actions: tuple[str, ...]
    offer_look_back: bool = False


def coping_actions(session: Session, client_id: int, limit: int = 3) -> tuple[str, ...]:
    """The client's own: what lowered their cravings, then what they use most."""
    works = trends.what_works_rows(session, client_id)
    chosen = [s for s, d in zip(works["strategy"], works["avg_drop"]) if d > 0][:limit]
    if len(chosen) < limit:
        stmt = (select(tags.shown_label()).where(EntryTag.client_id == client_id,
                                                 EntryTag.tag_type.in_(("coping", "skill")))
                .group_by(EntryTag.label_hash).order_by(func.count().desc()).limit(limit * 2))
        chosen += [label for label in session.exec(stmt) if label not in chosen]
    chosen += [a for a in DEFAULT_ACTIONS if a not in chosen]
    return tuple(chosen[:limit])


def is_risk(checkin: CheckIn) -> bool:
    """A check-in that fires a risk rule: a use, or a craving at or above the flag level."""
    return checkin.used == "yes" or checkin.craving >= flags.CRAVING_HIGH


def next_steps(checkin: CheckIn | None) -> str | None:
    """What Home says after a risk answer today: what happens next, in plain words."""
    if checkin is None or not is_risk(checkin):
        return None
    if checkin.used == "yes":  # two whole sentences, never one glued from pieces
        return _("You told us about a use today, and that took courage. What happens next: "
                 "your therapist will see this today and can talk it through with you — you "
                 "don't have to bring it up first. Until then, your safety plan and the "
                 "people below are here whenever you need them.")
    return _("You told us about a strong craving ({level}/10) today, and that took courage. "
             "What happens next: your therapist will see this today and can talk it through "
             "with you — you don't have to bring it up first. Until then, your safety plan "
             "and the people below are here whenever you need them.").format(
                 level=checkin.craving)


def for_checkin(session: Session, checkin: CheckIn) -> Support | None:
    if not is_risk(checkin):
        return None
    if checkin.used == "yes":
        return _after_use(session, checkin.client_id,
                          flags.use_free_days_before(session, checkin.client_id, checkin.day))
    return _strong_craving(session, checkin.client_id, checkin.craving)


def for_craving(session: Session, craving: Craving) -> Support | None:
    if craving.outcome == "used":
        return _after_use(session, craving.client_id,
                          flags.use_free_days_before(session, craving.client_id,
                                                     craving.local_day))
    if craving.intensity >= flags.CRAVING_HIGH:
        return _strong_craving(session, craving.client_id, craving.intensity)
    return None


def _strong_craving(session: Session, client_id: int, level: int) -> Support:
    return Support(
        headline=_("That's a strong craving — thank you for noticing it and writing it down."),
        message=_("At {level}/10 an urge can feel like it will never end, but urges rise, "
                  "peak and pass, usually within 20–30 minutes. Your therapist will see this "
                  "and can talk it through with you. Right now, you could try:").format(
                      level=level),
        actions=coping_actions(session, client_id))


def _after_use(session: Session, client_id: int, free_days: int) -> Support:
    # Two whole messages (with and without the run of days), never one glued from pieces.
    rest = _("A use is something to learn from, not a reason to give up. Your therapist will "
             "see this and can help you plan the next steps. If you used opioids or aren't "
             "sure what you took: don't use alone, keep naloxone near, and call 911 for anyone "
             "who is hard to wake. For now:")
    if free_days >= flags.USE_FREE_RUN_DAYS:
        rest = ngettext("You had {days} check-in day without use before this, and it still "
                        "counts. A use is something to learn from, not a reason to give up. "
                        "Your therapist will see this and can help you plan the next steps. If "
                        "you used opioids or aren't sure what you took: don't use alone, keep "
                        "naloxone near, and call 911 for anyone who is hard to wake. For now:",
                        "You had {days} check-in days without use before this, and they still "
                        "count. A use is something to learn from, not a reason to give up. "
                        "Your therapist will see this and can help you plan the next steps. If "
                        "you used opioids or aren't sure what you took: don't use alone, keep "
                        "naloxone near, and call 911 for anyone who is hard to wake. For now:",
                        free_days).format(days=free_days)
    return Support(
        headline=_("Thank you for being honest. That takes courage."),
        message=rest,
        actions=coping_actions(session, client_id), offer_look_back=True)
