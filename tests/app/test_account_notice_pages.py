"""After an admin resets a staff member's password and second factor, the pages that sign-in
leads to say who reset it and when."""
from companion import mfa, people
from tests.app.conftest import registered_pages, sign_in, texts
from tests.conftest import actor

NEW_PW = "seven lanterns over the bay"


def test_a_reset_therapist_sees_who_reset_them_at_first_sign_in(app, users, session):
    boss, thera = users.admin(name="boss"), users.therapist(name="thera")
    boss.display_name = "Admin **Bold** Ann"  # shown as typed, never as markdown
    temporary = people.reset_password(session, actor(boss), thera.id)
    mfa.admin_reset(session, actor(boss), thera.id)
    session.commit()
    sign_in(app, "thera", temporary)
    assert registered_pages(app) == {"common/change_password.py"}
    page = texts(app)
    assert "Changes to your account by others" in page
    assert ("password reset (one-time password issued, every session ended), by Admin "
                 "**Bold** Ann") in page  # escaped: the name shows exactly as typed
    app.text_input[0].input(temporary)
    app.text_input[1].input(NEW_PW)
    app.text_input[2].input(NEW_PW)
    app.button[0].click().run()
    app.run()
    assert registered_pages(app) == {"common/second_factor.py"}
    assert "second factor reset (every session ended), by Admin" in texts(app)


def test_no_notice_without_changes_by_others(app, users, session):
    thera = users.therapist(name="thera")
    thera.must_change_password = True
    session.commit()
    sign_in(app, "thera")
    assert "Changes to your account by others" not in texts(app)
