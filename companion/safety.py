"""The safety plan: six steps of safety planning plus reasons for living, in the app's own
words; every save is a new version, visible to the client's therapist (audited)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from companion import phones
from companion.access import Action, RecordKind, authorize
from companion.actors import Actor
from companion.clinic import get_clinic
from companion.core import textrules, versions
from companion.core.errors import FormErrors, InvalidInput, row_error
from companion.i18n import N_, _, gettext
from companion.models import SafetyPlan


@dataclass(frozen=True)
class Step:
    """One part of the plan. `number` is its step (1–6, in the order the plan is used: the
    first things to try come first); reasons for living follow the steps, unnumbered."""

    key: str
    title: str
    kind: str            # "text" (one box) or "contacts" (names and phone numbers)
    number: int | None


# Stanley & Brown's safety planning intervention, in its prioritized order. Every road — the
# page, the edit form, the item-9 dialog, the download, the export — goes through this.
STEPS = (
    # Titles are stored with each version (English, whatever the reader's language) and
    # translated where shown: `heading()`, `title_of()`.
    Step("warning_signs", N_("Signs that a hard time may be starting"), "text", 1),
    Step("coping", N_("Things I can do on my own to feel steadier"), "text", 2),
    Step("distractions", N_("People and places that help take my mind off things"), "text", 3),
    Step("help_people", N_("People I can ask for help"), "contacts", 4),
    Step("professionals", N_("Professionals and services I can contact"), "contacts", 5),
    Step("environment", N_("Making my surroundings safer"), "text", 6),
    Step("reasons", N_("My reasons for living"), "text", None),
)
TEXT_SECTIONS = {s.key: s.title for s in STEPS if s.kind == "text"}
CONTACT_SECTIONS = {s.key: s.title for s in STEPS if s.kind == "contacts"}
ENVIRONMENT_HINT = N_("For example: keep naloxone (Narcan) where I and others can find it; "
                      "don't use alone; ask someone to hold medications or anything I could "
                      "hurt myself with; stay away from places where I used.")  # gettext where shown
TEXT_MAX, NAME_MAX, MAX_CONTACTS = 5000, 80, 5  # a step is writing; a name is one line


def heading(step: Step) -> str:
    """The step's heading, like "Step 4 · People I can ask for help"; reasons for living
    keep their title alone."""
    if not step.number:
        return gettext(step.title)
    return _("Step {number} · {title}").format(number=step.number, title=gettext(step.title))


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str

    @property
    def tel(self) -> str | None:
        """The number's `tel:` link, or None for one that is not plausible (saved before
        numbers were checked): show it, but never as a link that rings nobody."""
        return phones.tel(self.phone)


def empty_sections() -> dict:
    return {s.key: "" if s.kind == "text" else [] for s in STEPS}


def _clean(sections: dict) -> dict:
    errors: dict[str, str] = {}
    clean = {step.key: _clean_step(errors, step.key, sections.get(step.key)) for step in STEPS}
    if errors:
        raise FormErrors(errors)
    return clean


def _clean_step(errors: dict[str, str], key: str, value) -> object:
    """One step as it is stored; what is wrong with it goes into `errors[key]`."""
    if key in TEXT_SECTIONS:
        text = (value or "").strip()
        textrules.check_length(errors, key, text, TEXT_MAX, subject=_("This step"))
        textrules.check(errors, key, text, multiline=True)
        return text
    rows = [(str(r.get("name") or "").strip(), str(r.get("phone") or "").strip())
            for r in value or []]
    for n, (name, _phone) in enumerate(rows, start=1):
        textrules.check(errors, key, name, subject=_("Name ({n})").format(n=n))
    for n, (name, phone) in enumerate(rows):  # n: the row as the form shows it
        if not (name or phone):
            continue
        if not name:
            row_error(errors, key, n, _("This phone number needs a name beside it."))
        elif found := textrules.too_long(
                name, NAME_MAX, subject=_("The name “{name}…”").format(name=name[:20])):
            row_error(errors, key, n, found)
        elif phone and not phones.plausible(phone):
            row_error(errors, key, n, _("“{phone}” doesn't look like a phone number: use the 10 "
                                        "digits with the area code (like 555-555-0142), or "
                                        "988, 911 or 211.").format(phone=phone))
    rows = [r for r in rows if r[0] or r[1]]
    if len(rows) > MAX_CONTACTS:
        errors[key] = _("Up to {count} contacts here.").format(count=MAX_CONTACTS)
    return [{"name": n, "phone": p} for n, p in rows]


def _content(sections: dict) -> versions.Content:
    """A plan as it is stored, by section title."""
    blank = empty_sections()
    return {step.title: sections.get(step.key, blank[step.key]) for step in STEPS}


VERSIONS = versions.Versioned(
    SafetyPlan, lambda session, row: _content(row.sections),
    stale=N_("Your safety plan was saved from another screen since you opened it{changed}. "
             "What you typed is still here: check the latest, then save again."),
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


def save_step(session: Session, actor: Actor, step: str, value,
              expected_version: int | None = None) -> SafetyPlan:
    """Save one step: only it is checked, and the new version is the current plan with this
    step changed (the others kept as they are stored). The same rules as `save`: a save
    from another screen since `expected_version` refuses it, naming what changed there; the
    step as it is already stored writes nothing."""
    authorize(session, actor, actor.id, RecordKind.SAFETY_PLAN, Action.WRITE)
    if step not in TEXT_SECTIONS and step not in CONTACT_SECTIONS:
        raise InvalidInput(_("Unknown step."))
    errors: dict[str, str] = {}
    clean = _clean_step(errors, step, value)
    if errors:
        raise FormErrors(errors)
    stored = versions.current(session, VERSIONS, {"client_id": actor.id})
    merged = {**empty_sections(), **(stored.sections if stored else {}), step: clean}
    return versions.save(
        session, VERSIONS, {"client_id": actor.id}, _content(merged),
        expected_version=expected_version,
        new_row=lambda number: SafetyPlan(client_id=actor.id, version=number, sections=merged),
    ).row


def step_saves(session: Session, actor: Actor, client_id: int) -> dict[str, SafetyPlan | None]:
    """Step by step, the version from which it has been as it is now (its `version` and
    `created_at` say when that step was saved); None for a step never filled in."""
    authorize(session, actor, client_id, RecordKind.SAFETY_PLAN, Action.READ,
              "safety plan history")
    rows = versions.history(session, VERSIONS, {"client_id": client_id})
    blank = empty_sections()
    return {step.key: versions.since(
        rows, lambda row, key=step.key: row.sections.get(key, blank[key]), blank[step.key])
        for step in STEPS}


def history(session: Session, actor: Actor, client_id: int) -> list[SafetyPlan]:
    authorize(session, actor, client_id, RecordKind.SAFETY_PLAN, Action.READ,
              "safety plan history")
    return versions.history(session, VERSIONS, {"client_id": client_id})


def contacts(plan: SafetyPlan | None) -> list[Contact]:
    """The client's own people first, then their professionals: for the crisis control."""
    if plan is None:
        return []
    rows = [*plan.sections.get("help_people", []), *plan.sections.get("professionals", [])]
    return [c for c in (Contact(r["name"], r["phone"]) for r in rows) if c.tel]


def step_contacts(plan: SafetyPlan | None, key: str) -> list[Contact]:
    """One contact step's people, as saved (a number that is not plausible included)."""
    rows = plan.sections.get(key, []) if plan else []
    return [Contact(r["name"], r["phone"]) for r in rows if r.get("name") or r.get("phone")]


def standing_contacts() -> list[Contact]:
    """Always part of step five: the clinic, 988, and the emergency number."""
    clinic = get_clinic()
    found = [Contact(clinic.name, clinic.phone)] if phones.plausible(clinic.phone) else []
    return found + [Contact(_("988 Suicide & Crisis Lifeline"), "988"),
                    Contact(_("Emergency"), "911")]


def as_text(plan: SafetyPlan | None) -> str:
    """A plain-text copy to print or keep on the phone, step by step."""
    sections = plan.sections if plan else empty_sections()
    lines = [_("MY SAFETY PLAN"), ""]
    for step in STEPS:
        lines.append(heading(step).upper())
        value = sections.get(step.key)
        if step.kind == "contacts":
            lines += [f"- {r['name']}: {r['phone']}" for r in value or []]
            if step.key == "professionals":
                lines += [f"- {c.name}: {c.phone}" for c in standing_contacts()]
            elif not value:
                lines.append("-")
        else:
            lines.append(value or "-")
        lines.append("")
    return "\n".join(lines)
