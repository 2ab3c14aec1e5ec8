"""Sessions that took place (issue 19 item 4) and the brief's period, which starts at the last
one and carries the client's own words for it."""
from datetime import timedelta

import pytest
from sqlmodel import select

from companion import brief, sessions
from companion.checkins import record_checkin
from companion.core.errors import AccessDenied, InvalidInput
from companion.core.timeutil import clinic_today
from companion.models import AuditEvent, CheckIn, TherapySession
from tests.conftest import actor
from tests.support.entries import answered


@pytest.fixture
def pair(users):
    therapist = users.therapist()
    return therapist, users.client(therapist)


def test_a_session_is_recorded_with_kind_and_one_line(session, pair):
    therapist, client = pair
    held = sessions.record(session, actor(therapist), client.id, clinic_today(), "family",
                           "  Call sponsor   before Friday  ")
    assert (held.kind, held.next_step, held.therapist_id) == (
        "family", "Call sponsor before Friday", therapist.id)
    assert sessions.last_day(session, actor(therapist), client.id) == clinic_today()
    assert [s.id for s in sessions.for_client(session, actor(client), client.id)] == [held.id]


@pytest.mark.parametrize("day_offset, kind, step, message", [
    (1, "individual", "", "still to come"),
    (0, "couples", "", "individual, family or group"),
    (0, "group", "x" * 201, "one line of 200"),
    (0, "group", "first\nsecond", "one line"),
    (-366, "group", "", "more than a year"),
])
def test_bad_sessions_say_why_and_save_nothing(session, pair, day_offset, kind, step, message):
    therapist, client = pair
    with pytest.raises(InvalidInput, match=message):
        sessions.record(session, actor(therapist), client.id,
                        clinic_today() + timedelta(days=day_offset), kind, step)
    assert session.exec(select(TherapySession)).all() == []


def test_only_the_assigned_therapist_records_and_reads(session, users, pair):
    therapist, client = pair
    other = users.therapist()
    with pytest.raises(AccessDenied):
        sessions.record(session, actor(other), client.id, clinic_today(), "individual")
    with pytest.raises(AccessDenied):
        sessions.for_client(session, actor(other), client.id)
    with pytest.raises(AccessDenied):  # a client reads their own, never records one
        sessions.record(session, actor(client), client.id, clinic_today(), "individual")
    sessions.record(session, actor(therapist), client.id, clinic_today(), "individual")
    session.flush()
    kinds = {(r.action, r.record_kind) for r in session.exec(
        select(AuditEvent).where(AuditEvent.actor_id == therapist.id))}
    assert ("write", "therapy_session") in kinds


def test_next_step_is_encrypted_at_rest(session, pair):
    therapist, client = pair
    sessions.record(session, actor(therapist), client.id, clinic_today(), "group",
                    "Bring the relapse map")
    session.flush()
    raw = session.connection().exec_driver_sql("SELECT next_step FROM therapy_sessions").scalar()
    assert "relapse" not in raw


def test_brief_default_period_is_seven_days_without_a_session(session, pair):
    therapist, client = pair
    assert brief.default_since(session, actor(therapist), client.id) == (
        clinic_today() - timedelta(days=7))


def test_brief_period_starts_at_the_last_session(session, pair):
    therapist, client = pair
    for days_ago in (20, 4):
        sessions.record(session, actor(therapist), client.id,
                        clinic_today() - timedelta(days=days_ago), "individual")
    since = brief.default_since(session, actor(therapist), client.id)
    assert since == clinic_today() - timedelta(days=4)
    found = brief.for_client(session, actor(therapist), client.id, since)
    assert [s.day for s in found.sessions] == [since]  # the older one is outside the period


def _checkin(session, client, days_ago, **entry):
    record_checkin(session, actor(client), answered(**entry),
                   day=clinic_today() - timedelta(days=days_ago))


def test_brief_carries_notes_use_details_and_bring_to_group_for_the_period(session, pair,
                                                                          monkeypatch):
    therapist, client = pair
    _checkin(session, client, 0, note="Slept badly", bring_to_group="Talk about my brother",
             used="yes", use_details="Two beers after work")
    _checkin(session, client, 1, used="yes")
    session.add(CheckIn(client_id=client.id, day=clinic_today() - timedelta(days=9), mood=5,
                        craving=1, stress=3, sleep_hours=7, sleep_quality=3, used="no",
                        note="From before the period"))
    session.flush()
    found = brief.for_client(session, actor(therapist), client.id,
                             clinic_today() - timedelta(days=3))
    lines = [(line.kind, line.text) for line in found.journal]
    assert lines == [("Use", "used (no details given)"), ("Use", "Two beers after work"),
                     ("Note", "Slept badly"), ("Bring to group", "Talk about my brother")]
    text = brief.as_text(found)
    assert "Talk about my brother" in text and "From before the period" not in text
    assert text.startswith("This information has been disclosed")


def test_brief_text_lists_sessions_and_next_steps(session, pair):
    therapist, client = pair
    sessions.record(session, actor(therapist), client.id, clinic_today(), "group",
                    "Practise urge surfing daily")
    found = brief.for_client(session, actor(therapist), client.id, clinic_today())
    assert "group — next step: Practise urge surfing daily" in brief.as_text(found)


def test_brief_pdf_reads_back_with_the_notice_and_their_words(session, pair):
    import io

    from pypdf import PdfReader

    from companion import pdf

    therapist, client = pair
    _checkin(session, client, 0, bring_to_group="Talk about my brother")
    sessions.record(session, actor(therapist), client.id, clinic_today(), "group",
                    "Practise urge surfing daily")
    found = brief.for_client(session, actor(therapist), client.id, clinic_today())
    data = pdf.brief_pdf(found.client_name, brief.as_text(found))
    text = " ".join(" ".join(p.extract_text().split())
                    for p in PdfReader(io.BytesIO(data)).pages)
    assert "42 CFR part 2" in text and "Talk about my brother" in text
    assert "Practise urge surfing daily" in text and found.client_name in text


def test_a_client_exports_their_sessions(session, pair):
    import csv
    import io
    import zipfile

    from companion import export

    therapist, client = pair
    sessions.record(session, actor(therapist), client.id, clinic_today(), "family",
                    "Plan the weekend")
    archive = zipfile.ZipFile(io.BytesIO(export.export_zip(session, actor(client))))
    rows = list(csv.DictReader(io.StringIO(archive.read("sessions.csv").decode("utf-8-sig"))))
    assert [(r["Kind"], r["Agreed next step"]) for r in rows] == [("Family", "Plan the weekend")]
