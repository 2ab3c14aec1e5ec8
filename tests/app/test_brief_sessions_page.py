"""The brief page records a session, then starts its period from it and shows the client's
own words for the period."""
from datetime import timedelta

from sqlmodel import select

from companion import sessions
from companion.actors import Actor
from companion.checkins import record_checkin
from companion.core.timeutil import clinic_today
from companion.models import TherapySession
from tests.app.conftest import sign_in, texts
from tests.support.entries import answered


def _open_brief(app, client):
    sign_in(app, "thera")
    at = app.switch_page("pages/therapist/brief.py").run()
    return at.selectbox(key="brief-client").set_value(client.id).run()


def test_brief_starts_at_the_last_session_and_shows_what_they_wrote(app, users, session):
    therapist = users.therapist(name="thera")
    client = users.client(therapist, name="robin")
    sessions.record(session, Actor.of(therapist), client.id,
                    clinic_today() - timedelta(days=3), "family", "Plan the weekend")
    record_checkin(session, Actor.of(client),
                   answered(note="Hard day at work", bring_to_group="Weekend plans"))
    session.commit()
    at = _open_brief(app, client)
    assert not at.exception
    assert at.date_input(key=f"brief-since-{client.id}").value == (
        clinic_today() - timedelta(days=3))
    page = texts(at)
    assert "Family — next step: Plan the weekend" in page
    assert "Hard day at work" in page and "Weekend plans" in page


def test_recording_a_session_moves_the_period(app, users, session):
    therapist = users.therapist(name="thera")
    client = users.client(therapist, name="robin")
    session.commit()
    at = _open_brief(app, client)
    assert at.date_input(key=f"brief-since-{client.id}").value == (
        clinic_today() - timedelta(days=7))
    prefix = f"session-{client.id}"
    at.radio(key=f"{prefix}-kind").set_value("group")
    at.text_input(key=f"{prefix}-step").input("Share the relapse map")
    at.button(key=f"{prefix}-save").click().run()
    assert not at.exception
    assert "Session recorded" in texts(at)
    assert at.date_input(key=f"brief-since-{client.id}").value == clinic_today()
    session.expire_all()
    held = session.exec(select(TherapySession)).one()
    assert (held.kind, held.next_step) == ("group", "Share the relapse map")


def test_a_bad_session_keeps_what_was_typed(app, users, session):
    therapist = users.therapist(name="thera")
    client = users.client(therapist, name="robin")
    session.commit()
    at = _open_brief(app, client)
    prefix = f"session-{client.id}"
    at.date_input(key=f"{prefix}-day").set_value(clinic_today() - timedelta(days=400))
    at.text_input(key=f"{prefix}-step").input("Keep this text")
    at.button(key=f"{prefix}-save").click().run()
    assert "more than a year" in texts(at)
    assert at.text_input(key=f"{prefix}-step").value == "Keep this text"
    session.expire_all()
    assert session.exec(select(TherapySession)).all() == []


def test_brief_shows_change_since_baseline_and_charts_its_period(app, users, session,
                                                                  monkeypatch):
    from datetime import datetime, time, timezone

    from companion import measures
    from companion.models import MeasureResponse

    asked = []
    real = measures.history

    def history(session, actor, client_id, instrument_id, days=365):
        asked.append(days)
        return real(session, actor, client_id, instrument_id, days)

    monkeypatch.setattr(measures, "history", history)

    therapist = users.therapist(name="thera")
    client = users.client(therapist, name="robin")
    for days_ago, total in ((40, 16), (2, 11)):
        day = clinic_today() - timedelta(days=days_ago)
        session.add(MeasureResponse(client_id=client.id, instrument="phq9", answers={},
                                    scores={"total": total}, local_day=day,
                                    completed_at=datetime.combine(day, time(12),
                                                                  tzinfo=timezone.utc)))
    session.commit()
    at = _open_brief(app, client)
    assert not at.exception
    page = texts(at)
    assert "**PHQ-9 total**: 16" in page and "reliable improvement" in page
    assert asked and set(asked) == {8}  # the default 7 days back, today included
