"""Labels attached to entries (triggers, skills, substances, coping), one row each."""
from __future__ import annotations

from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from companion.clinic import get_clinic
from companion.models import EntryTag, PersonalTrigger
from companion.skills import practised_skill_names

MAX_LABEL = 80  # a label typed by a client: one line, checked by `companion.core.textrules`


def personal_triggers(session: Session, client_id: int) -> list[str]:
    stmt = select(PersonalTrigger.label).where(PersonalTrigger.client_id == client_id)
    return sorted(session.exec(stmt))


def trigger_options(session: Session, client_id: int) -> list[str]:
    own = [t for t in personal_triggers(session, client_id) if t not in get_clinic().triggers]
    return [*get_clinic().triggers, *own]


def coping_options(session: Session | None = None, client_id: int | None = None) -> list[str]:
    """The clinic's coping list, then (given a client) the skills they have practised in
    the skills modules, so what they learn there can be picked in check-ins and cravings."""
    options = list(get_clinic().coping)
    if session is None or client_id is None:
        return options
    return options + [s for s in practised_skill_names(session, client_id) if s not in options]


def remember_trigger(session: Session, client_id: int, label: str) -> None:
    if label in get_clinic().triggers or label in personal_triggers(session, client_id):
        return
    try:
        with session.begin_nested():
            session.add(PersonalTrigger(client_id=client_id, label=label))
    except IntegrityError:
        pass  # saved by a parallel request


def add_tags(session: Session, client_id: int, kind: str, entry_id: int, day: date,
             tag_type: str, labels: list[str]) -> None:
    for label in dict.fromkeys(labels):  # unique, in order
        session.add(EntryTag(client_id=client_id, entry_kind=kind, entry_id=entry_id,
                             tag_type=tag_type, label=label, day=day))


def tags_of(session: Session, kind: str, entry_id: int) -> dict[str, list[str]]:
    stmt = select(EntryTag.tag_type, EntryTag.label).where(EntryTag.entry_kind == kind,
                                                           EntryTag.entry_id == entry_id)
    found: dict[str, list[str]] = {}
    for tag_type, label in session.exec(stmt.order_by(EntryTag.id)):
        found.setdefault(tag_type, []).append(label)
    return found


def check_labels(errors: dict[str, str], field: str, labels: list[str],
                 allowed: list[str]) -> None:
    unknown = [label for label in labels if label not in allowed]
    if unknown:
        errors[field] = f"Not on the list: {', '.join(unknown)}."
