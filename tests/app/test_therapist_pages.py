"""Caseload with flags to acknowledge, and the pre-session brief."""
from sqlmodel import select

from companion.actors import Actor
from companion.checkins import record_checkin
from companion.models import AuditEvent, Flag
from tests.app.conftest import sign_in, texts
from tests.support.entries import answered


def _setup(users, session):
    therapist = users.therapist(name="thera")
    client = users.client(therapist, name="robin")
    users.client(users.therapist(name="other"), name="not-mine")
    record_checkin(session, Actor.of(client), answered(craving=9, mood=4))
    session.commit()
    return therapist, client


def test_caseload_shows_the_flag_and_acknowledges_it(app, users, session):
    therapist, client = _setup(users, session)
    sign_in(app, "thera")
    page = texts(app)
    assert "Needs attention (1)" in page and "Strong craving" in page
    assert list(app.dataframe[0].value["Client"]) == [client.display_name]
    flag = session.exec(select(Flag)).one()
    app.text_input(key=f"ack-{flag.id}").input("Called her; plan reviewed")
    app.button(key=f"ack-btn-{flag.id}").click().run()
    session.expire_all()
    flag = session.exec(select(Flag)).one()
    assert flag.ack_note == "Called her; plan reviewed" and flag.acknowledged_by == therapist.id
    assert "Needs attention (0)" in texts(app)


def test_acknowledging_without_a_note_says_why(app, users, session):
    _setup(users, session)
    sign_in(app, "thera")
    flag = session.exec(select(Flag)).one()
    app.button(key=f"ack-btn-{flag.id}").click().run()
    assert "short note" in texts(app)
    session.expire_all()
    assert session.exec(select(Flag)).one().acknowledged_at is None


def test_brief_reads_and_is_audited(app, users, session):
    therapist, client = _setup(users, session)
    sign_in(app, "thera")
    at = app.switch_page("pages/therapist/brief.py").run()
    at.selectbox(key="brief-client").set_value(client.id).run()
    page = texts(at)
    assert "1** check-ins" in page and "Strong craving" in page
    details = set(session.exec(select(AuditEvent.detail).where(
        AuditEvent.client_id == client.id)))
    assert any(d.startswith("brief since") for d in details)
