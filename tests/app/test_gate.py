"""The login gate, each role's navigation, first run, forced password change, lockout,
the cookie path (reached by patching the library's cookie read), idle timeout."""
import time
from unittest import mock

import pytest
from streamlit_authenticator.models.cookie_model import CookieModel

from companion import auth
from companion.core.config import get_settings
from companion.models import Role
from companion.core.timeutil import utcnow
from tests.app.conftest import (cookies_issued, links, new_app, registered_pages, sign_in,
                                texts)
from tests.conftest import PASSWORD, bound_cookie

CLIENT_PAGES = {"client/home.py", "client/checkin.py", "client/cravings.py", "client/skills.py",
                "client/trends.py", "client/measures.py", "client/safety_plan.py",
                "client/lookback.py", "client/aftercare.py", "client/groups.py",
                "common/account.py"}
ROLE_PAGES = {
    Role.CLIENT: CLIENT_PAGES,
    Role.ALUMNI: CLIENT_PAGES,  # client/groups.py is "My calendar" for alumni: feed, reminder
    Role.THERAPIST: {"therapist/caseload.py", "therapist/client.py", "therapist/brief.py",
                     "therapist/outcomes.py",
                     "therapist/reviews.py", "therapist/skills.py", "therapist/groups.py",
                     "common/account.py"},
    Role.ADMIN: {"admin/people.py", "admin/audit.py", "admin/groups.py", "admin/outcomes.py",
                 "common/account.py"},
}
ALL_ROLE_PAGES = set().union(*ROLE_PAGES.values())


def make(users, role):
    therapist = users.therapist(name="thera")
    return {Role.CLIENT: lambda: users.client(therapist, name="cli"),
            Role.ALUMNI: lambda: users.alumni(therapist, name="alum"),
            Role.THERAPIST: lambda: therapist,
            Role.ADMIN: lambda: users.admin(name="boss")}[role]()


def test_first_run_offers_admin_setup_once(app):
    app.run()
    assert registered_pages(app) == {"public/first_run.py"}
    assert "No account exists yet" in texts(app)
    app.text_input[0].input("Lead Admin")
    app.text_input[1].input("lead")
    app.text_input[2].input("a quiet harbor at dawn 42")
    app.text_input[3].input("a quiet harbor at dawn 42")
    app.button[0].click().run()
    assert "Admin account created" in texts(app)
    app.run()
    assert registered_pages(app) == {"public/login.py"}
    with pytest.raises(ValueError):
        app.switch_page("pages/public/first_run.py")


def test_first_run_keeps_what_was_typed_when_refused(app):
    app.run()
    app.text_input[0].input("Lead Admin")
    app.text_input[1].input("lead")
    app.text_input[2].input("too short")
    app.text_input[3].input("too short")
    app.button[0].click().run()
    assert "at least 15" in texts(app)
    assert app.text_input[0].value == "Lead Admin" and app.text_input[1].value == "lead"


def test_signed_out_visitors_see_only_sign_in_and_crisis_help(app, users, session):
    users.admin(name="boss")
    session.commit()
    app.run()
    assert registered_pages(app) == {"public/login.py"}
    assert [t.label for t in app.text_input] == ["Username", "Password"]
    assert "SAMHSA" in texts(app)
    assert {"tel:988", "sms:988", "tel:911", "tel:18006624357", "tel:18007154225",
            "sms:741741?&body=HOME"} <= set(links(app).values())
    for page in ALL_ROLE_PAGES:
        with pytest.raises(ValueError):
            app.switch_page(f"pages/{page}")


@pytest.mark.parametrize("role", list(ROLE_PAGES))
def test_each_role_gets_only_its_pages(app, users, session, role):
    user = make(users, role)
    session.commit()
    sign_in(app, user.username)
    assert app.session_state["actor"].role == role
    assert registered_pages(app) == ROLE_PAGES[role]
    for page in ALL_ROLE_PAGES - ROLE_PAGES[role]:
        with pytest.raises(ValueError):
            app.switch_page(f"pages/{page}")
    for page in ROLE_PAGES[role]:
        app.switch_page(f"pages/{page}").run()
        assert not app.exception, page
        assert "tel:988" in links(app).values(), f"crisis help missing on {page}"


def test_no_page_script_sits_directly_in_pages():
    """Streamlit's legacy multipage mode runs `pages/*.py` by URL (and AppTest reruns them)
    without router.py, which would skip the login gate; every page lives in a subfolder."""
    from companion.core.config import ROOT

    assert list((ROOT / "pages").glob("*.py")) == []


def test_client_home_shows_own_name_only(app, users, session):
    therapist = users.therapist()
    me, other = users.client(therapist, name="me"), users.client(therapist, name="other")
    session.commit()
    sign_in(app, "me")
    page = texts(app)
    assert me.display_name.split()[0] in page and other.display_name not in page


def test_therapist_caseload_lists_assigned_clients_only(app, users, session):
    t1, t2 = users.therapist(name="t1"), users.therapist(name="t2")
    mine, theirs = users.client(t1), users.client(t2)
    session.commit()
    sign_in(app, "t1")
    page = texts(app)  # one card per client
    assert mine.display_name in page and theirs.display_name not in page


def test_one_time_password_forces_a_change_first(app, users, session):
    user = users.client(users.therapist(), name="newbie")
    user.must_change_password = True
    session.commit()
    sign_in(app, "newbie")
    assert registered_pages(app) == {"common/change_password.py"}
    with pytest.raises(ValueError):
        app.switch_page("pages/client/home.py")
    app.text_input[0].input(PASSWORD)
    app.text_input[1].input("short")
    app.text_input[2].input("short")
    app.button[0].click().run()
    assert "at least 15" in texts(app)
    new = "seven lanterns over the bay"
    app.text_input[1].input(new)
    app.text_input[2].input(new)
    app.button[0].click().run()
    assert "password is changed" in texts(app)
    app.run()
    assert registered_pages(app) == ROLE_PAGES[Role.CLIENT]
    assert app.session_state["actor"].username == "newbie"


def test_five_failures_show_the_lockout(app, users, session):
    users.client(users.therapist(), name="robin")
    session.commit()
    app.run()
    for i in range(5):
        app.text_input[0].input("robin")
        app.text_input[1].input(f"wrong guess {i}")
        app.button[0].click().run()
    assert "paused for 15 minutes" in texts(app)
    app.text_input[1].input(PASSWORD)
    app.button[0].click().run()
    assert "paused for 15 minutes" in texts(app)
    assert not app.session_state["authentication_status"]


def test_unknown_username_gets_the_same_words(app, users, session):
    users.client(users.therapist(), name="robin")
    session.commit()
    sign_in(app, "robin", "wrong password here")
    wrong = texts(app)
    other = new_app()
    sign_in(other, "nobody-at-all", "wrong password here")
    assert auth.WRONG in wrong and auth.WRONG in texts(other)


def _token(username: str) -> dict:
    return {"username": username,
            "exp_date": time.time() + get_settings().cookie_lifetime_hours * 3600}


def test_cookie_signs_in_until_revoked(app, users, session):
    user = users.client(users.therapist(), name="robin")
    user.last_seen_at = utcnow()
    session.commit()
    token = bound_cookie(session, user, _token("robin"))
    session.commit()
    with mock.patch.object(CookieModel, "get_cookie", return_value=token):
        app.run()
        assert app.session_state["actor"].username == "robin"
        auth.end_sessions(session, user.id)  # e.g. signed out on another device
        session.commit()
        app.run()
        assert registered_pages(app) == {"public/login.py"}
        fresh = new_app()
        fresh.run()
        assert registered_pages(fresh) == {"public/login.py"}


def test_sign_out_ends_the_session_and_revokes_cookies(app, users, session):
    users.client(users.therapist(), name="robin")
    session.commit()
    with cookies_issued("robin") as cookies:
        sign_in(app, "robin")
    copied = cookies[-1]  # the cookie as issued at sign-in
    app.sidebar.button[0].click().run()
    assert registered_pages(app) == {"public/login.py"}
    with mock.patch.object(CookieModel, "get_cookie", return_value=copied):
        replay = new_app()
        replay.run()
    assert registered_pages(replay) == {"public/login.py"}


def test_idle_session_is_signed_out_on_the_server(app, users, session):
    users.client(users.therapist(), name="robin")
    session.commit()
    sign_in(app, "robin")
    app.session_state["_last_activity"] = time.time() - 16 * 60
    app.run()
    assert registered_pages(app) == {"public/login.py"}
    assert "without activity" in texts(app)


def test_unsafe_cookie_key_refuses_to_serve(app, monkeypatch):
    monkeypatch.setenv("COOKIE_KEY", "some_key")
    get_settings.cache_clear()
    app.run()
    assert "not safe" in texts(app) and "988" in texts(app)
    assert not app.text_input


def test_unreachable_database_still_shows_crisis_help(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody:x@127.0.0.1:1/none")
    from cryptography.fernet import Fernet

    for name in ("ENCRYPTION_KEY", "LABEL_HASH_KEY", "AUDIT_KEY"):  # PostgreSQL: from env
        monkeypatch.setenv(name, Fernet.generate_key().decode())
    get_settings.cache_clear()
    at = new_app()
    at.run()
    page = texts(at)
    assert "can't reach its database" in page
    assert {"tel:988", "sms:988", "tel:911", "tel:18006624357"} <= set(links(at).values())
    get_settings.cache_clear()


def test_broken_clinic_file_keeps_the_crisis_numbers(app, monkeypatch, tmp_path):
    bad = tmp_path / "clinic.toml"
    bad.write_text('name = "x"\n[[crisis_resources]]\nname = "y"\nsurprise = 1\n')
    monkeypatch.setenv("COMPANION_CLINIC_FILE", str(bad))
    app.run()
    assert {"tel:988", "sms:988", "tel:911", "tel:18006624357", "tel:18007154225",
            "sms:741741?&body=HOME"} <= set(links(app).values())
