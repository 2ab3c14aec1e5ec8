"""Caseload with flags to acknowledge, and the pre-session brief."""
from sqlmodel import select

from companion.actors import Actor
from companion.checkins import record_checkin
from companion.models import AuditEvent, Flag, User
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


def _flagged_twice(users, session):
    """robin: a craving-9 check-in (same day) and a PHQ-9 with item 9 answered 1 (urgent)."""
    from companion import measures

    therapist, client = _setup(users, session)
    measures.submit(session, Actor.of(client), "phq9", {str(i): 1 for i in range(1, 10)})
    session.commit()
    return therapist, client


def test_record_opened_from_a_flag_shows_it_first_and_acknowledges_several(app, users,
                                                                          session):
    therapist, client = _flagged_twice(users, session)
    sign_in(app, "thera")
    urgent = session.exec(select(Flag).where(Flag.tier == "urgent")).first()
    app.button(key=f"open-{urgent.id}").click().run()
    assert app.query_params.get("client") in (str(client.id), [str(client.id)])
    assert app.selectbox(key="record-client").value == client.id
    page = texts(app)  # subheaders in page order, then markdown in page order
    order = [page.index(h) for h in ("Open flags (", "Since last session", "Questionnaires",
                                     "Safety plan", "Flag history")]
    assert order == sorted(order), page
    assert page.index("Self-harm") < page.index("Strong craving")  # the urgent one first
    assert "🚩 **9.**" in page and "(risk item)" in page  # item 9, marked
    # Spoken about the client, never in their voice.
    assert f"What works for {client.display_name}" in page and "What works for me" not in page
    assert "your therapist" not in page and f"{client.display_name}'s latest PHQ-9" in page

    ids = [f.id for f in session.exec(select(Flag).where(Flag.client_id == client.id))]
    assert len(ids) >= 2 and all(app.checkbox(key=f"rec-tick-{i}").value for i in ids)
    app.text_input(key="rec-ack-note").input("Called; safety plan reviewed together")
    app.button(key="rec-ack").click().run()
    session.expire_all()
    handled = session.exec(select(Flag).where(Flag.client_id == client.id)).all()
    assert {f.ack_note for f in handled} == {"Called; safety plan reviewed together"}
    assert {f.acknowledged_by for f in handled} == {therapist.id}
    page = texts(app)
    assert "Open flags (0)" in page and any("Acknowledged" in t.value for t in app.toast)
    # The flag history (texts() groups by element kind: the notes are only there).
    assert page.count("Called; safety plan reviewed together") == len(handled)
    assert page.count(f"by {therapist.display_name} — Called") == len(handled)
    details = set(session.exec(select(AuditEvent.detail).where(
        AuditEvent.client_id == client.id, AuditEvent.actor_id == therapist.id)))
    assert any("check-ins since" in d for d in details)


def test_record_acknowledges_only_the_ticked_flags(app, users, session):
    _, client = _flagged_twice(users, session)
    sign_in(app, "thera")
    at = app.switch_page("pages/therapist/client.py").run()
    at.selectbox(key="record-client").set_value(client.id).run()
    craving = session.exec(select(Flag).where(Flag.rule == "craving_high")).one()
    at.checkbox(key=f"rec-tick-{craving.id}").uncheck().run()
    at.text_input(key="rec-ack-note").input("Seeing them this afternoon")
    at.button(key="rec-ack").click().run()
    session.expire_all()
    open_now = session.exec(select(Flag).where(Flag.acknowledged_at.is_(None))).all()
    assert [f.id for f in open_now] == [craving.id]


def test_the_chosen_client_carries_across_record_brief_and_skills(app, users, session):
    _, client = _setup(users, session)
    sign_in(app, "thera")
    at = app.switch_page("pages/therapist/client.py").run()
    at.selectbox(key="record-client").set_value(client.id).run()
    assert at.query_params.get("client") in (str(client.id), [str(client.id)])
    for path, key in (("pages/therapist/brief.py", "brief-client"),
                      ("pages/therapist/skills.py", "skills-client")):
        at = at.switch_page(path).run()
        assert at.selectbox(key=key).value == client.id, path


def test_the_records_since_last_session_starts_at_the_last_recorded_session(app, users,
                                                                             session):
    """As the brief: the period starts at the last recorded session, not a fixed week."""
    from datetime import timedelta

    from companion import sessions
    from companion.core.timeutil import clinic_today

    therapist, client = _setup(users, session)
    held = clinic_today() - timedelta(days=10)
    sessions.record(session, Actor.of(therapist), client.id, held, "individual")
    session.commit()
    sign_in(app, "thera")
    at = app.switch_page("pages/therapist/client.py").run()
    at.selectbox(key="record-client").set_value(client.id).run()
    assert not at.exception
    assert f"From the last session, {held:%a %b %-d}" in texts(at)


def test_the_measures_due_filter_narrows_the_caseload(app, users, session):
    from companion import instruments, measures

    therapist = users.therapist(name="thera")
    due, done = users.client(therapist, name="due"), users.client(therapist, name="done")
    me = Actor.of(done)
    measures.submit(session, me, "phq9", {str(i): 0 for i in range(1, 10)})
    measures.submit(session, me, "gad7", {str(i): 0 for i in range(1, 8)})
    measures.submit(session, me, "bam", {i.id: 0 for i in instruments.get("bam").items("30")},
                    "30")
    session.commit()
    sign_in(app, "thera")
    assert "measures up to date" in texts(app) and "Anxiety check (GAD-7) due" in texts(app)
    app.toggle(key="caseload-due").set_value(True).run()
    assert not app.exception
    page = texts(app)
    assert "measures up to date" not in page and "Anxiety check (GAD-7)" in page
