"""Labels attached to entries (triggers, skills, substances, coping), one row each.

Labels are stored encrypted (a trigger a client names can say a great deal); SQL counts and
matches them by `label_hash`, a keyed hash of the normalised label, and decrypts one label
per group for display (`shown_label`).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from companion.clinic import get_clinic
from companion.core import keys
from companion.core.crypto import label_key, normal_label
from companion.models import EntryTag, PersonalTrigger, Setting
from companion.skills import practised_skill_names

KEY_CHECK = "label_hash_key_check"  # written by migration 0012

MAX_LABEL = 80  # a label typed by a client: one line, checked by `companion.core.textrules`


def shown_label():
    """The label of a group of rows grouped by `EntryTag.label_hash`: every row of a group
    holds the same label, so any one (here the smallest ciphertext) is decrypted for display."""
    return func.min(EntryTag.label).label("label")


def personal_triggers(session: Session, client_id: int) -> list[str]:
    stmt = select(PersonalTrigger.label).where(PersonalTrigger.client_id == client_id)
    return sorted(session.exec(stmt))


def _clinic_triggers() -> set[str]:
    return {normal_label(t) for t in get_clinic().triggers}


def trigger_options(session: Session, client_id: int) -> list[str]:
    clinic = _clinic_triggers()
    own = [t for t in personal_triggers(session, client_id) if normal_label(t) not in clinic]
    return [*get_clinic().triggers, *own]


def coping_options(session: Session | None = None, client_id: int | None = None) -> list[str]:
    """The clinic's coping list, then (given a client) the skills they have practised in
    the skills modules, so what they learn there can be picked in check-ins and cravings."""
    options = list(get_clinic().coping)
    if session is None or client_id is None:
        return options
    return options + [s for s in practised_skill_names(session, client_id) if s not in options]


def remember_trigger(session: Session, client_id: int, label: str) -> None:
    label = normal_label(label)
    if label in _clinic_triggers() or label in personal_triggers(session, client_id):
        return
    try:
        with session.begin_nested():
            session.add(PersonalTrigger(client_id=client_id, label=label))
    except IntegrityError:
        pass  # saved by a parallel request


def add_tags(session: Session, client_id: int, kind: str, entry_id: int, day: date,
             tag_type: str, labels: list[str]) -> None:
    for label in dict.fromkeys(normal_label(x) for x in labels):  # unique, in order
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


def key_problem(session: Session) -> str | None:
    """Why this database's labels can't be counted with this LABEL_HASH_KEY, or None."""
    stored = session.get(Setting, KEY_CHECK)
    if stored is None:
        return None
    if stored.value != keys.check_value(label_key(), "label_hash_key"):
        return ("LABEL_HASH_KEY is not the key this database's labels were counted with: "
                "set the key the other replicas use (a new key would split every count)")
    return None
