"""The aftercare editor, sending for review, the reviewer's page and the PDF download."""
from sqlmodel import select

from companion import aftercare
from companion.models import (AftercareComment, AftercareCommentVersion, AftercarePlan,
                              AftercareVersion)
from tests.app.conftest import new_app, sign_in, texts
from tests.conftest import actor


def _fill(at, key, value):
    next(w for w in [*at.text_input, *at.text_area] if w.key == key).input(value)


def test_client_builds_submits_and_therapist_asks_for_a_change(app, users, session):
    therapist = users.therapist(name="thera")
    client = users.client(therapist, name="robin")
    session.commit()
    sign_in(app, "robin")
    at = app.switch_page("pages/client/aftercare.py").run()
    assert "Not started" in texts(at)
    _fill(at, "ac-0-warning_signs", "Skipping meals")
    _fill(at, "ac-0-people-0-name", "Sis")
    _fill(at, "ac-0-people-0-phone", "555-555-0142")
    next(b for b in at.button if b.label == "Save my plan").click().run()
    assert "Saved" in texts(at)
    next(b for b in at.button if b.label == "Send for review").click().run()
    assert "Waiting for review" in texts(at)
    assert session.exec(select(AftercarePlan)).one().status == "submitted"

    reviewer = new_app()
    sign_in(reviewer, "thera")
    assert "1 aftercare plan waiting" in texts(reviewer)
    rv = reviewer.switch_page("pages/therapist/reviews.py").run()
    rv.text_input(key=f"rc-{client.id}-people").input("Add your sponsor too?")
    rv.button(key=f"rc-btn-{client.id}-people").click().run()
    next(b for b in rv.button if b.label == "Ask for changes").click().run()
    assert "Sent back" in texts(rv)

    at.run()
    page = texts(at)
    assert "Changes requested" in page and "Add your sponsor too?" in page
    assert any(d.proto.label == "Download PDF" for d in at.get("download_button"))


def test_bad_phone_in_plan_keeps_the_form(app, users, session):
    users.client(users.therapist(), name="robin")
    session.commit()
    sign_in(app, "robin")
    at = app.switch_page("pages/client/aftercare.py").run()
    _fill(at, "ac-0-routine", "Walk at 7")
    _fill(at, "ac-0-people-0-name", "Sis")
    _fill(at, "ac-0-people-0-phone", "call her")
    next(b for b in at.button if b.label == "Save my plan").click().run()
    assert "doesn't look like a phone number" in texts(at)
    assert next(w for w in at.text_area if w.key == "ac-0-routine").value == "Walk at 7"
    assert session.exec(select(AftercareVersion)).first() is None


def test_a_double_tapped_plan_save_says_saved(app, users, session):
    robin = users.client(users.therapist(), name="robin")
    session.commit()
    sign_in(app, "robin")
    at = app.switch_page("pages/client/aftercare.py").run()
    _fill(at, "ac-0-routine", "Walk at 7")
    sections = aftercare.empty_sections()
    aftercare.save(session, actor(robin), {**sections, "routine": "Walk at 7"},
                   expected_version=0)  # the first tap
    session.commit()
    next(b for b in at.button if b.label == "Save my plan").click().run()
    assert "Saved" in texts(at) and "another screen" not in texts(at)
    assert [v.version for v in session.exec(select(AftercareVersion))] == [1]


def test_comments_show_author_and_time_and_the_author_edits_one(app, users, session):
    from tests.unit.test_aftercare import plan

    therapist = users.therapist(name="thera")
    client = users.client(therapist, name="robin")
    aftercare.save(session, actor(client), plan())
    aftercare.submit(session, actor(client))
    session.commit()
    sign_in(app, "thera")
    rv = app.switch_page("pages/therapist/reviews.py").run()
    rv.text_input(key=f"rc-{client.id}-people").input("Add your sponsor?")
    rv.button(key=f"rc-btn-{client.id}-people").click().run()
    assert f"{therapist.display_name} · " in texts(rv) and "edited" not in texts(rv)
    note = session.exec(select(AftercareComment)).one()
    field = f"rc-{client.id}-edit-{note.id}"
    rv.text_area(key=field).input("Add your sponsor's number?")
    rv.button(key=f"{field}-save").click().run()
    assert not rv.exception
    page = texts(rv)
    assert "Add your sponsor's number?" in page and " · edited " in page
    assert "Add your sponsor?" in page  # the earlier wording, kept and shown
    session.expire_all()
    assert [v.version for v in session.exec(select(AftercareCommentVersion))] == [1, 2]

    aftercare.decide(session, actor(therapist), client.id, approve=False)
    session.commit()
    me = new_app()
    sign_in(me, "robin")
    page = texts(me.switch_page("pages/client/aftercare.py").run())
    assert "Add your sponsor's number?" in page
    assert f"{therapist.display_name} · " in page and " · edited " in page
