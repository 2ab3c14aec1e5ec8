"""Data export: a client or alumnus downloads everything the app holds about them.

`export_zip` builds a ZIP of CSV files, one per kind of record, with readable column names,
times in the clinic's zone and free text decrypted; their aftercare plan as a PDF when they
have one; and a README.txt that explains each file. It is for a person's own data only:
every kind is read through `access.authorize(..., Action.READ)` for the actor themself, and
staff are refused (a staff disclosure is a different thing: it carries the Part 2
re-disclosure notice, see `companion.audit`). The only other person named anywhere is the
reviewer who wrote a comment on the person's own aftercare plan.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from companion import aftercare, auth, chains, checkins, cravings, instruments, pdf, safety
from companion import i18n, milestones, skill_modules
from companion.access import Action, RecordKind, authorize
from companion.actors import Actor
from companion.clinic import get_clinic
from companion.core.config import get_settings
from companion.core.errors import AccessDenied
from companion.i18n import N_, _, gettext, ngettext, pgettext
from companion.models import (AftercareComment, AftercareEvent, AftercarePlan,
                              AftercareVersion, ChainAnalysis, CheckIn, CheckInReminder,
                              Craving, Enrolment, EntryTag, GroupAttendance, GroupRsvp,
                              GroupSeries, HomeMilestone, MeasureResponse, PersonalTrigger, SafetyPlan,
                              SkillAnswer, SkillAssignment, SkillLessonRead, SkillPractice,
                              TherapySession, User)
from companion.skills import TIMER_KEY
from companion.core.timeutil import clinic_today, show, to_clinic, utcnow

STAFF_REFUSED = N_("Downloading all data is for clients and alumni, for their own records. "
                   "Staff disclosures go through the clinic's release process.")
DETAIL = "data export"
WHEN = "%Y-%m-%d %H:%M"
DAY = "%Y-%m-%d"
PDF_NAME = "my-aftercare-plan.pdf"
YES_NO = {True: "Yes", False: "No"}
TAG_TYPES = {"trigger": "Trigger", "skill": "Skill used", "substance": "Substance",
             "coping": "What I did (coping)"}
ENTRY_KINDS = {"checkin": "Check-in", "craving": "Craving"}
RSVP_LABELS = {"going": "Going", "not_going": "Can't make it"}
ATTENDANCE_LABELS = {"present": "Present", "absent": "Absent", "excused": "Excused"}
EVENT_LABELS = {"submitted": "Sent for review", "withdrawn": "Withdrawn from review",
                "approved": "Approved", "changes_requested": "Changes requested"}
# Every table that holds a client's rows (a `client_id` column), and where it goes: a test
# fails when a new one appears in `companion.models` without being placed here.
EXPORTED = {
    "enrolments": "profile.csv", "checkins": "checkins.csv", "cravings": "cravings.csv",
    "entry_tags": "tags.csv", "personal_triggers": "personal-triggers.csv",
    "chain_analyses": "look-backs.csv", "checkin_reminders": "checkin-reminder.csv",
    "home_milestones": "home-line.csv",
    "measure_responses": "measures.csv", "safety_plans": "safety-plan.csv",
    "aftercare_plans": "aftercare-plan.csv", "aftercare_versions": "aftercare-plan.csv",
    "aftercare_events": "aftercare-review.csv", "aftercare_comments": "aftercare-comments.csv",
    "skill_answers": "skill-answers.csv", "skill_practice": "skill-practice.csv",
    "skill_lessons_read": "skill-lessons-read.csv",
    "skill_assignments": "skill-assignments.csv", "group_rsvps": "group-rsvps.csv",
    "group_attendance": "group-attendance.csv", "therapy_sessions": "sessions.csv",
}
NOT_EXPORTED = {
    "flags": "staff follow-up notes; clients have no read access to them (access.RULES)",
    "audit_events": "who on the staff opened the records: shown on the account page, and "
                    "names staff members",
}
# Spreadsheet programs run a cell that starts like a formula; such text gets a ' in front.
_FORMULA = re.compile(r"^(?:[=@\t\r]|[+\-].*[A-Za-z])", re.DOTALL)


def file_name(today: date | None = None) -> str:
    return f"my-iop-companion-data-{(today or clinic_today()):%Y-%m-%d}.zip"


@dataclass
class Table:
    """One CSV file: its name, what it holds (for the README), columns and rows."""

    name: str
    about: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)

    def csv_bytes(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out)
        # The column names in the reader's language (English: as they are); the cells hold
        # the values as stored.
        writer.writerow([gettext(name) for name in self.columns])
        writer.writerows([[_cell(v) for v in row] for row in self.rows])
        # A byte-order mark, so spreadsheet programs read accents and emoji correctly.
        return out.getvalue().encode("utf-8-sig")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES_NO[value]
    if isinstance(value, datetime):
        return _when(value)
    if isinstance(value, date):
        return value.strftime(DAY)
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    return "'" + text if _FORMULA.match(text) else text


def _when(moment: datetime | None) -> str:
    return "" if moment is None else to_clinic(moment).strftime(WHEN)


def _lines(lines) -> str:
    """Several items in one cell, one a line."""
    return "\n".join(str(line) for line in lines if str(line).strip())


def _labelled(pairs) -> str:
    return _lines(f"{label}: {value}" for label, value in pairs if value not in (None, "", []))


def _read(session: Session, actor: Actor, kind: RecordKind, what: str) -> None:
    authorize(session, actor, actor.id, kind, Action.READ, f"{DETAIL}: {what}")


def _rows_of(session: Session, stmt) -> list:
    return list(session.exec(stmt))


# --- the person -----------------------------------------------------------------------------

def _profile(session: Session, me: int) -> Table:
    user = session.get(User, me)
    enrolment = session.get(Enrolment, me)
    clinic = get_clinic()
    table = Table("profile.csv", N_("Your account and your place in the program."),
                  [N_("Name"), N_("Username"), N_("Account"), N_("Track"), N_("Location"),
                   N_("In the program since"),
                   N_("Completed the program"), N_("Account created"),
                   N_("Confidentiality notice acknowledged at")])
    table.rows.append([
        user.display_name, user.username, user.role.capitalize(),
        clinic.track_label(enrolment.track) if enrolment else "",
        clinic.location_label(enrolment.location) if enrolment else "",
        enrolment.enrolled_at if enrolment else None,
        enrolment.discharged_at if enrolment else None, user.created_at,
        getattr(user, "notice_acknowledged_at", None)])
    return table


# --- check-ins, tags, triggers, look-backs, reminder ------------------------------------------

def _tags(session: Session, me: int) -> dict[tuple[str, int], dict[str, list[str]]]:
    found: dict[tuple[str, int], dict[str, list[str]]] = {}
    stmt = select(EntryTag).where(EntryTag.client_id == me).order_by(col(EntryTag.id))
    for tag in session.exec(stmt):
        found.setdefault((tag.entry_kind, tag.entry_id), {}).setdefault(
            tag.tag_type, []).append(tag.label)
    return found


def _checkins(session: Session, me: int, tags: dict) -> Table:
    table = Table("checkins.csv",
                  N_("Every daily check-in, including each earlier version when you changed "
                  "one (\"Current version\" says which one counts)."),
                  [N_("Date"), N_("Version"), N_("Current version"), N_("Saved at"),
                   N_("Mood (1-10)"),
                   N_("Craving (0-10)"), N_("Anxiety or stress (0-10)"), N_("Sleep (hours)"),
                   N_("Sleep quality (1-5)"), N_("Did I use"), N_("What I used"),
                   N_("Use details"),
                   N_("Triggers"), N_("Skills I used"), N_("Took my medication as prescribed"),
                   N_("Note"),
                   N_("Something to bring to group")])
    stmt = (select(CheckIn).where(CheckIn.client_id == me)
            .order_by(col(CheckIn.day), col(CheckIn.version)))
    for c in session.exec(stmt):
        found = tags.get(("checkin", c.id), {})
        table.rows.append([
            c.day, c.version, c.is_current, c.created_at, c.mood, c.craving, c.stress,
            c.sleep_hours, c.sleep_quality, checkins.USED_CHOICES.get(c.used, c.used),
            ", ".join(found.get("substance", [])), c.use_details,
            ", ".join(found.get("trigger", [])), ", ".join(found.get("skill", [])),
            checkins.MEDICATION_CHOICES.get(c.medication, "") if c.medication else "",
            c.note, c.bring_to_group])
    return table


def _tag_table(session: Session, me: int) -> Table:
    table = Table("tags.csv",
                  N_("The triggers, skills, substances and coping strategies you picked, one "
                  "per line, with the entry they belong to (the same labels also appear in "
                  "checkins.csv and cravings.csv)."),
                  [N_("Date"), N_("Entry"), N_("Check-in version"), N_("Type"), N_("Label")])
    versions = dict(session.exec(select(CheckIn.id, CheckIn.version)
                                 .where(CheckIn.client_id == me)).all())
    stmt = select(EntryTag).where(EntryTag.client_id == me).order_by(
        col(EntryTag.day), col(EntryTag.id))
    for tag in session.exec(stmt):
        table.rows.append([tag.day, ENTRY_KINDS.get(tag.entry_kind, tag.entry_kind),
                           versions.get(tag.entry_id) if tag.entry_kind == "checkin" else None,
                           TAG_TYPES.get(tag.tag_type, tag.tag_type), tag.label])
    return table


def _personal_triggers(session: Session, me: int) -> Table:
    table = Table("personal-triggers.csv", N_("Triggers you named in your own words."),
                  [N_("Trigger"), N_("Added at")])
    stmt = (select(PersonalTrigger).where(PersonalTrigger.client_id == me)
            .order_by(col(PersonalTrigger.created_at)))
    table.rows = [[t.label, t.created_at] for t in session.exec(stmt)]
    return table


def _lookbacks(session: Session, me: int) -> Table:
    table = Table("look-backs.csv", N_("Your look-backs after a use (chain analyses)."),
                  [N_("Written at"), N_("Check-in date"), *chains.QUESTIONS.values()])
    days = dict(session.exec(select(CheckIn.id, CheckIn.day)
                             .where(CheckIn.client_id == me)).all())
    stmt = (select(ChainAnalysis).where(ChainAnalysis.client_id == me)
            .order_by(col(ChainAnalysis.created_at)))
    for chain in session.exec(stmt):
        table.rows.append([chain.created_at, days.get(chain.checkin_id),
                           *[(chain.answers or {}).get(k, "") for k in chains.QUESTIONS]])
    return table


def _reminder(session: Session, me: int) -> Table:
    table = Table("checkin-reminder.csv",
                  N_("The daily check-in reminder time you chose, if you set one."),
                  [N_("Reminder time"), N_("Set at"), N_("Last changed")])
    row = session.get(CheckInReminder, me)
    if row is not None:
        hours, minutes = divmod(row.minute_of_day, 60)
        table.rows.append([f"{hours:02d}:{minutes:02d}", row.created_at, row.updated_at])
    return table


def _home_line(session: Session, me: int) -> Table:
    table = Table("home-line.csv", N_("The line you chose for your Home page, if you turned it "
                  "on."), [N_("Kind"), N_("Since"), N_("Last changed")])
    row = session.get(HomeMilestone, me)
    if row is not None:
        table.rows.append([milestones.KINDS.get(row.kind, row.kind), row.since_day or "",
                           row.updated_at])
    return table


# --- cravings --------------------------------------------------------------------------------

def _cravings(session: Session, me: int, tags: dict) -> Table:
    table = Table("cravings.csv", N_("Every craving you logged."),
                  [N_("Logged at"), N_("Date"), N_("Intensity (0-10)"), N_("Triggers"),
                   N_("Where"), N_("Who I was with"),
                   N_("What I did"), N_("How it ended"), N_("How long it lasted (minutes)"),
                   N_("Urge-surfing timer (seconds)"), N_("Note"), N_("How strong later (0-10)"),
                   N_("Asked later at"), N_("Last changed")])
    stmt = select(Craving).where(Craving.client_id == me).order_by(col(Craving.at))
    for c in session.exec(stmt):
        found = tags.get(("craving", c.id), {})
        table.rows.append([
            c.at, c.local_day, c.intensity, ", ".join(found.get("trigger", [])), c.where,
            c.with_whom, ", ".join(found.get("coping", [])),
            cravings.OUTCOMES.get(c.outcome, c.outcome) if c.outcome else "",
            c.duration_minutes, c.surf_seconds, c.note, c.followup_intensity, c.followup_at,
            c.updated_at])
    return table


# --- questionnaires --------------------------------------------------------------------------

def _instrument(instrument_id: str):
    try:
        return instruments.get(instrument_id)
    except instruments.InstrumentError:
        return None


def _form_label(instrument, form: str) -> str:
    try:
        chosen = instrument.form(form) if instrument else None
    except instruments.InstrumentError:
        chosen = None
    return chosen.label if chosen else form


def _measures(session: Session, me: int) -> list[Table]:
    responses = Table("measures.csv",
                      N_("Each questionnaire you completed (PHQ-9, GAD-7, BAM…) with its "
                         "scores."),
                      [N_("Completed at"), N_("Date"), N_("Questionnaire"),
                       N_("Version of the questionnaire"),
                       N_("Scores")])
    answers = Table("measure-answers.csv", N_("Your answer to every question of every "
                    "questionnaire (\"Skipped\" where you left one out)."),
                    [N_("Completed at"), N_("Questionnaire"), N_("Version of the questionnaire"),
                     N_("Question number"), N_("Question"), N_("My answer"), N_("Points")])
    scores = Table("measure-scores.csv", N_("Each questionnaire's scores, one per line, with "
                   "what the score range means."),
                   [N_("Completed at"), N_("Questionnaire"), N_("Version of the questionnaire"),
                    N_("Scale"),
                    N_("Score"), N_("Lowest possible"), N_("Highest possible"), N_("Level")])
    stmt = (select(MeasureResponse).where(MeasureResponse.client_id == me)
            .order_by(col(MeasureResponse.completed_at)))
    for r in session.exec(stmt):
        instrument = _instrument(r.instrument)
        title = instrument.title if instrument else r.instrument
        form = _form_label(instrument, r.form)
        summary = []
        for scale in instrument.scales if instrument else ():
            value = r.scores.get(scale.id)
            band = scale.band(value)
            summary.append(f"{scale.label}: {value if value is not None else 'not scored'}"
                           + (f" ({band.label})" if band else ""))
            scores.rows.append([r.completed_at, title, form, scale.label,
                                value if value is not None else "Not scored (too many skipped)",
                                scale.min, scale.max, band.label if band else ""])
        if instrument is None:
            summary = [f"{k}: {v}" for k, v in r.scores.items()]
        responses.rows.append([r.completed_at, r.local_day, title, form, _lines(summary)])
        items = instrument.items(r.form) if instrument else []
        known = {item.id for item in items}
        for n, item in enumerate(items, start=1):
            value = r.answers.get(item.id)
            label = next((o.label for o in item.options if o.score == value), value)
            answers.rows.append([r.completed_at, title, form, n, item.text,
                                 "Skipped" if value is None else label, value])
        for item_id, value in r.answers.items():
            if item_id not in known:
                answers.rows.append([r.completed_at, title, form, item_id, "",
                                     "Skipped" if value is None else value, value])
    return [responses, answers, scores]


# --- safety plan -----------------------------------------------------------------------------

def _safety(session: Session, me: int) -> Table:
    sections = [(step.key, safety.heading(step)) for step in safety.STEPS]
    table = Table("safety-plan.csv", N_("Every version of your safety plan, one per line "
                  "(\"Current version\" is the one in use)."),
                  [N_("Version"), N_("Current version"), N_("Saved at"),
                   *[t for _key, t in sections]])
    stmt = (select(SafetyPlan).where(SafetyPlan.client_id == me)
            .order_by(col(SafetyPlan.version)))
    for plan in session.exec(stmt):
        values = []
        for key, _title in sections:
            value = (plan.sections or {}).get(key)
            if isinstance(value, list):
                value = _lines(f"{r.get('name', '')}: {r.get('phone', '')}".rstrip(": ")
                               for r in value)
            values.append(value or "")
        table.rows.append([plan.version, plan.is_current, plan.created_at, *values])
    return table


# --- aftercare plan --------------------------------------------------------------------------

def _aftercare_section(sections: dict, key: str) -> str:
    _title, kind, fields = aftercare.SECTIONS[key]
    value = sections.get(key)
    if kind == "text":
        return str(value or "")
    if kind == "fields":
        return _labelled((aftercare.FIELD_LABELS[f], (value or {}).get(f)) for f in fields)
    return _lines("; ".join(f"{aftercare.FIELD_LABELS[f]}: {row.get(f)}" for f in fields
                            if row.get(f)) for row in value or [])


def _aftercare(session: Session, me: int, plan: AftercarePlan | None) -> Table:
    table = Table("aftercare-plan.csv",
                  N_("Every saved version of your aftercare plan, one per line."),
                  [N_("Version"), N_("Saved at"), N_("Current version"), N_("Approved version"),
                   *[title for title, _kind, _fields in aftercare.SECTIONS.values()]])
    stmt = (select(AftercareVersion).where(AftercareVersion.client_id == me)
            .order_by(col(AftercareVersion.version)))
    for v in session.exec(stmt):
        table.rows.append([
            v.version, v.created_at, bool(plan and plan.current_version == v.version),
            bool(plan and plan.approved_version == v.version),
            *[_aftercare_section(v.sections or {}, key) for key in aftercare.SECTIONS]])
    return table


def _aftercare_events(session: Session, me: int) -> Table:
    table = Table("aftercare-review.csv",
                  N_("Your aftercare plan's review history: sent, withdrawn, changes asked, "
                  "approved."),
                  [N_("When"), N_("Plan version"), N_("What happened"), N_("By"), N_("Note")])
    stmt = (select(AftercareEvent).where(AftercareEvent.client_id == me)
            .order_by(col(AftercareEvent.created_at), col(AftercareEvent.id)))
    for e in session.exec(stmt):
        table.rows.append([e.created_at, e.version, EVENT_LABELS.get(e.event, e.event),
                           "You" if e.actor_id == me else "Your reviewer", e.note])
    return table


def _aftercare_comments(session: Session, me: int) -> Table:
    table = Table("aftercare-comments.csv",
                  N_("Comments your therapist or reviewer wrote on sections of your aftercare "
                  "plan."),
                  [N_("When"), N_("Plan version"), N_("Section"), N_("From"), N_("Comment")])
    stmt = (select(AftercareComment, User.display_name)
            .join(User, User.id == AftercareComment.author_id, isouter=True)
            .where(AftercareComment.client_id == me)
            .order_by(col(AftercareComment.created_at), col(AftercareComment.id)))
    for c, author in session.exec(stmt):
        title = aftercare.SECTIONS.get(c.section, (c.section,))[0]
        table.rows.append([c.created_at, c.version, title, author or "Your reviewer", c.text])
    return table


def _aftercare_pdf(session: Session, me: int, plan: AftercarePlan | None) -> bytes | None:
    if plan is None or plan.current_version == 0:
        return None
    version = session.exec(select(AftercareVersion).where(
        AftercareVersion.plan_id == plan.id,
        AftercareVersion.version == plan.current_version)).first()
    if version is None:
        return None
    return pdf.aftercare_pdf(session.get(User, me).display_name, version.sections,
                             plan.status, show(version.created_at))


# --- skills ----------------------------------------------------------------------------------

def _module_title(module_id: str) -> str:
    module = skill_modules.get(module_id)
    return module.title if module else module_id


def _skill_answers(session: Session, me: int) -> Table:
    table = Table("skill-answers.csv", N_("Your answers to skills exercises, every saved "
                  "version (\"Current version\" is the newest)."),
                  [N_("Module"), N_("Exercise"), N_("Version"), N_("Current version"),
                   N_("Saved at"), N_("Answers")])
    stmt = (select(SkillAnswer).where(SkillAnswer.client_id == me)
            .order_by(col(SkillAnswer.module_id), col(SkillAnswer.exercise_id),
                      col(SkillAnswer.version)))
    for row in session.exec(stmt):
        module = skill_modules.get(row.module_id)
        exercise = module.exercise(row.exercise_id) if module else None
        pairs = []
        for key, value in (row.answers or {}).items():
            if key == TIMER_KEY:
                label = "Time on the timer (seconds)"
            else:
                spec = exercise.field(key) if exercise else None
                label = spec.label if spec else key
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            pairs.append((label, value))
        table.rows.append([module.title if module else row.module_id,
                           exercise.title if exercise else row.exercise_id, row.version,
                           row.is_current, row.created_at, _labelled(pairs)])
    return table


def _skill_practice(session: Session, me: int) -> Table:
    table = Table("skill-practice.csv", N_("Your skills practice log."),
                  [N_("When"), N_("Date"), N_("Module"), N_("Skill"),
                   N_("How much it helped (0-10)"), N_("Note")])
    stmt = (select(SkillPractice).where(SkillPractice.client_id == me)
            .order_by(col(SkillPractice.at)))
    table.rows = [[p.at, p.local_day, _module_title(p.module_id), p.skill, p.helped, p.note]
                  for p in session.exec(stmt)]
    return table


def _lessons_read(session: Session, me: int) -> Table:
    table = Table("skill-lessons-read.csv", N_("Skills lessons you marked as read."),
                  [N_("Module"), N_("Lesson"), N_("Read at")])
    stmt = (select(SkillLessonRead).where(SkillLessonRead.client_id == me)
            .order_by(col(SkillLessonRead.read_at)))
    for row in session.exec(stmt):
        module = skill_modules.get(row.module_id)
        lesson = module.lesson(row.lesson_id) if module else None
        table.rows.append([module.title if module else row.module_id,
                           lesson.title if lesson else row.lesson_id, row.read_at])
    return table


def _assignments(session: Session, me: int) -> Table:
    table = Table("skill-assignments.csv", N_("Skills modules your therapist asked you to work "
                  "on, including ones since taken off your list."),
                  [N_("Module"), N_("Assigned at"), N_("Taken off the list at"), N_("From"),
                   N_("Note")])
    stmt = (select(SkillAssignment).where(SkillAssignment.client_id == me)
            .order_by(col(SkillAssignment.assigned_at)))
    table.rows = [[_module_title(a.module_id), a.assigned_at, a.withdrawn_at,
                   "Your therapist", a.note] for a in session.exec(stmt)]
    return table


def _sessions(session: Session, me: int) -> Table:
    table = Table("sessions.csv", N_("Sessions your therapist recorded as held with you, and the "
                  "next step you agreed."), [N_("Day"), N_("Kind"), N_("Agreed next step")])
    stmt = (select(TherapySession).where(TherapySession.client_id == me)
            .order_by(col(TherapySession.day), col(TherapySession.id)))
    table.rows = [[s.day, s.kind.title(), s.next_step] for s in session.exec(stmt)]
    return table


# --- groups ----------------------------------------------------------------------------------

def _series_titles(session: Session, ids) -> dict[int, str]:
    ids = set(ids)
    if not ids:
        return {}
    return dict(session.exec(select(GroupSeries.id, GroupSeries.title)
                             .where(col(GroupSeries.id).in_(ids))).all())


def _rsvps(session: Session, me: int) -> Table:
    table = Table("group-rsvps.csv", N_("Your answers to \"Are you coming?\" for group sessions."),
                  [pgettext("export column", "Group"), N_("Session (usual start)"),
                   N_("My answer"), N_("Reason"), N_("First answered at"),
                   N_("Last changed")])
    rows = _rows_of(session, select(GroupRsvp).where(GroupRsvp.client_id == me)
                    .order_by(col(GroupRsvp.occurrence_at)))
    titles = _series_titles(session, (r.series_id for r in rows))
    table.rows = [[titles.get(r.series_id, "A group no longer on the schedule"),
                   r.occurrence_at, RSVP_LABELS.get(r.status, r.status), r.reason,
                   r.created_at, r.updated_at] for r in rows]
    return table


def _attendance(session: Session, me: int) -> Table:
    table = Table("group-attendance.csv", N_("Your attendance at group sessions, including "
                  "earlier marks that were corrected (\"Current version\" is the one that "
                  "counts)."),
                  [pgettext("export column", "Group"), N_("Session start"), N_("Minutes"),
                   N_("Attendance"), N_("Version"), N_("Current version"), N_("Recorded at")])
    rows = _rows_of(session, select(GroupAttendance).where(GroupAttendance.client_id == me)
                    .order_by(col(GroupAttendance.starts_at), col(GroupAttendance.version)))
    titles = _series_titles(session, (r.series_id for r in rows))
    table.rows = [[titles.get(r.series_id, "A group no longer on the schedule"), r.starts_at,
                   r.minutes, ATTENDANCE_LABELS.get(r.status, r.status), r.version,
                   r.is_current, r.created_at] for r in rows]
    return table


# --- the ZIP ---------------------------------------------------------------------------------

def _readme(name: str, tables: list[Table], has_pdf: bool, plan: AftercarePlan | None) -> str:
    """The README in the reader's language: each paragraph one catalog message, its lines
    broken where the English breaks them."""
    zone = get_settings().clinic_timezone
    lines = [
        _("{clinic} — IOP Companion: all my data").format(clinic=get_clinic().name),
        "",
        _("For: {name}").format(name=name),
        _("Made: {when} ({zone})").format(when=show(utcnow(), WHEN), zone=zone),
        "",
        _("This is your own copy of everything the app holds about you. Anyone who opens these\n"
          "files can read them, so keep them somewhere private. Downloading them changed\n"
          "nothing in the app."),
        "",
        _("HOW TO READ THESE FILES"),
        _("- Each .csv file opens in a spreadsheet program (Excel, Numbers, LibreOffice,\n"
          "  Google Sheets) or a text editor. The first line names the columns."),
        _("- Every date and time is in the clinic's time zone ({zone}),\n"
          "  written like 2027-03-01 18:30 (24-hour clock).").format(zone=zone),
        _("- Where one cell holds several things (for example the sections of a plan), they\n"
          "  are on separate lines inside that cell."),
        _("- When you changed a check-in or a plan, every earlier version is kept and listed;\n"
          "  the \"Current version\" column says which one counts."),
        _("- A file with only its first line means you have no records of that kind."),
        _("- Text that would start like a spreadsheet formula (with = + - or @) has a ' put\n"
          "  in front, so that spreadsheet programs show it as plain text."),
        "",
        _("THE FILES"),
    ]
    for table in tables:
        count = len(table.rows)
        lines += [ngettext("{file} ({count} line)", "{file} ({count} lines)", count).format(
                      file=table.name, count=count),
                  f"    {gettext(table.about)}"]
    if has_pdf:
        status = gettext(aftercare.STATUS_LABELS.get(plan.status, plan.status))
        lines += [f"{PDF_NAME}", "    " + _(
            "Your current aftercare plan, ready to print (version {version}, status: "
            "{status}).").format(version=plan.current_version, status=status)]
    lines += [
        "README.txt",
        "    " + _("This file."),
        "",
        _("NOT IN THIS DOWNLOAD"),
        _("- Your sign-in secrets: your password (stored only as a one-way hash that can't be\n"
          "  read back) and, if you set one up, your second-factor key and recovery codes."),
        _("- The clinic's working notes for staff, such as reminders for your therapist to\n"
          "  follow up. Ask the clinic for a copy of your full record if you need it."),
        _("- The list of staff who opened your records: it is on the My account page."),
        "",
        _("IF YOU NEED HELP NOW"),
    ]
    for res in get_clinic().crisis_for(i18n.current()):
        ways = []
        if res.call:
            ways.append(_("call {number}").format(number=res.call))
        if res.text and res.text_body:
            ways.append(_("text {word} to {number}").format(word=res.text_body, number=res.text))
        elif res.text:
            ways.append(_("text {number}").format(number=res.text))
        joined = ways[0] if len(ways) == 1 else _("{first} or {second}").format(
            first=ways[0], second=ways[1]) if ways else ""
        lines.append(_("- {line}: {ways}").format(line=res.name, ways=joined))
    return "\n".join(lines) + "\n"


def export_zip(session: Session, actor: Actor) -> bytes:
    """All of the actor's own records as a ZIP of CSV files (+ aftercare PDF + README)."""
    if actor.is_staff or not actor.is_client_side:
        # Staff hold no records of their own: `authorize` refuses (and handles the refusal
        # as it handles every other); the raise below is a second lock.
        _read(session, actor, RecordKind.PROFILE, "account")
        raise AccessDenied(gettext(STAFF_REFUSED))
    me = actor.id
    _read(session, actor, RecordKind.PROFILE, "account")
    tables = [_profile(session, me)]

    _read(session, actor, RecordKind.CHECKIN, "check-ins, look-backs, triggers")
    _read(session, actor, RecordKind.CRAVING, "cravings")
    tags = _tags(session, me)
    tables += [_checkins(session, me, tags), _cravings(session, me, tags),
               _tag_table(session, me), _personal_triggers(session, me),
               _lookbacks(session, me), _reminder(session, me), _home_line(session, me)]

    _read(session, actor, RecordKind.MEASURE, "questionnaires")
    tables += _measures(session, me)

    _read(session, actor, RecordKind.SAFETY_PLAN, "safety plan")
    tables.append(_safety(session, me))

    _read(session, actor, RecordKind.AFTERCARE_PLAN, "aftercare plan")
    plan = session.exec(select(AftercarePlan).where(AftercarePlan.client_id == me)).first()
    tables += [_aftercare(session, me, plan), _aftercare_events(session, me)]
    _read(session, actor, RecordKind.AFTERCARE_REVIEW, "aftercare comments")
    tables.append(_aftercare_comments(session, me))
    plan_pdf = _aftercare_pdf(session, me, plan)

    _read(session, actor, RecordKind.SKILL_PRACTICE, "skills")
    tables += [_skill_answers(session, me), _skill_practice(session, me),
               _lessons_read(session, me)]
    _read(session, actor, RecordKind.SKILL_ASSIGNMENT, "skills assignments")
    tables.append(_assignments(session, me))

    _read(session, actor, RecordKind.RSVP, "group answers")
    tables.append(_rsvps(session, me))
    _read(session, actor, RecordKind.ATTENDANCE, "group attendance")
    tables.append(_attendance(session, me))
    _read(session, actor, RecordKind.THERAPY_SESSION, "sessions")
    tables.append(_sessions(session, me))

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(session.get(User, me).display_name, tables,
                                               plan_pdf is not None, plan))
        for table in tables:
            archive.writestr(table.name, table.csv_bytes())
        if plan_pdf is not None:
            archive.writestr(PDF_NAME, plan_pdf)
    return buffer.getvalue()


def export_for_session(session: Session, actor: Actor, signed_in_at: float) -> bytes:
    """`export_zip` for a download built when tapped, after the page was drawn: refused if
    the session ended in between (sign-out elsewhere, password change, deactivation or the
    idle timeout), since no page gate runs on that tap."""
    user = auth.active_user(session, actor.id, signed_in_at)
    ended = actor.session_id is not None and auth.live_session(
        session, actor.session_id, actor.id)[1] is not None
    if user is None or ended or auth.idle_expired(user):
        raise AccessDenied("Your session has ended. Please sign in again.")
    return export_zip(session, actor)
