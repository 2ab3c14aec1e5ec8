"""Skills practice: exercise answers (a new version per save), lessons read, the practice log,
progress and "what to try next", and modules a therapist assigns.

The content (modules, lessons, exercises and their fields) lives in `data/skills/` and is
read by `companion.skill_modules`. Every function here asks `access` first; staff reads and
changes are audited there.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from companion import skill_modules
from companion.access import Action, RecordKind, authorize
from companion.actors import Actor
from companion.core import textrules, versions
from companion.core.errors import FormErrors, InvalidInput, NotFound
from companion.i18n import N_, _, gettext
from companion.models import (SkillAnswer, SkillAssignment, SkillLessonRead, SkillPractice,
                              User)
from companion.skill_modules import TEXT_LIMITS, Exercise, Module, SkillContentError
from companion.core.timeutil import to_clinic, utcnow

TIMER_KEY = "timer_seconds"   # how long a timed exercise ran, kept with its answers
NOTE_MAX = 280
HELPED_WORDS = {0: "0 · not at all", 5: "5 · some", 10: "10 · a lot"}
NEEDED = N_("Please answer this one to save.")


# --- content ---------------------------------------------------------------------------

def module_or_404(module_id: str) -> Module:
    module = skill_modules.get(module_id)
    if module is None:
        raise NotFound(_("That skills module isn't available."))
    return module


def exercise_or_404(module_id: str, exercise_id: str) -> tuple[Module, Exercise]:
    module = module_or_404(module_id)
    exercise = module.exercise(exercise_id)
    if exercise is None:
        raise NotFound(_("That exercise isn't available."))
    return module, exercise


def all_skills() -> list[tuple[str, Module]]:
    """Every skill the modules teach, with its module, in the modules' order."""
    return [(skill, m) for m in skill_modules.modules() for skill in m.skills]


# --- exercise answers --------------------------------------------------------------------

def _empty(value: object) -> bool:
    return value is None or value == "" or value == []


def _clean_value(spec, value, errors: dict[str, str]):
    if spec.type in TEXT_LIMITS:
        if value is not None and not isinstance(value, str):
            errors[spec.id] = _("Please type some words here.")
            return None
        value = (value or "").strip()
        textrules.check_length(errors, spec.id, value, spec.limit, subject=_("This answer"))
        textrules.check(errors, spec.id, value, multiline=spec.type == "long_text")
        return value
    if spec.type == "choice":
        if _empty(value):
            return None
        if value not in spec.options:
            errors[spec.id] = _("Choose one of the answers.")
        return value
    if spec.type == "choices":
        if not isinstance(value, (list, tuple)) and value is not None:
            errors[spec.id] = _("Choose from the list.")
            return []
        value = list(dict.fromkeys(value or []))
        if any(v not in spec.options for v in value):
            errors[spec.id] = _("Choose from the list.")
        return value
    if spec.type == "scale":
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) \
                or not spec.min <= value <= spec.max:
            errors[spec.id] = _("Choose a number from {low} to {high}.").format(low=spec.min,
                                                                             high=spec.max)
        return value
    # time of day, kept as "HH:MM"
    if _empty(value):
        return None
    if isinstance(value, time):
        return value.strftime("%H:%M")
    try:
        return datetime.strptime(str(value), "%H:%M").strftime("%H:%M")
    except ValueError:
        errors[spec.id] = _("Choose a time of day.")
        return None


def clean_answers(exercise: Exercise, answers: dict) -> dict:
    """Answers checked against the exercise's fields; `FormErrors` names each field at fault."""
    allowed = {f.id for f in exercise.fields} | ({TIMER_KEY} if exercise.timer else set())
    unknown = sorted(set(answers) - allowed)
    if unknown:
        raise InvalidInput(f"These answers don't belong to this exercise: {', '.join(unknown)}.")
    errors: dict[str, str] = {}
    clean: dict = {}
    for spec in exercise.fields:
        clean[spec.id] = _clean_value(spec, answers.get(spec.id), errors)
        if spec.required and _empty(clean[spec.id]) and spec.id not in errors:
            errors[spec.id] = gettext(NEEDED)
    seconds = answers.get(TIMER_KEY)
    if seconds is not None:
        if isinstance(seconds, bool) or not isinstance(seconds, int) or not 0 <= seconds <= 3600:
            errors[TIMER_KEY] = _("The timer ran for an impossible time.")
        clean[TIMER_KEY] = seconds
    if errors:
        raise FormErrors(errors)
    if all(_empty(v) for k, v in clean.items() if k != TIMER_KEY):
        raise InvalidInput(_("There's nothing to save yet: answer at least one question."))
    return clean


def _content(exercise: Exercise, answers: dict) -> versions.Content:
    """Answers as they are stored, by question (the timer only where it ran)."""
    found = {spec.label: None if _empty(answers.get(spec.id)) else answers.get(spec.id)
             for spec in exercise.fields}
    if TIMER_KEY in answers:
        found[N_("Timer")] = answers[TIMER_KEY]
    return found


def _stored_content(session: Session, row: SkillAnswer) -> versions.Content:
    return _content(exercise_or_404(row.module_id, row.exercise_id)[1], row.answers)


VERSIONS = versions.Versioned(
    SkillAnswer, _stored_content,
    stale=N_("These answers were saved from another screen since you opened them{changed}. "
             "What you typed is still here: look at the latest, then save again."),
    parallel=N_("These answers were just saved from another screen{changed}. What you typed "
                "is still here: look at the latest, then save again."),
    blank={}, quote=True)


def _key(client_id: int, module_id: str, exercise_id: str) -> versions.Key:
    return {"client_id": client_id, "module_id": module_id, "exercise_id": exercise_id}


def save_answers(session: Session, actor: Actor, module_id: str, exercise_id: str,
                 answers: dict, *, expected_version: int | None = None) -> SkillAnswer:
    """Save the client's own answers as a new version; earlier versions are kept.

    `expected_version` is the version the form was loaded with (0 for none): if the answers
    were saved since, `StaleEdit` is raised and nothing is written. The same answers as the
    current version (a double-tapped Save) write nothing and return the current version.
    """
    authorize(session, actor, actor.id, RecordKind.SKILL_PRACTICE, Action.WRITE)
    _, exercise = exercise_or_404(module_id, exercise_id)
    clean = clean_answers(exercise, answers)
    return versions.save(
        session, VERSIONS, _key(actor.id, module_id, exercise_id), _content(exercise, clean),
        expected_version=expected_version,
        new_row=lambda number: SkillAnswer(client_id=actor.id, module_id=module_id,
                                           exercise_id=exercise_id, version=number,
                                           answers=clean),
    ).row


def current_answers(session: Session, actor: Actor, client_id: int, module_id: str,
                    exercise_id: str) -> SkillAnswer | None:
    authorize(session, actor, client_id, RecordKind.SKILL_PRACTICE, Action.READ,
              f"skills answers {module_id}/{exercise_id}")
    return versions.current(session, VERSIONS, _key(client_id, module_id, exercise_id))


def answer_history(session: Session, actor: Actor, client_id: int, module_id: str,
                   exercise_id: str) -> list[SkillAnswer]:
    """Every saved version of one exercise's answers, newest first."""
    authorize(session, actor, client_id, RecordKind.SKILL_PRACTICE, Action.READ,
              f"skills answer history {module_id}/{exercise_id}")
    return versions.history(session, VERSIONS, _key(client_id, module_id, exercise_id))


def latest_answers(session: Session, actor: Actor, client_id: int, module_id: str,
                   exercise_id: str) -> dict | None:
    """The newest saved answers of one exercise (field id -> value), or None.

    For other features to build on, e.g. the aftercare plan reading the relapse-prevention
    plan (`latest_answers(s, actor, client_id, "relapse-prevention", "my-plan")`).
    """
    row = current_answers(session, actor, client_id, module_id, exercise_id)
    return dict(row.answers) if row is not None else None


# --- lessons -----------------------------------------------------------------------------

def mark_lesson_read(session: Session, actor: Actor, module_id: str, lesson_id: str) -> bool:
    """Note a lesson as read (once). Returns whether it was newly marked."""
    authorize(session, actor, actor.id, RecordKind.SKILL_PRACTICE, Action.WRITE)
    module = module_or_404(module_id)
    if module.lesson(lesson_id) is None:
        raise NotFound(_("That lesson isn't available."))
    stmt = select(SkillLessonRead.id).where(SkillLessonRead.client_id == actor.id,
                                            SkillLessonRead.module_id == module_id,
                                            SkillLessonRead.lesson_id == lesson_id)
    if session.exec(stmt).first() is not None:
        return False
    try:
        with session.begin_nested():
            session.add(SkillLessonRead(client_id=actor.id, module_id=module_id,
                                        lesson_id=lesson_id))
    except IntegrityError:  # marked by a parallel request
        return False
    return True


# --- the practice log --------------------------------------------------------------------

def log_practice(session: Session, actor: Actor, skill: str | None, helped: int | None,
                 note: str = "", at: datetime | None = None) -> SkillPractice:
    """"I used this skill today, and it helped this much (0–10)"."""
    authorize(session, actor, actor.id, RecordKind.SKILL_PRACTICE, Action.WRITE)
    errors: dict[str, str] = {}
    module = skill_modules.skill_owner(skill) if skill else None
    if module is None:
        errors["skill"] = _("Choose the skill you used.")
    if isinstance(helped, bool) or not isinstance(helped, int) or not 0 <= helped <= 10:
        errors["helped"] = _("Choose a number from 0 to 10.")
    note = (note or "").strip()
    textrules.check_length(errors, "note", note, NOTE_MAX, subject=_("Your note"))
    textrules.check(errors, "note", note)
    if errors:
        raise FormErrors(errors)
    at = at or utcnow()
    row = SkillPractice(client_id=actor.id, module_id=module.id, skill=skill, helped=helped,
                        note=note, at=at, local_day=to_clinic(at).date())
    session.add(row)
    session.flush()
    return row


def practice_log(session: Session, actor: Actor, client_id: int,
                 limit: int = 20) -> list[SkillPractice]:
    authorize(session, actor, client_id, RecordKind.SKILL_PRACTICE, Action.READ,
              "skills practice log")
    stmt = (select(SkillPractice).where(SkillPractice.client_id == client_id)
            .order_by(col(SkillPractice.at).desc()).limit(limit))
    return list(session.exec(stmt))


@dataclass(frozen=True)
class SkillUse:
    skill: str
    times: int
    average_helped: float


def _practice_summary(session: Session, client_id: int) -> list[SkillUse]:
    stmt = (select(SkillPractice.skill, func.count(), func.avg(SkillPractice.helped))
            .where(SkillPractice.client_id == client_id).group_by(SkillPractice.skill))
    found = [SkillUse(skill, times, round(float(avg), 1)) for skill, times, avg in
             session.exec(stmt)]
    return sorted(found, key=lambda u: (-u.average_helped, -u.times, u.skill))


def practice_summary(session: Session, actor: Actor, client_id: int) -> list[SkillUse]:
    """Each skill logged, how often, and how much it helped on average (most helpful first)."""
    authorize(session, actor, client_id, RecordKind.SKILL_PRACTICE, Action.READ,
              "skills practice summary")
    return _practice_summary(session, client_id)


def practised_skill_names(session: Session, client_id: int) -> list[str]:
    """Skills a client has logged or practised in an exercise, in the modules' order.

    No access check of its own: it names skills, not answers, and is called by services
    (check-in and craving validation) that have checked access already. Broken skills
    content must not stop a check-in: it is logged and no skills are offered.
    """
    try:
        catalogue = all_skills()
    except SkillContentError:
        logging.getLogger("companion").exception("data/skills content is broken")
        return []
    logged = set(session.exec(select(SkillPractice.skill).distinct()
                              .where(SkillPractice.client_id == client_id)))
    done = set(session.exec(select(SkillAnswer.module_id, SkillAnswer.exercise_id).distinct()
                            .where(SkillAnswer.client_id == client_id)))
    for module_id, exercise_id in done:
        module = skill_modules.get(module_id)
        exercise = module.exercise(exercise_id) if module else None
        if exercise is not None and exercise.skill:
            logged.add(exercise.skill)
    return [skill for skill, _ in catalogue if skill in logged]


# --- assignments -------------------------------------------------------------------------

def _active_assignments(session: Session, client_id: int) -> list[SkillAssignment]:
    stmt = (select(SkillAssignment).where(SkillAssignment.client_id == client_id,
                                          col(SkillAssignment.withdrawn_at).is_(None))
            .order_by(col(SkillAssignment.assigned_at)))
    return list(session.exec(stmt))


def assign_module(session: Session, actor: Actor, client_id: int, module_id: str,
                  note: str = "") -> SkillAssignment:
    """A therapist asks their client to work on a module. Assigning it again replaces the
    note (the earlier assignment is kept, marked withdrawn)."""
    authorize(session, actor, client_id, RecordKind.SKILL_ASSIGNMENT, Action.WRITE,
              f"assigned skills module {module_id}")
    module_or_404(module_id)
    note = (note or "").strip()
    if found := textrules.too_long(note, NOTE_MAX, subject=_("The note")):
        raise FormErrors({"note": found})
    if found := textrules.problem(note):
        raise FormErrors({"note": found})
    now = utcnow()
    for earlier in _active_assignments(session, client_id):
        if earlier.module_id == module_id:
            earlier.withdrawn_at = now
            session.add(earlier)
    row = SkillAssignment(client_id=client_id, module_id=module_id, therapist_id=actor.id,
                          note=note, assigned_at=now)
    session.add(row)
    session.flush()
    return row


def withdraw_assignment(session: Session, actor: Actor, assignment_id: int) -> SkillAssignment:
    row = session.get(SkillAssignment, assignment_id)
    if row is None:
        raise NotFound("That assignment no longer exists.")
    authorize(session, actor, row.client_id, RecordKind.SKILL_ASSIGNMENT, Action.WRITE,
              f"withdrew skills module {row.module_id}")
    if row.withdrawn_at is None:
        row.withdrawn_at = utcnow()
        session.add(row)
    return row


def assignments(session: Session, actor: Actor, client_id: int) -> list[SkillAssignment]:
    """Modules currently assigned to a client, oldest first."""
    authorize(session, actor, client_id, RecordKind.SKILL_ASSIGNMENT, Action.READ,
              "skills assignments")
    return _active_assignments(session, client_id)


# --- progress ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ModuleProgress:
    module: Module
    lessons_read: frozenset[str]
    done: dict[str, SkillAnswer]                 # exercise id -> current answers
    assignment: SkillAssignment | None = None
    practised: int = 0                           # practice-log entries for this module

    @property
    def lessons_done(self) -> int:
        return sum(1 for lesson in self.module.lessons if lesson.id in self.lessons_read)

    @property
    def exercises_done(self) -> int:
        return sum(1 for e in self.module.exercises if e.id in self.done)

    @property
    def started(self) -> bool:
        return bool(self.lessons_done or self.exercises_done or self.practised)

    @property
    def complete(self) -> bool:
        return (self.lessons_done == len(self.module.lessons)
                and self.exercises_done == len(self.module.exercises))

    def next_item(self) -> tuple[str, str, str] | None:
        """(kind, id, title) of the first unread lesson, else the first undone exercise."""
        for lesson in self.module.lessons:
            if lesson.id not in self.lessons_read:
                return "lesson", lesson.id, lesson.title
        for exercise in self.module.exercises:
            if exercise.id not in self.done:
                return "exercise", exercise.id, exercise.title
        return None


@dataclass(frozen=True)
class NextStep:
    module: Module
    kind: str       # lesson / exercise
    item_id: str
    title: str
    reason: str


# A step's reason: marked here, translated where it is shown (`gettext(step.reason)`).
ASSIGNED = N_("Assigned by your therapist")
CONTINUE = N_("Pick up where you left off")
NEW = N_("Something new to try")


def _progress(session: Session, client_id: int) -> list[ModuleProgress]:
    read: dict[str, set[str]] = {}
    for module_id, lesson_id in session.exec(
            select(SkillLessonRead.module_id, SkillLessonRead.lesson_id)
            .where(SkillLessonRead.client_id == client_id)):
        read.setdefault(module_id, set()).add(lesson_id)
    done: dict[str, dict[str, SkillAnswer]] = {}
    for row in session.exec(select(SkillAnswer).where(
            SkillAnswer.client_id == client_id, col(SkillAnswer.is_current).is_(True))):
        done.setdefault(row.module_id, {})[row.exercise_id] = row
    assigned = {a.module_id: a for a in _active_assignments(session, client_id)}
    practised = dict(session.exec(
        select(SkillPractice.module_id, func.count()).where(
            SkillPractice.client_id == client_id).group_by(SkillPractice.module_id)).all())
    return [ModuleProgress(m, frozenset(read.get(m.id, ())), done.get(m.id, {}),
                           assigned.get(m.id), practised.get(m.id, 0))
            for m in skill_modules.modules()]


def progress(session: Session, actor: Actor, client_id: int) -> list[ModuleProgress]:
    """Per module: lessons read, exercises done, practice logged, and any assignment."""
    authorize(session, actor, client_id, RecordKind.SKILL_PRACTICE, Action.READ,
              "skills progress")
    authorize(session, actor, client_id, RecordKind.SKILL_ASSIGNMENT, Action.READ,
              "skills assignments")
    return _progress(session, client_id)


def next_steps(progress_list: list[ModuleProgress], limit: int = 3) -> list[NextStep]:
    """What to try next: assigned modules first (oldest assignment first), then modules
    already started, then new ones in the modules' order."""
    assigned = sorted((p for p in progress_list if p.assignment is not None),
                      key=lambda p: p.assignment.assigned_at)
    ranked = [(p, ASSIGNED) for p in assigned]
    ranked += [(p, CONTINUE) for p in progress_list if p.assignment is None and p.started]
    ranked += [(p, NEW) for p in progress_list if p.assignment is None and not p.started]
    steps = []
    for p, reason in ranked:
        item = p.next_item()
        if item is not None:
            steps.append(NextStep(p.module, *item, reason))
    return steps[:limit]


@dataclass(frozen=True)
class Overview:
    """All of one client's skills work, for their therapist."""

    progress: list[ModuleProgress]
    versions: dict[tuple[str, str], list[SkillAnswer]] = field(default_factory=dict)
    practice: list[SkillPractice] = field(default_factory=list)
    summary: list[SkillUse] = field(default_factory=list)
    assigned_by: dict[int, str] = field(default_factory=dict)   # therapist id -> name


def overview(session: Session, actor: Actor, client_id: int) -> Overview:
    authorize(session, actor, client_id, RecordKind.SKILL_PRACTICE, Action.READ,
              "skills overview")
    authorize(session, actor, client_id, RecordKind.SKILL_ASSIGNMENT, Action.READ,
              "skills assignments")
    by_exercise: dict[tuple[str, str], list[SkillAnswer]] = {}
    for row in session.exec(select(SkillAnswer).where(SkillAnswer.client_id == client_id)
                            .order_by(col(SkillAnswer.version).desc())):
        by_exercise.setdefault((row.module_id, row.exercise_id), []).append(row)
    stmt = (select(SkillPractice).where(SkillPractice.client_id == client_id)
            .order_by(col(SkillPractice.at).desc()).limit(30))
    found = _progress(session, client_id)
    return Overview(found, by_exercise, list(session.exec(stmt)),
                    _practice_summary(session, client_id),
                    assigned_by_names(session, found))


def assigned_by_names(session: Session, progress_list: list[ModuleProgress]) -> dict[int, str]:
    ids = {p.assignment.therapist_id for p in progress_list if p.assignment is not None}
    if not ids:
        return {}
    stmt = select(User.id, User.display_name).where(col(User.id).in_(ids))
    return dict(session.exec(stmt).all())


# --- demo --------------------------------------------------------------------------------

DEMO_ANSWERS = {
    ("boundaries", "boundary-script"): {
        "situation": "My cousin (demo) asks me to come to the Friday card game.",
        "describe": "You've asked me to the card game a few times this month.",
        "express": "I feel torn, because I like seeing you, and that game is where I used "
                   "to drink.",
        "ask": "Can we get breakfast on Saturday instead?",
        "reinforce": "That way I get to see you and keep my recovery on track.",
        "if_pushed": "I hear you. My answer is still no for Friday. Saturday?",
        "confidence": 6,
    },
    ("cravings", "delay-distract-decide"): {
        "delay_minutes": "20 minutes",
        "distractions": "Walk the dog (demo) around the park; the crossword; a hot shower.",
        "who": "My sponsor (demo), 555-0167",
        "decide": "In 20 minutes, I'll ask: will this move me toward the life I want?",
    },
    ("stress-grounding", "box-breathing"): {"before": 7, "after": 4, TIMER_KEY: 120},
    ("routines", "halt-check"): {"hungry": 6, "angry": 2, "lonely": 5, "tired": 7,
                                 "what_i_need": "A sandwich and an early night (demo)."},
}


def seed_demo(session: Session, clients: list[tuple[User, int]], rng) -> None:
    """Fictional practice for the demo clinic: lessons read, a few saved exercises,
    practice-log entries over recent weeks, and some therapist assignments."""
    from companion.models import Enrolment

    ids = [c.id for c, _ in clients]
    for model in (SkillAnswer, SkillLessonRead, SkillPractice, SkillAssignment):
        session.exec(delete(model).where(col(model.client_id).in_(ids)))
    catalogue = skill_modules.modules()
    names = [skill for skill, _ in all_skills()]
    now = utcnow()
    for index, (client, days) in enumerate(clients):
        days = min(days, 60)
        for module in rng.sample(catalogue, rng.randint(1, min(4, len(catalogue)))):
            for lesson in module.lessons[: rng.randint(1, len(module.lessons))]:
                session.add(SkillLessonRead(client_id=client.id, module_id=module.id,
                                            lesson_id=lesson.id,
                                            read_at=now - timedelta(days=rng.randint(1, days))))
        for (module_id, exercise_id), answers in DEMO_ANSWERS.items():
            module = skill_modules.get(module_id)
            exercise = module.exercise(exercise_id) if module else None
            if exercise is not None and rng.random() < 0.5:
                session.add(SkillAnswer(client_id=client.id, module_id=module_id,
                                        exercise_id=exercise_id,
                                        answers=clean_answers(exercise, answers),
                                        created_at=now - timedelta(days=rng.randint(1, days))))
        favourites = rng.sample(names, min(3, len(names)))
        for _ in range(rng.randint(2, 12)):
            skill = rng.choice(favourites)
            at = now - timedelta(days=rng.randint(0, days), hours=rng.randint(0, 12))
            session.add(SkillPractice(client_id=client.id,
                                      module_id=skill_modules.skill_owner(skill).id,
                                      skill=skill, helped=rng.randint(3, 9), at=at,
                                      local_day=to_clinic(at).date()))
        enrolment = session.get(Enrolment, client.id)
        if index % 3 == 0 and enrolment is not None and enrolment.therapist_id is not None:
            module = catalogue[index % len(catalogue)]
            session.add(SkillAssignment(
                client_id=client.id, module_id=module.id, therapist_id=enrolment.therapist_id,
                note="Let's talk about this one in group on Thursday (demo note).",
                assigned_at=now - timedelta(days=rng.randint(1, 7))))
    session.flush()
