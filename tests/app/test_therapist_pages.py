"""Caseload with flags to acknowledge, and the pre-session brief."""
from sqlmodel import select

from companion.actors import Actor
from companion.checkins import CheckInEntry, record_checkin
from companion.models import AuditEvent, Flag, User
from tests.app.conftest import sign_in, texts


def _setup(users, session):
    therapist = users.therapist(name="thera")
    client = users.client(therapist, name="robin")
    users.client(users.therapist(name="other"), name="not-mine")
    record_checkin(session, Actor.of(client), CheckInEntry(craving=9, mood=4))
    session.commit()
    return therapist, client


def test_caseload_shows_the_flag_and_acknowledges_it(app, users, session):
    therapist, client = _setup(users, session)
    sign_in(app, "thera")
    page = texts(app)
    assert "Needs attention (1)" in page and "Strong craving" in page
    flag = session.exec(select(Flag)).one()
    app.text_input(key=f"ack-{flag.id}").input("Called her; plan reviewed")
    app.button(key=f"ack-btn-{flag.id}").click().run()
    session.expire_all()
    flag = session.exec(select(Flag)).one()
    assert flag.ack_note == "Called her; plan reviewed" and flag.acknowledged_by == therapist.id
    page = texts(app)
    assert "Needs attention (0)" in page
    # It says so (a toast), offers an undo, and lists it under "Recently acknowledged".
    assert any("Acknowledged" in t.value for t in app.toast)
    assert "Recently acknowledged" in page and "Called her; plan reviewed" in page
    app.button(key="ack-undo").click().run()
    session.expire_all()
    assert session.exec(select(Flag)).one().acknowledged_at is None
    assert "Needs attention (1)" in texts(app)
    assert not [b for b in app.button if b.key == "ack-undo"]
    assert any("open again" in t.value for t in app.toast)


def test_caseload_is_one_card_a_client_in_words(app, users, session):
    therapist, client = _setup(users, session)
    calm = users.client(therapist, name="calm")
    session.commit()
    not_mine = session.exec(select(User).where(User.username == "not-mine")).one()
    sign_in(app, "thera")
    assert not app.dataframe  # no wide grid to scroll sideways
    page = texts(app)
    card = next(line for line in page.split("\n")
                if line.startswith(f"**{client.display_name}** · "))
    assert "⏰ **Same day**" in card and "Strong craving: Check-in craving 9/10" in card
    assert "Last check-in today; craving 9.0/10 this week" in page
    assert f"**{calm.display_name}** · no open flags" in page and "Last check-in never" in page
    assert page.index(f"**{client.display_name}** · ") < page.index(f"**{calm.display_name}** · ")
    assert not_mine.display_name not in page
    assert "Need score" in page
    app.toggle(key="caseload-flagged").set_value(True).run()
    page = texts(app)
    assert f"**{calm.display_name}** · no open flags" not in page
    assert f"**{client.display_name}** · " in page


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
