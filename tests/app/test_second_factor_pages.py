"""Staff cannot get past the password alone; clients read the privacy notice first."""
import time
from unittest import mock

import pyotp
from sqlmodel import select
from streamlit_authenticator.models.cookie_model import CookieModel

from companion.core.config import get_settings
from companion.models import User
from companion.core.timeutil import utcnow
from tests.app.conftest import new_app, registered_pages, texts
from tests.conftest import PASSWORD, bound_cookie, totp_code


def _password_only(at, username):
    at.run()
    at.text_input[0].input(username)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    return at.run()


def test_staff_enrol_on_first_sign_in_then_reach_their_pages(app, users, session):
    staff = users.therapist(name="thera")
    staff.totp_secret = None
    session.commit()
    _password_only(app, "thera")
    assert registered_pages(app) == {"common/second_factor.py"}
    assert app.get("image"), "the QR code is drawn here, not fetched"
    secret = app.session_state["_totp_secret"]
    app.text_input[0].input(pyotp.TOTP(secret).now())
    app.button[0].click().run()
    assert "recovery codes" in texts(app).lower() and app.get("code")
    next(b for b in app.button if b.label.startswith("I've saved them")).click().run()
    app.run()
    assert "therapist/caseload.py" in registered_pages(app)


def test_a_wrong_code_keeps_staff_out(app, users, session):
    users.therapist(name="thera")
    session.commit()
    _password_only(app, "thera")
    app.text_input[0].input("000000")
    app.button[0].click().run()
    assert "didn't match" in texts(app)
    assert registered_pages(app) == {"common/second_factor.py"}


def test_a_staff_cookie_alone_still_asks_for_the_code(app, users, session):
    staff = users.therapist(name="thera")
    staff.last_seen_at = utcnow()
    session.commit()
    token = bound_cookie(session, staff, {
        "username": "thera", "exp_date": time.time() + get_settings().cookie_lifetime_hours * 3600})
    session.commit()
    with mock.patch.object(CookieModel, "get_cookie", return_value=token):
        app.run()
        assert registered_pages(app) == {"common/second_factor.py"}
        app.text_input[0].input(totp_code(scope="cookie"))
        app.button[0].click().run()
        app.run()
        assert "therapist/caseload.py" in registered_pages(app)
    session.expire_all()
    trusted = session.exec(select(User).where(User.username == "thera")).one().mfa_cookie_exp
    assert trusted is not None and trusted != token["exp_date"]
    fresh = {"username": "thera", "exp_date": trusted}  # the cookie issued after the code
    with mock.patch.object(CookieModel, "get_cookie", return_value=fresh):
        reload = new_app()
        reload.run()
        assert "therapist/caseload.py" in registered_pages(reload)


def test_new_client_reads_the_privacy_notice_first(app, users, session):
    client = users.client(users.therapist(), name="robin")
    client.notice_acknowledged_at = None
    session.commit()
    _password_only(app, "robin")
    assert registered_pages(app) == {"common/notice.py"}
    assert "42 CFR Part 2" in texts(app)
    app.button[0].click().run()
    assert "client/home.py" in registered_pages(app)
    session.expire_all()
    assert session.exec(select(User).where(User.username == "robin")).one(
    ).notice_acknowledged_at is not None
    at = app.switch_page("pages/common/account.py").run()
    assert "Privacy notice read" in texts(at)
