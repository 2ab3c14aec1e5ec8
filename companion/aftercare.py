"""The aftercare plan: sections a client builds, versions that are never overwritten, a
review by their therapist (or the alumni coordinator), and prompts for alumni to revisit it.

Review states and who moves them (anything else is refused):
    draft / changes_requested / updated --submit (client)--> submitted
    submitted --withdraw (client)--> draft
    submitted --approve / request_changes (reviewer)--> approved / changes_requested
    saving: draft → draft, changes_requested → changes_requested, approved/updated → updated;
            refused while submitted (withdraw first)
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from companion import audit, phones, run_context
from companion.access import (Action, RecordKind, authorize, require_current,
                              require_sign_in_complete)
from companion.actors import Actor
from companion.core import textrules, versions
from companion.core.errors import FormErrors, InvalidInput, NotFound, row_error
from companion.i18n import N_, _, format_day, gettext
from companion.models import (AftercareComment, AftercareCommentVersion, AftercareEvent,
                              AftercarePlan,
                              AftercareVersion, Enrolment, Role, Setting, User)
from companion.core.timeutil import clinic_today, to_clinic, utcnow

COORDINATOR_KEY = "alumni_coordinator_id"
# Titles, labels and statuses are marked for the catalog here (English, as stored and
# compared) and shown in the reader's language with `gettext()` (`title()`, `label()`,
# `status_label()`). The care levels are stored as these English values.
STATUS_LABELS = {"draft": N_("Draft"), "submitted": N_("Waiting for review"),
                 "changes_requested": N_("Changes requested"), "approved": N_("Approved"),
                 "updated": N_("Updated since approval")}
CARE_LEVELS = [N_("Weekly outpatient"), N_("Individual therapy"), N_("Support group"),
               N_("Other")]

# section -> (title, kind, fields). kind: "text" (one box), "fields" (named fields),
# "rows" (a short list of rows with these fields).
SECTIONS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "next_care": (N_("Next level of care"), "fields", ("level", "provider", "when")),
    "supports": (N_("Recurring supports"), "rows", ("what", "when", "where")),
    "people": (N_("People to call"), "rows", ("name", "relationship", "phone")),
    "warning_signs": (N_("My warning signs"), "text", ()),
    "high_risk": (N_("High-risk situations and what I will do"), "rows",
                  ("situation", "plan")),
    "coping": (N_("Coping strategies that work for me"), "text", ()),
    "routine": (N_("My daily routine"), "text", ()),
    "goals": (N_("Goals"), "rows", ("goal", "target_date", "progress")),
    "medication": (N_("Medication and MAT continuity"), "fields",
                   ("prescriber", "pharmacy", "next_refill")),
    "slip_plan": (N_("If I slip"), "fields", ("who_i_tell", "first_24_hours")),
}
FIELD_LABELS = {"level": N_("Level of care"), "provider": N_("Provider"),
                "when": N_("Day and time"), "what": N_("What"),
                "where": N_("Place or link"), "name": N_("Name"),
                "relationship": N_("Relationship"), "phone": N_("Phone"),
                "situation": N_("Situation"), "plan": N_("What I will do"), "goal": N_("Goal"),
                "target_date": N_("Target date"), "progress": N_("Progress (%)"),
                "prescriber": N_("Prescriber"), "pharmacy": N_("Pharmacy"),
                "next_refill": N_("Next refill date"), "who_i_tell": N_("Who I tell"),
                "first_24_hours": N_("What I do in the first 24 hours")}
MAX_ROWS, TEXT_MAX, FIELD_MAX = 6, 5000, 200  # a section is writing; a field is one line
COMMENT_MAX, NOTE_MAX = 1000, 1000
REVIEW_DAYS = (30, 60, 90)   # after discharge, then every 90 days
REVIEW_EVERY = 90


def title(section: str) -> str:
    """A section's title in the reader's language."""
    return gettext(SECTIONS[section][0])


def label(field_name: str) -> str:
    """A field's label in the reader's language."""
    return gettext(FIELD_LABELS[field_name])


def status_label(status: str) -> str:
    """A plan's status (or a review event) in the reader's language."""
    return gettext(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def empty_sections() -> dict:
    blank = {}
    for key, (_title, kind, fields) in SECTIONS.items():
        blank[key] = "" if kind == "text" else {f: "" for f in fields} if kind == "fields" else []
    return blank


def _clean(sections: dict) -> dict:
    errors: dict[str, str] = {}
    clean = {key: _clean_section(errors, key, sections.get(key)) for key in SECTIONS}
    if errors:
        raise FormErrors(errors)
    return clean


def _clean_section(errors: dict[str, str], key: str, value) -> object:
    """One section as it is stored; what is wrong with it goes into `errors[key]`."""
    _title, kind, fields = SECTIONS[key]
    if kind == "text":
        text = str(value or "").strip()
        textrules.check_length(errors, key, text, TEXT_MAX, subject=_("This section"))
        textrules.check(errors, key, text, multiline=True)
        return text
    if kind == "fields":
        clean = {f: str((value or {}).get(f) or "").strip() for f in fields}
        for f, text in clean.items():
            textrules.check(errors, key, text, subject=label(f))
        for f, text in clean.items():
            if key not in errors:
                textrules.check_length(errors, key, text, FIELD_MAX,
                                       subject=f"“{label(f)}”")
        if key == "next_care" and clean["level"] and clean["level"] not in CARE_LEVELS:
            errors[key] = _("Choose a level of care from the list.")
        return clean
    rows = [{f: str(r.get(f) or "").strip() for f in fields} for r in value or []]
    for n, row in enumerate(rows, start=1):
        for f, text in row.items():
            textrules.check(errors, key, text, subject=f"{label(f)} ({n})")
    _check_rows(errors, key, rows)
    rows = [r for r in rows if any(r.values())]
    if len(rows) > MAX_ROWS:
        errors[key] = _("Up to {count} rows here.").format(count=MAX_ROWS)
    for n, row in enumerate(rows, start=1):
        for f, text in row.items():
            if key not in errors:
                textrules.check_length(errors, key, text, FIELD_MAX,
                                       subject=f"“{label(f)}” ({n})")
    return rows


def _check_rows(errors: dict[str, str], key: str, rows: list[dict]) -> None:
    """Each bad row of people or goals gets its own message (`row_error`); `rows` as the
    form numbers them, blank ones included."""
    for n, row in enumerate(rows):
        problem = None
        if key == "people":
            if (row["phone"] or row["relationship"]) and not row["name"]:
                problem = _("This person needs a name.")
            elif row["phone"] and not phones.plausible(row["phone"]):
                problem = _("“{phone}” doesn't look like a phone number: use the 10 digits "
                            "with the area code (like 555-555-0142), or 988, 911 or 211."
                            ).format(phone=row["phone"])
        elif key == "goals":
            # isdecimal, not isdigit: "²" is a digit that int() refuses (it raised a ValueError)
            if row["progress"] and not (row["progress"].isdecimal()
                                        and 0 <= int(row["progress"]) <= 100):
                problem = _("Progress is a number from 0 to 100.")
            elif row["target_date"]:
                try:
                    date.fromisoformat(row["target_date"])
                except ValueError:
                    problem = _("Target dates look like 2027-03-31.")
        if problem:
            row_error(errors, key, n, problem)


def _plan(session: Session, client_id: int) -> AftercarePlan | None:
    return session.exec(select(AftercarePlan).where(AftercarePlan.client_id == client_id)).first()


@dataclass(frozen=True)
class PlanView:
    plan: AftercarePlan | None
    version: AftercareVersion | None
    comments: list[AftercareComment]
    authors: dict[int, str] = field(default_factory=dict)  # comment author id -> name
    wordings: dict[int, int] = field(default_factory=dict)  # comment id -> version (1: never
    #                                                         edited): what an edit expects

    @property
    def status(self) -> str:
        return self.plan.status if self.plan else "draft"

    @property
    def sections(self) -> dict:
        return self.version.sections if self.version else empty_sections()


def _content(sections: dict) -> versions.Content:
    """A plan as it is stored, by section title."""
    blank = empty_sections()
    return {name: sections.get(key, blank[key]) for key, (name, _kind, _fields) in SECTIONS.items()}


# No `is_current` here: the highest version is the current one (and the plan's
# `current_version`); the unique (plan_id, version) refuses a parallel save.
VERSIONS = versions.Versioned(
    AftercareVersion, lambda session, row: _content(row.sections),
    stale=N_("Your plan was saved from another screen since you opened it{changed}. What you "
             "typed is still here: check the latest, then save again."),
    flag=None, blank=_content(empty_sections()), quote=True)


def _version(session: Session, plan: AftercarePlan, number: int) -> AftercareVersion | None:
    return versions.version(session, VERSIONS, {"plan_id": plan.id}, number)


def view(session: Session, actor: Actor, client_id: int) -> PlanView:
    """The current plan with the comments on the version that was last reviewed."""
    authorize(session, actor, client_id, RecordKind.AFTERCARE_PLAN, Action.READ, "aftercare plan")
    plan = _plan(session, client_id)
    if plan is None or plan.current_version == 0:
        return PlanView(plan, None, [])
    comments = list(session.exec(select(AftercareComment).where(
        AftercareComment.plan_id == plan.id).order_by(col(AftercareComment.id).desc())))
    latest_reviewed = max((c.version for c in comments), default=None)
    shown = [c for c in comments if c.version == latest_reviewed]
    return PlanView(plan, _version(session, plan, plan.current_version), shown,
                    _names(session, {c.author_id for c in shown}), _wordings(session, shown))


def _wordings(session: Session, comments: list[AftercareComment]) -> dict[int, int]:
    edited = [c.id for c in comments if c.edited_at is not None]
    found = dict(session.exec(select(AftercareCommentVersion.comment_id,
                                     sa.func.max(AftercareCommentVersion.version))
                              .where(col(AftercareCommentVersion.comment_id).in_(edited))
                              .group_by(AftercareCommentVersion.comment_id)).all()
                 ) if edited else {}
    return {c.id: found.get(c.id, 1) for c in comments}


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.exec(select(User.id, User.display_name).where(
        col(User.id).in_(ids))).all())


def save(session: Session, actor: Actor, sections: dict,
         expected_version: int | None = None) -> AftercareVersion:
    """Save a new version; refuse (and write nothing) if another save came in between.
    The same plan as the current version writes no version and changes no status, but
    counts as looking the plan over (an alumni review prompt goes away)."""
    authorize(session, actor, actor.id, RecordKind.AFTERCARE_PLAN, Action.WRITE)
    return _write(session, actor, _plan(session, actor.id), _clean(sections), expected_version)


def save_section(session: Session, actor: Actor, section: str, value,
                 expected_version: int | None = None) -> AftercareVersion:
    """Save one section: only it is checked, and the new version is the current one with
    this section changed (the others kept as they are stored). The same rules as `save`: a
    save from another screen since `expected_version` refuses it, naming what changed there;
    the section as it is already stored writes nothing."""
    authorize(session, actor, actor.id, RecordKind.AFTERCARE_PLAN, Action.WRITE)
    if section not in SECTIONS:
        raise InvalidInput(_("Unknown section."))
    errors: dict[str, str] = {}
    clean = _clean_section(errors, section, value)
    if errors:
        raise FormErrors(errors)
    plan = _plan(session, actor.id)
    stored = _version(session, plan, plan.current_version) if plan and plan.current_version \
        else None
    merged = {**empty_sections(), **(stored.sections if stored else {}), section: clean}
    return _write(session, actor, plan, merged, expected_version)


def _write(session: Session, actor: Actor, plan: AftercarePlan | None, clean: dict,
           expected_version: int | None) -> AftercareVersion:
    if plan is None:
        plan = AftercarePlan(client_id=actor.id)
        session.add(plan)
        session.flush()
    if plan.status == "submitted":
        raise InvalidInput(_("Your plan is with your reviewer. Withdraw it first to make "
                             "changes."))
    saved = versions.save(
        session, VERSIONS, {"plan_id": plan.id}, _content(clean),
        expected_version=expected_version,
        new_row=lambda number: AftercareVersion(plan_id=plan.id, client_id=actor.id,
                                                version=number, sections=clean))
    if saved.created:
        plan.current_version = saved.row.version
        plan.status = {"approved": "updated", "updated": "updated",
                       "changes_requested": "changes_requested"}.get(plan.status, "draft")
    plan.updated_at = utcnow()
    session.add(plan)
    return saved.row


def section_saves(session: Session, actor: Actor, client_id: int
                  ) -> dict[str, AftercareVersion | None]:
    """Section by section, the version from which it has been as it is now (its `version`
    and `created_at` say when that section was saved); None for a section never filled in."""
    authorize(session, actor, client_id, RecordKind.AFTERCARE_PLAN, Action.READ,
              "aftercare history")
    rows = versions.history(session, VERSIONS, {"client_id": client_id})
    blank = empty_sections()
    return {key: versions.since(rows, lambda row, key=key: row.sections.get(key, blank[key]),
                                blank[key]) for key in SECTIONS}


def reviewer_for(session: Session, client_id: int) -> int | None:
    """The client's therapist; for alumni, the alumni coordinator when the admin set one."""
    client = session.get(User, client_id)
    if client is not None and client.role == Role.ALUMNI:
        coordinator = session.get(Setting, COORDINATOR_KEY)
        if coordinator and coordinator.value:
            return int(coordinator.value)
    enrolment = session.get(Enrolment, client_id)
    return enrolment.therapist_id if enrolment else None


def _event(session: Session, plan: AftercarePlan, actor: Actor, event: str, note: str = "") -> None:
    session.add(AftercareEvent(plan_id=plan.id, client_id=plan.client_id,
                               version=plan.current_version, actor_id=actor.id, event=event,
                               note=note))


def submit(session: Session, actor: Actor) -> AftercarePlan:
    authorize(session, actor, actor.id, RecordKind.AFTERCARE_PLAN, Action.WRITE)
    plan = _plan(session, actor.id)
    if plan is None or plan.current_version == 0:
        raise InvalidInput(_("Save your plan before sending it for review."))
    if plan.status not in ("draft", "changes_requested", "updated"):
        raise InvalidInput(_("A plan that is “{status}” can't be sent again.").format(
            status=status_label(plan.status).lower()))
    reviewer = reviewer_for(session, actor.id)
    if reviewer is None:
        raise InvalidInput(_("No reviewer is set for your plan yet. Please ask the clinic."))
    plan.status, plan.submitted_to, plan.updated_at = "submitted", reviewer, utcnow()
    _event(session, plan, actor, "submitted")
    session.add(plan)
    return plan


def withdraw(session: Session, actor: Actor) -> AftercarePlan:
    authorize(session, actor, actor.id, RecordKind.AFTERCARE_PLAN, Action.WRITE)
    plan = _plan(session, actor.id)
    if plan is None or plan.status != "submitted":
        raise InvalidInput(_("Only a plan waiting for review can be withdrawn."))
    plan.status, plan.updated_at = "draft", utcnow()
    _event(session, plan, actor, "withdrawn")
    session.add(plan)
    return plan


def _reviewable(session: Session, actor: Actor, client_id: int) -> AftercarePlan:
    authorize(session, actor, client_id, RecordKind.AFTERCARE_REVIEW, Action.WRITE,
              "aftercare review")
    plan = _plan(session, client_id)
    if plan is None:
        raise NotFound("This client has no aftercare plan yet.")
    if plan.status != "submitted":
        raise InvalidInput("This plan isn't waiting for review.")
    return plan


def comment(session: Session, actor: Actor, client_id: int, section: str,
            text: str) -> AftercareComment:
    plan = _reviewable(session, actor, client_id)
    if section not in SECTIONS:
        raise InvalidInput(_("Unknown section."))
    text = _clean_comment(text)
    note = AftercareComment(plan_id=plan.id, client_id=client_id, version=plan.current_version,
                            section=section, author_id=actor.id, text=text)
    session.add(note)
    return note


COMMENT_VERSIONS = versions.Versioned(
    AftercareCommentVersion, lambda session, row: {N_("Comment"): row.text},
    stale=N_("This comment was edited from another screen since you opened it. What you "
             "typed is still here: check the latest, then save again."), flag=None)


def _clean_comment(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(f"A comment is 1–{COMMENT_MAX} characters: please write it first.")
    textrules.require_length(text, COMMENT_MAX, subject=_("The comment"))
    textrules.require(text, subject=_("The comment"))
    return text


def _own_comment(session: Session, actor: Actor, comment_id: int) -> AftercareComment:
    note = session.get(AftercareComment, comment_id)
    if note is None:
        raise NotFound("No such comment.")
    authorize(session, actor, note.client_id, RecordKind.AFTERCARE_REVIEW, Action.WRITE,
              "aftercare comment edited")
    if note.author_id != actor.id:
        raise InvalidInput("Only the person who wrote a comment can edit it.")
    return note


def edit_comment(session: Session, actor: Actor, comment_id: int, text: str,
                 expected_version: int | None = None) -> AftercareComment:
    """The author rewords their comment; every wording is kept (version 1 the original).
    `expected_version` is the version the form showed: a newer one refuses the edit."""
    note = _own_comment(session, actor, comment_id)
    text = _clean_comment(text)
    key = {"comment_id": note.id}
    if versions.current(session, COMMENT_VERSIONS, key) is None:  # first edit: keep the original
        session.add(AftercareCommentVersion(comment_id=note.id, version=1, text=note.text,
                                            created_at=note.created_at))
        session.flush()
    now = utcnow()
    saved = versions.save(session, COMMENT_VERSIONS, key, {"Comment": text},
                          expected_version=expected_version,
                          new_row=lambda n: AftercareCommentVersion(
                              comment_id=note.id, version=n, text=text, created_at=now))
    if saved.created:
        note.text, note.edited_at = text, now
        session.add(note)
    return note


def comment_history(session: Session, actor: Actor, comment_id: int
                    ) -> list[AftercareCommentVersion]:
    """Every wording of a comment, newest first (empty: never edited). For whoever may read
    the client's aftercare plan."""
    note = session.get(AftercareComment, comment_id)
    if note is None:
        raise NotFound("No such comment.")
    authorize(session, actor, note.client_id, RecordKind.AFTERCARE_PLAN, Action.READ,
              "aftercare comment history")
    return versions.history(session, COMMENT_VERSIONS, {"comment_id": comment_id})


def decide(session: Session, actor: Actor, client_id: int, approve: bool,
           note: str = "") -> AftercarePlan:
    plan = _reviewable(session, actor, client_id)
    note = (note or "").strip()
    textrules.require_length(note, NOTE_MAX, subject=_("The note"))
    textrules.require(note, multiline=True, subject=_("The note"))
    if not approve and not note and not session.exec(
            select(AftercareComment.id).where(AftercareComment.plan_id == plan.id,
                                              AftercareComment.version == plan.current_version)
    ).first():
        raise InvalidInput("Say what to change: add a comment on a section or a note.")
    plan.status = "approved" if approve else "changes_requested"
    if approve:
        plan.approved_version = plan.current_version
    plan.updated_at = utcnow()
    _event(session, plan, actor, plan.status, note)
    session.add(plan)
    return plan


def history(session: Session, actor: Actor, client_id: int) -> list[AftercareVersion]:
    authorize(session, actor, client_id, RecordKind.AFTERCARE_PLAN, Action.READ,
              "aftercare history")
    return versions.history(session, VERSIONS, {"client_id": client_id})


def events(session: Session, actor: Actor, client_id: int) -> list[AftercareEvent]:
    authorize(session, actor, client_id, RecordKind.AFTERCARE_PLAN, Action.READ,
              "aftercare review history")
    stmt = select(AftercareEvent).where(AftercareEvent.client_id == client_id)
    return list(session.exec(stmt.order_by(col(AftercareEvent.id).desc())))


def section_lines(sections: dict, key: str) -> list[str]:
    """A section as plain lines, for diffs, PDFs and reading."""
    _title, kind, fields = SECTIONS[key]
    value = sections.get(key)
    if kind == "text":
        return [line for line in str(value or "").splitlines() if line.strip()]
    if kind == "fields":
        return [_("{label}: {value}").format(label=label(f), value=_shown_value(f, value.get(f)))
                for f in fields if (value or {}).get(f)]
    if key == "goals":
        return [" · ".join(filter(None, (r.get("goal"), _by(r.get("target_date")),
                                         f"{r['progress']}%" if r.get("progress") else "")))
                for r in value or []]
    return [" · ".join(str(r.get(f)) for f in fields if r.get(f)) for r in value or []]


def _shown_value(field_name: str, value: str) -> str:
    """A stored field value as the reader reads it: a level of care (stored as the English
    choice) in their language; anything typed as it was typed."""
    return gettext(value) if field_name == "level" and value in CARE_LEVELS else value


def _by(day: str | None) -> str:
    """A goal's target date to read ("by Mar 31, 2027" / "para el 31 mar 2027"), from the
    ISO date it is stored as."""
    if not day:
        return ""
    try:
        found = date.fromisoformat(day)
    except ValueError:  # saved before dates were checked: as it was typed
        return _("by {date}").format(date=day)
    return _("by {date}").format(date=format_day(found, width="medium"))


def diff(older: dict, newer: dict) -> list[tuple[str, list[str]]]:
    """Section by section, the changed lines ("- old", "+ new"); unchanged sections left out."""
    changes = []
    for key in SECTIONS:
        before, after = section_lines(older, key), section_lines(newer, key)
        if before != after:
            lines = [d for d in difflib.ndiff(before, after) if d[:1] in "-+"]
            changes.append((title(key), lines))
    return changes


def waiting_for(session: Session, actor: Actor) -> list[tuple[AftercarePlan, str]]:
    """Plans waiting for this reviewer, oldest first. The reviewer is who `reviewer_for`
    names now, not when the plan was sent (`submitted_to` only records that): a waiting plan
    moves with the client when they are reassigned, discharged to alumni or the coordinator
    changes, the same relations `_reviewable` checks through `authorize`."""
    if actor.role != Role.THERAPIST:
        return []
    require_sign_in_complete(session, actor)
    theirs = Enrolment.therapist_id == actor.id
    coordinator = coordinator_id(session)
    if coordinator is None:
        reviewer = theirs
    elif coordinator == actor.id:
        reviewer = (User.role == Role.ALUMNI) | theirs
    else:
        reviewer = (User.role != Role.ALUMNI) & theirs
    stmt = (select(AftercarePlan, User.display_name).join(User, User.id == AftercarePlan.client_id)
            .outerjoin(Enrolment, Enrolment.client_id == AftercarePlan.client_id)
            .where(AftercarePlan.status == "submitted", reviewer)
            .order_by(AftercarePlan.updated_at))
    return list(session.exec(stmt).all())


def review_due(session: Session, actor: Actor, today: date | None = None) -> date | None:
    """For alumni: the 30/60/90-day (then every 90 days) review date that has come, if the
    plan hasn't been saved or approved since."""
    if actor.role != Role.ALUMNI:
        return None
    enrolment = session.get(Enrolment, actor.id)
    if enrolment is None or enrolment.discharged_at is None:
        return None
    today = today or clinic_today()
    discharged = to_clinic(enrolment.discharged_at).date()
    milestones = [discharged + timedelta(days=d) for d in REVIEW_DAYS]
    while milestones[-1] <= today:
        milestones.append(milestones[-1] + timedelta(days=REVIEW_EVERY))
    passed = [m for m in milestones if m <= today]
    if not passed:
        return None
    plan = _plan(session, actor.id)
    touched = to_clinic(plan.updated_at).date() if plan else None
    return passed[-1] if touched is None or touched < passed[-1] else None


def set_coordinator(session: Session, actor: Actor, therapist_id: int | None) -> None:
    """An admin names who reviews alumni plans (None: each alumnus's former therapist)."""
    if actor.role != Role.ADMIN:
        raise InvalidInput("Only admins set the alumni coordinator.")
    require_current(session, actor)
    require_sign_in_complete(session, actor)
    if therapist_id is not None:
        therapist = session.get(User, therapist_id)
        if therapist is None or therapist.role != Role.THERAPIST:
            raise InvalidInput("Choose a therapist.")
    setting = session.get(Setting, COORDINATOR_KEY) or Setting(key=COORDINATOR_KEY)
    before = int(setting.value) if setting.value else None
    if before == therapist_id:
        return
    for user_id, what in ((before, "no longer alumni coordinator"),
                          (therapist_id, "named alumni coordinator (reviews alumni plans)")):
        if user_id is not None and (user := session.get(User, user_id)) is not None:
            audit.account_event(session, actor, user, what)
    if therapist_id is None:
        audit.record(session, actor, "write", audit.ACCOUNT, None,
                     "alumni coordinator cleared: each alumnus's former therapist reviews")
    setting.value, setting.updated_at = str(therapist_id or ""), utcnow()
    session.add(setting)


def coordinator_id(session: Session) -> int | None:
    """Cached per clinic-data version (run_context); access.py reads its own, uncached."""
    def load() -> str:
        setting = session.get(Setting, COORDINATOR_KEY)
        return setting.value if setting else ""

    value = run_context.cached("setting", (COORDINATOR_KEY,), load, session)
    return int(value) if value else None
