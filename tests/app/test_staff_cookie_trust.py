"""A staff re-login cookie spares the second factor only within the trust window after a code,
and the cookie is written Secure when the app is served over HTTPS."""
import time
from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from streamlit_authenticator.models.cookie_model import CookieModel

from companion.core.config import get_settings
from companion.core.timeutil import utcnow
from companion.ui import gate
from tests.app.conftest import registered_pages
from tests.conftest import bound_cookie


@pytest.fixture
def day_long_cookies(monkeypatch, db_url):
    monkeypatch.setenv("COOKIE_LIFETIME_HOURS", "24")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def _staff_cookie(users, session, issued_hours_ago: float, lifetime_h: float) -> dict:
    """The cookie a therapist got right after giving a code, `issued_hours_ago`."""
    staff = users.therapist(name="thera")
    staff.sessions_valid_after = utcnow() - timedelta(days=2)
    staff.last_seen_at = utcnow()  # active in another tab: the idle check passes
    token = {"username": "thera",
             "exp_date": time.time() - issued_hours_ago * 3600 + lifetime_h * 3600}
    staff.mfa_cookie_exp = token["exp_date"]
    bound_cookie(session, staff, token)
    session.commit()
    return token


@pytest.mark.parametrize("hours_ago, asks_for_code", [(1, False), (13, True)])
def test_staff_cookie_asks_for_the_code_again_after_twelve_hours(app, users, session,
                                                                 day_long_cookies,
                                                                 hours_ago, asks_for_code):
    token = _staff_cookie(users, session, hours_ago, day_long_cookies.cookie_lifetime_hours)
    with mock.patch.object(CookieModel, "get_cookie", return_value=token):
        app.run()
    pages = registered_pages(app)
    if asks_for_code:
        assert pages == {"common/second_factor.py"}
    else:
        assert "therapist/caseload.py" in pages


def test_the_cookie_is_written_secure_over_https_only(app, users, session, monkeypatch):
    users.admin()
    session.commit()  # a clinic that is set up, so the app draws the sign-in gate
    app.run()
    manager = app.session_state[gate.AUTH_KEY].cookie_controller.cookie_model.cookie_manager
    assert manager.set.func is gate._secure_when_https  # every cookie write goes through it
    calls = []

    def fake_set(*args, **kwargs):
        calls.append(kwargs)

    for url, secure in [("https://companion.example.org/", True),
                        ("http://localhost:8501/", False), (None, False)]:
        monkeypatch.setattr(gate, "st", SimpleNamespace(context=SimpleNamespace(url=url),
                                                        session_state={}))
        gate._secure_when_https(fake_set, SimpleNamespace(exp_date=None), "iop_companion_auth",
                                "token", expires_at=None)
        assert calls.pop().get("secure", False) is secure, url
