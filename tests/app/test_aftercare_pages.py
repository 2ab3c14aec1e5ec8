"""The aftercare editor, sending for review, the reviewer's page and the PDF download."""
from sqlmodel import select

from companion import aftercare
from companion.models import (AftercareComment, AftercareCommentVersion, AftercarePlan,
                              AftercareVersion)
from tests.app.conftest import new_app, sign_in, texts
from tests.conftest import actor


def _fill(at, key, value):
    next(w for w in [*at.text_input, *at.text_area] if w.key == key).input(value)


def _ids(at) -> dict[str, str]:
    """Every box of the editor by key, with its widget id."""
    return {w.key: w.id for w in [*at.text_input, *at.text_area, *at.selectbox,
                                  *at.date_input, *at.select_slider]
            if w.key and w.key.startswith("ac-")}


def _save(at, section):
    at.button(key=f"FormSubmitter:ac-form-{section}-Save this section").click().run()


def test_client_builds_submits_and_therapist_asks_for_a_change(app, users, session):
    therapist = users.therapist(name="thera")
    client = users.client(therapist, name="robin")
    session.commit()
    sign_in(app, "robin")
    at = app.switch_page("pages/client/aftercare.py").run()
    assert "Not started" in texts(at)
    _fill(at, "ac-warning_signs-0-text", "Skipping meals")
    _save(at, "warning_signs")
    assert "Saved" in texts(at)
    _fill(at, "ac-people-0-0-name", "Sis")
    _fill(at, "ac-people-0-0-phone", "555-555-0142")
    _save(at, "people")
    assert "Saved" in texts(at)
    at.button(key="ac-send-people").click().run()  # under the section just saved
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
    _fill(at, "ac-people-0-0-name", "Sis")
    _fill(at, "ac-people-0-0-phone", "call her")
    _save(at, "people")
    assert "doesn't look like a phone number" in texts(at)
    assert at.text_input(key="ac-people-0-0-name").value == "Sis"
    assert at.text_input(key="ac-people-0-0-phone").value == "call her"
    assert session.exec(select(AftercareVersion)).first() is None
    beside = [e for e in at.error if e.icon == "⚠️"]  # under the section's own Save button
    assert beside and "nothing was saved yet" in beside[-1].value


def test_a_double_tapped_plan_save_says_saved(app, users, session):
    robin = users.client(users.therapist(), name="robin")
    session.commit()
    sign_in(app, "robin")
    at = app.switch_page("pages/client/aftercare.py").run()
    _fill(at, "ac-routine-0-text", "Walk at 7")
    sections = aftercare.empty_sections()
    aftercare.save(session, actor(robin), {**sections, "routine": "Walk at 7"},
                   expected_version=0)  # the first tap
    session.commit()
    _save(at, "routine")
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


def test_saving_one_section_keeps_what_is_typed_in_another(app, users, session):
    robin = users.client(users.therapist(), name="robin")
    session.commit()
    sign_in(app, "robin")
    at = app.switch_page("pages/client/aftercare.py").run()
    assert texts(at).count("Not saved yet") == len(aftercare.SECTIONS)
    before = _ids(at)
    _fill(at, "ac-coping-0-text", "Urge surfing")        # typed, not saved yet
    _fill(at, "ac-routine-0-text", "Up at 7, walk")
    _save(at, "routine")
    assert not at.exception
    # The browser holds what is typed in a form until it is submitted, for as long as the
    # box is the same widget: every box outside the section saved is (AppTest itself drops
    # unsubmitted form values, so the browser journey checks the text on screen).
    after = _ids(at)
    assert {k: v for k, v in after.items() if not k.startswith("ac-routine-")} == {
        k: v for k, v in before.items() if not k.startswith("ac-routine-")}
    assert after["ac-routine-1-text"] != before["ac-routine-0-text"]  # shows what was stored
    stored = aftercare.view(session, actor(robin), robin.id).sections
    assert (stored["routine"], stored["coping"]) == ("Up at 7, walk", "")
    page = texts(at)
    assert "Saved · " in page and texts(at).count("Not saved yet") == len(aftercare.SECTIONS) - 1
    assert "Saved. Earlier versions are kept." in page
    # the plan's status and Send for review, under the section just saved
    assert at.button(key="ac-send-routine").label == "Send for review"

    _fill(at, "ac-coping-0-text", "Urge surfing")
    _save(at, "coping")  # the other section, saved later
    session.expire_all()
    stored = aftercare.view(session, actor(robin), robin.id).sections
    assert (stored["routine"], stored["coping"]) == ("Up at 7, walk", "Urge surfing")
    assert texts(at).count("Not saved yet") == len(aftercare.SECTIONS) - 2


def test_goals_take_a_date_and_a_percentage(app, users, session):
    from datetime import date

    robin = users.client(users.therapist(), name="robin")
    session.commit()
    sign_in(app, "robin")
    at = app.switch_page("pages/client/aftercare.py").run()
    _fill(at, "ac-goals-0-0-goal", "Walk 5k")
    at.date_input(key="ac-goals-0-0-target_date").set_value(date(2027, 3, 31))
    at.select_slider(key="ac-goals-0-0-progress").set_value(40)
    _save(at, "goals")
    assert not at.exception
    stored = aftercare.view(session, actor(robin), robin.id).sections
    assert stored["goals"] == [{"goal": "Walk 5k", "target_date": "2027-03-31",
                                "progress": "40"}]  # the untouched empty rows: not goals
    assert "Walk 5k · by Mar 31, 2027 · 40%" in texts(at)
    assert at.select_slider(key="ac-goals-1-0-progress").value == 40


def test_a_section_saved_from_another_screen_refuses_a_stale_one(app, users, session):
    robin = users.client(users.therapist(), name="robin")
    session.commit()
    sign_in(app, "robin")
    at = app.switch_page("pages/client/aftercare.py").run()
    _fill(at, "ac-coping-0-text", "Call Sis")
    aftercare.save_section(session, actor(robin), "routine", "Walk at 7", expected_version=0)
    session.commit()  # another screen
    _save(at, "coping")
    page = texts(at)
    assert "“My daily routine” changed there" in page
    assert at.text_area(key="ac-coping-0-text").value == "Call Sis"
    assert [v.version for v in session.exec(select(AftercareVersion))] == [1]
