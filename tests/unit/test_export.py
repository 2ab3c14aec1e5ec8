"""Data export: a client's own records as a ZIP of readable CSV files, their aftercare plan as
a PDF and a README; nobody else's data; staff refused."""
import csv
import io
import time as time_module
import zipfile
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pypdf import PdfReader
from sqlmodel import SQLModel, select

from companion import aftercare, auth, chains, export, groups, measures, safety, skills
from companion.checkins import record_checkin
from companion.clinic import get_clinic
from companion.cravings import CravingEntry, log_craving
from companion.core.errors import AccessDenied
from companion.groups.recurrence import get_occurrence
from companion.models import AuditEvent, Enrolment, User
from companion.core.timeutil import utcnow
from tests.conftest import actor
from tests.support.entries import answered
from tests.support.untranslated import untranslated

NY = ZoneInfo("America/New_York")
OTHER_NOTE = "zebra-canary other client's private note"
MY_NOTE = "Felt shaky after the phone call with mum"


def open_zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def table(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def header(archive: zipfile.ZipFile, name: str) -> list[str]:
    return next(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def every_text(archive: zipfile.ZipFile) -> str:
    return "\n".join(archive.read(n).decode("utf-8-sig") for n in archive.namelist()
                     if not n.endswith(".pdf"))


@pytest.fixture
def cast(users, session):
    therapist = users.therapist(name="thera")
    me = users.client(therapist, name="me")
    other = users.client(users.therapist(name="otherthera"), name="someone")
    return {"therapist": actor(therapist), "me": actor(me), "other": actor(other),
            "admin": actor(users.admin(name="boss"))}


def _seed_me(session, cast):
    me, therapist = cast["me"], cast["therapist"]
    clinic = get_clinic()
    trigger, coping = clinic.triggers[0], clinic.coping[0]
    record_checkin(session, me, answered(mood=3, note="first draft of today"),
                   expected_version=0)
    saved = record_checkin(session, me, answered(
        mood=7, craving=2, stress=4, sleep_hours=6.5, sleep_quality=4, triggers=[trigger],
        new_trigger="Payday", skills=[coping], medication="yes", note=MY_NOTE,
        bring_to_group="How to say no to my cousin"), expected_version=1)
    chains.record(session, me, {"before": "Payday and old friends", "next_time": "Call Sis"},
                  checkin_id=saved.checkin.id)
    log_craving(session, me, CravingEntry(intensity=8, triggers=[trigger], where="At the bus stop",
                                          coping=[coping], outcome="passed", note="Surfed it out"),
                at=datetime(2026, 1, 15, 17, 30, tzinfo=timezone.utc))
    measures.submit(session, me, "phq9", {str(i): 1 for i in range(1, 10)} | {"9": 0})
    safety.save(session, me, {"reasons": "My daughter's laugh",
                              "help_people": [{"name": "Sis", "phone": "555-555-0142"}]})
    plan = aftercare.empty_sections()
    plan["warning_signs"] = "Skipping meals"
    plan["people"] = [{"name": "Sis", "relationship": "sister", "phone": "555-555-0142"}]
    aftercare.save(session, me, plan)
    aftercare.submit(session, me)
    aftercare.comment(session, therapist, me.id, "people", "Add your sponsor too?")
    aftercare.decide(session, therapist, me.id, approve=False, note="Nearly there")
    skills.save_answers(session, me, "boundaries", "saying-no",
                        {"request": "Cousin asked to borrow money", "my_no": "Not this time."})
    skills.log_practice(session, me, "Saying no", 7, note="Said no at work")
    skills.assign_module(session, therapist, me.id, "boundaries", note="Try the saying-no one")
    session.flush()


def _seed_other(session, cast):
    other = cast["other"]
    record_checkin(session, other, answered(mood=5, note=OTHER_NOTE))
    log_craving(session, other, CravingEntry(intensity=3, note=OTHER_NOTE))
    safety.save(session, other, {"reasons": OTHER_NOTE})
    session.flush()


def test_export_holds_every_kind_with_readable_columns_and_plain_text(session, cast):
    _seed_me(session, cast)
    _seed_other(session, cast)
    archive = open_zip(export.export_zip(session, cast["me"]))
    names = set(archive.namelist())
    assert set(export.EXPORTED.values()) <= names
    assert {"README.txt", "profile.csv", "checkins.csv", "cravings.csv", "tags.csv",
            "personal-triggers.csv", "look-backs.csv", "measures.csv", "measure-answers.csv",
            "measure-scores.csv", "safety-plan.csv", "aftercare-plan.csv",
            "aftercare-review.csv", "aftercare-comments.csv", "skill-answers.csv",
            "skill-practice.csv", "skill-assignments.csv", "group-rsvps.csv",
            "group-attendance.csv", "my-aftercare-plan.pdf"} <= names

    assert header(archive, "checkins.csv")[:5] == [
        "Date", "Version", "Current version", "Saved at", "Mood (1-10)"]
    days = table(archive, "checkins.csv")
    assert [(r["Version"], r["Current version"], r["Mood (1-10)"]) for r in days] == [
        ("1", "No", "3"), ("2", "Yes", "7")]
    latest = days[1]
    assert latest["Note"] == MY_NOTE                      # decrypted, as typed
    assert latest["Sleep (hours)"] == "6.5"
    assert latest["Took my medication as prescribed"] == "Yes"
    assert latest["Did I use"] == "No"
    assert "Payday" in latest["Triggers"] and get_clinic().triggers[0] in latest["Triggers"]
    assert latest["Skills I used"] == get_clinic().coping[0]
    assert days[0]["Note"] == "first draft of today"

    craving, = table(archive, "cravings.csv")
    assert craving["Logged at"] == "2026-01-15 12:30"    # the clinic's zone, not UTC
    assert (craving["Intensity (0-10)"], craving["Where"], craving["How it ended"],
            craving["Note"]) == ("8", "At the bus stop", "It passed", "Surfed it out")

    assert [r["Trigger"] for r in table(archive, "personal-triggers.csv")] == ["Payday"]
    assert {(r["Entry"], r["Type"]) for r in table(archive, "tags.csv")} >= {
        ("Check-in", "Trigger"), ("Craving", "What I did (coping)")}
    lookback, = table(archive, "look-backs.csv")
    assert lookback[chains.QUESTIONS["before"]] == "Payday and old friends"

    phq, = table(archive, "measures.csv")
    assert phq["Questionnaire"] == "PHQ-9" and "8" in phq["Scores"]
    answers = table(archive, "measure-answers.csv")
    assert len(answers) == 10                              # item 10 left out: "Skipped"
    assert answers[0]["Question"] == "Little interest or pleasure in doing things"
    assert [answers[i]["My answer"] for i in (0, 8, 9)] == [
        "Several days", "Not at all", "Skipped"]
    assert any(r["Score"] == "8" for r in table(archive, "measure-scores.csv"))

    plan, = table(archive, "safety-plan.csv")
    assert plan["My reasons for living"] == "My daughter's laugh"
    assert plan["Step 4 · People I can ask for help"] == "Sis: 555-555-0142"  # in step order

    version, = table(archive, "aftercare-plan.csv")
    assert version["My warning signs"] == "Skipping meals"
    assert version["People to call"] == "Name: Sis; Relationship: sister; Phone: 555-555-0142"
    comment, = table(archive, "aftercare-comments.csv")
    assert (comment["Section"], comment["From"], comment["Comment"]) == (
        "People to call", "Test Therapist 1", "Add your sponsor too?")
    assert [(r["What happened"], r["By"]) for r in table(archive, "aftercare-review.csv")] == [
        ("Sent for review", "You"), ("Changes requested", "Your reviewer")]

    answer, = table(archive, "skill-answers.csv")
    assert answer["Exercise"] == "Saying no"
    assert "My no, in one sentence: Not this time." in answer["Answers"]
    practice, = table(archive, "skill-practice.csv")
    assert (practice["Skill"], practice["How much it helped (0-10)"], practice["Note"]) == (
        "Saying no", "7", "Said no at work")
    assignment, = table(archive, "skill-assignments.csv")
    assert (assignment["From"], assignment["Note"]) == ("Your therapist",
                                                        "Try the saying-no one")

    profile, = table(archive, "profile.csv")
    assert (profile["Username"], profile["Account"]) == ("me", "Client")

    readme = archive.read("README.txt").decode()
    for name in names - {"README.txt"}:
        assert name in readme
    assert "America/New_York" in readme

    pdf = PdfReader(io.BytesIO(archive.read("my-aftercare-plan.pdf")))
    assert "Skipping meals" in "".join(page.extract_text() for page in pdf.pages)


def test_nobody_elses_data_or_name_is_in_it(session, cast):
    _seed_me(session, cast)
    _seed_other(session, cast)
    text = every_text(open_zip(export.export_zip(session, cast["me"])))
    assert OTHER_NOTE not in text
    assert cast["other"].display_name not in text
    assert cast["admin"].display_name not in text
    # the own therapist's name appears only as the author of a comment on the plan
    archive = open_zip(export.export_zip(session, cast["me"]))
    holding = [n for n in archive.namelist() if not n.endswith(".pdf")
               and cast["therapist"].display_name in archive.read(n).decode("utf-8-sig")]
    assert holding == ["aftercare-comments.csv"]
    # and the other client's export holds only theirs
    theirs = every_text(open_zip(export.export_zip(session, cast["other"])))
    assert OTHER_NOTE in theirs and MY_NOTE not in theirs


def test_no_plan_no_pdf_and_empty_kinds_keep_their_header(session, cast):
    archive = open_zip(export.export_zip(session, cast["me"]))
    assert "my-aftercare-plan.pdf" not in archive.namelist()
    assert table(archive, "cravings.csv") == []
    assert header(archive, "cravings.csv")[0] == "Logged at"
    assert "cravings.csv (0 lines)" in archive.read("README.txt").decode()


def test_alumni_may_export_their_own(session, users):
    alum = actor(users.alumni(users.therapist(), name="alum"))
    record_checkin(session, alum, answered(mood=8, note="Six months"))
    archive = open_zip(export.export_zip(session, alum))
    assert table(archive, "checkins.csv")[0]["Note"] == "Six months"
    assert table(archive, "profile.csv")[0]["Account"] == "Alumni"


@pytest.mark.parametrize("who", ["therapist", "admin"])
def test_staff_are_refused_and_nothing_is_written(session, cast, who):
    _seed_me(session, cast)
    before = len(session.exec(select(AuditEvent)).all())
    with pytest.raises(AccessDenied):
        export.export_zip(session, cast[who])
    session.flush()
    assert len(session.exec(select(AuditEvent)).all()) == before


def test_a_clients_export_is_not_audited_as_a_staff_read(session, cast):
    _seed_me(session, cast)
    before = len(session.exec(select(AuditEvent)).all())
    export.export_zip(session, cast["me"])
    session.flush()
    assert len(session.exec(select(AuditEvent)).all()) == before


def test_formula_like_text_is_shown_as_text(session, cast):
    record_checkin(session, cast["me"], answered(note="=HYPERLINK(\"x\")",
                                                     bring_to_group="-5 days clean"))
    row, = table(open_zip(export.export_zip(session, cast["me"])), "checkins.csv")
    assert row["Note"] == "'=HYPERLINK(\"x\")"
    assert row["Something to bring to group"] == "'-5 days clean"


def test_every_table_holding_client_rows_is_exported_or_left_out_on_purpose():
    held = {t.name for t in SQLModel.metadata.sorted_tables if "client_id" in t.c}
    assert held == set(export.EXPORTED) | set(export.NOT_EXPORTED)
    assert not set(export.EXPORTED) & set(export.NOT_EXPORTED)


def test_a_download_tapped_after_the_session_ended_is_refused(session, cast):
    me = cast["me"]
    signed_in_at = time_module.time()
    assert export.export_for_session(session, me, signed_in_at)[:2] == b"PK"
    user = session.get(User, me.id)
    user.last_seen_at = utcnow() - timedelta(hours=1)        # idle since
    with pytest.raises(AccessDenied, match="session has ended"):
        export.export_for_session(session, me, signed_in_at)
    user.last_seen_at = utcnow()
    auth.end_sessions(session, me.id)                        # signed out elsewhere
    with pytest.raises(AccessDenied, match="session has ended"):
        export.export_for_session(session, me, signed_in_at)


def test_file_name_carries_the_day():
    assert export.file_name(date(2027, 3, 1)) == "my-iop-companion-data-2027-03-01.zip"


def _at(y, m, d, hh=12, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=NY).astimezone(timezone.utc)


def test_group_answers_and_attendance_with_corrections(session, users):
    with time_machine.travel(_at(2027, 2, 20), tick=False) as clock:
        lead = users.therapist(name="lead")
        me = users.client(lead, name="me")
        other = users.client(lead, name="peer")
        for c in (me, other):
            session.get(Enrolment, c.id).enrolled_at = _at(2027, 2, 1)
        series = groups.schedule_series(session, actor(users.admin()), groups.SeriesInput(
            title="Evening process group", topic="Coping after work", track="morning",
            location="north", facilitator_id=lead.id, capacity=12, first_day=date(2027, 3, 1),
            start=time(18), end=time(19, 30), weekdays=[0]))
        session.flush()
        first = _at(2027, 3, 1, 18)
        groups.rsvp(session, actor(me), series.id, first, going=False, reason="Work shift")
        groups.rsvp(session, actor(other), series.id, first, going=False, reason=OTHER_NOTE)
        clock.move_to(_at(2027, 3, 1, 18, 5))
        occ = get_occurrence(session, series.id, first)
        groups.mark_attendance(session, actor(lead), occ, {me.id: "absent", other.id: "absent"})
        groups.mark_attendance(session, actor(lead), occ, {me.id: "excused"})
        session.flush()
        archive = open_zip(export.export_zip(session, actor(me)))
    rsvp, = table(archive, "group-rsvps.csv")
    assert (rsvp["Group"], rsvp["Session (usual start)"], rsvp["My answer"], rsvp["Reason"]) == (
        "Evening process group", "2027-03-01 18:00", "Can't make it", "Work shift")
    marks = table(archive, "group-attendance.csv")
    assert [(m["Attendance"], m["Version"], m["Current version"]) for m in marks] == [
        ("Absent", "1", "No"), ("Excused", "2", "Yes")]
    assert marks[0]["Session start"] == "2027-03-01 18:00" and marks[0]["Minutes"] == "90"
    text = every_text(archive)
    assert OTHER_NOTE not in text and "Test Therapist" not in text


def test_a_spanish_readers_export_has_its_readme_and_column_names_in_spanish(session, cast):
    """The README and the column names in the account's language; the cells hold the values
    as stored (the note as typed); the file names stay the same in every language."""
    from companion import i18n

    _seed_me(session, cast)
    english = open_zip(export.export_zip(session, cast["me"]))
    with i18n.speaking("es"):
        archive = open_zip(export.export_zip(session, cast["me"]))
    assert archive.namelist() == english.namelist()
    readme = archive.read("README.txt").decode()
    assert "CÓMO LEER ESTOS ARCHIVOS" in readme and "HOW TO READ" not in readme
    assert "checkins.csv (2 líneas)" in readme and "profile.csv (1 línea)" in readme
    assert "SI NECESITAS AYUDA AHORA" in readme and "envía AYUDA al 741741" in readme
    assert header(archive, "checkins.csv")[:5] == [
        "Fecha", "Versión", "Versión actual", "Guardado el", "Ánimo (1-10)"]
    assert table(archive, "checkins.csv")[-1]["Nota"] == MY_NOTE
    assert header(archive, "look-backs.csv")[2].startswith("¿Qué estaba pasando antes?")
    assert header(archive, "group-rsvps.csv")[0] == "Grupo"
    for name in archive.namelist():
        if name.endswith(".csv"):
            assert len(header(archive, name)) == len(header(english, name))
            assert untranslated(header(archive, name)) == [], name
