"""The safety plan: six steps of safety planning plus reasons for living, in the app's own
words; every save is a new version, visible to the client's therapist (audited)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session

from companion.access import Action, RecordKind, authorize
from companion.actors import Actor
from companion.clinic import get_clinic
from companion.core import textrules, versions
from companion.core.errors import FormErrors
from companion.models import SafetyPlan

TEXT_SECTIONS = {
    "warning_signs": "Signs that a hard time may be starting",
    "coping": "Things I can do on my own to feel steadier",
    "distractions": "People and places that help take my mind off things",
    "environment": "Making my surroundings safer",
    "reasons": "My reasons for living",
}
CONTACT_SECTIONS = {
    "help_people": "People I can ask for help",
    "professionals": "Professionals and services I can contact",
}
ENVIRONMENT_HINT = ("For example: keep naloxone (Narcan) where I and others can find it; "
                    "don't use alone; ask someone to hold medications or anything I could "
                    "hurt myself with; stay away from places where I used.")
TEXT_MAX, NAME_MAX, MAX_CONTACTS = 1500, 80, 5
PHONE_RE = re.compile(r"^[0-9+()\-. ]{3,25}$")


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str

    @property
    def tel(self) -> str:
        return "tel:" + re.sub(r"[^0-9+]", "", self.phone)


def empty_sections() -> dict:
    return {**{k: "" for k in TEXT_SECTIONS}, **{k: [] for k in CONTACT_SECTIONS}}


def _clean(sections: dict) -> dict:
    errors: dict[str, str] = {}
    clean = empty_sections()
    for key in TEXT_SECTIONS:
        text = (sections.get(key) or "").strip()
        if len(text) > TEXT_MAX:
            errors[key] = f"Please keep this under {TEXT_MAX} characters (it has {len(text)})."
        textrules.check(errors, key, text, multiline=True)
        clean[key] = text
    for key in CONTACT_SECTIONS:
        rows = [(str(r.get("name") or "").strip(), str(r.get("phone") or "").strip())
                for r in sections.get(key) or []]
        for n, (name, _) in enumerate(rows, start=1):
            textrules.check(errors, key, name, subject=f"Name ({n})")
        rows = [r for r in rows if r[0] or r[1]]
        for name, phone in rows:
            if not name:
                errors[key] = "Each phone number needs a name beside it."
            elif len(name) > NAME_MAX:
                errors[key] = f"Names can be up to {NAME_MAX} characters."
            elif phone and not PHONE_RE.match(phone):
                errors[key] = (f"“{phone}” doesn't look like a phone number "
                               "(digits, spaces, + - ( ) only).")
        if len(rows) > MAX_CONTACTS:
            errors[key] = f"Up to {MAX_CONTACTS} contacts here."
        clean[key] = [{"name": n, "phone": p} for n, p in rows]
    if errors:
        raise FormErrors(errors)
    return clean


def _content(sections: dict) -> versions.Content:
    """A plan as it is stored, by section title."""
    blank = empty_sections()
    return {title: sections.get(key, blank[key])
            for key, title in [*TEXT_SECTIONS.items(), *CONTACT_SECTIONS.items()]}


VERSIONS = versions.Versioned(
    SafetyPlan, lambda session, row: _content(row.sections),
    stale="Your safety plan was saved from another screen since you opened it{changed}. "
          "What you typed is still here: check the latest, then save again.",
    blank=_content(empty_sections()), quote=True)


def current(session: Session, actor: Actor, client_id: int) -> SafetyPlan | None:
    authorize(session, actor, client_id, RecordKind.SAFETY_PLAN, Action.READ, "safety plan")
    return versions.current(session, VERSIONS, {"client_id": client_id})


def save(session: Session, actor: Actor, sections: dict,
         expected_version: int | None = None) -> SafetyPlan:
    """Save a new version; refuse (and write nothing) if another save came in between.
    The same plan as the current version (a double-tapped Save) writes nothing and
    returns the current version."""
    authorize(session, actor, actor.id, RecordKind.SAFETY_PLAN, Action.WRITE)
    clean = _clean(sections)
    return versions.save(
        session, VERSIONS, {"client_id": actor.id}, _content(clean),
        expected_version=expected_version,
        new_row=lambda number: SafetyPlan(client_id=actor.id, version=number, sections=clean),
    ).row


def history(session: Session, actor: Actor, client_id: int) -> list[SafetyPlan]:
    authorize(session, actor, client_id, RecordKind.SAFETY_PLAN, Action.READ,
              "safety plan history")
    return versions.history(session, VERSIONS, {"client_id": client_id})


def contacts(plan: SafetyPlan | None) -> list[Contact]:
    """The client's own people first, then their professionals: for the crisis control."""
    if plan is None:
        return []
    rows = [*plan.sections.get("help_people", []), *plan.sections.get("professionals", [])]
    return [Contact(r["name"], r["phone"]) for r in rows if r.get("phone")]


def standing_contacts() -> list[Contact]:
    """Always part of step five: the clinic, 988, and the emergency number."""
    clinic = get_clinic()
    found = [Contact(clinic.name, clinic.phone)] if clinic.phone else []
    return found + [Contact("988 Suicide & Crisis Lifeline", "988"), Contact("Emergency", "911")]


def as_text(plan: SafetyPlan | None) -> str:
    """A plain-text copy to print or keep on the phone."""
    sections = plan.sections if plan else empty_sections()
    lines = ["MY SAFETY PLAN", ""]
    for key, title in [*TEXT_SECTIONS.items(), *CONTACT_SECTIONS.items()]:
        lines.append(title.upper())
        value = sections.get(key)
        if isinstance(value, list):
            lines += [f"- {r['name']}: {r['phone']}" for r in value] or ["-"]
        else:
            lines.append(value or "-")
        if key == "professionals":
            lines += [f"- {c.name}: {c.phone}" for c in standing_contacts()]
        lines.append("")
    return "\n".join(lines)
