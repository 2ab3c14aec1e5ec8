"""The passkey page and its JSON calls: the same sign-in the password makes, nothing weaker."""
import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from companion import auth, passkeys
from companion.core.config import get_settings
from companion.core.timeutil import utcnow
from companion.models import UserSession
from companion.web import routes
from companion.web.passkey_routes import PER_ADDRESS
from tests.support.soft_authenticator import SoftAuthenticator

ORIGIN = "http://localhost:8501"


@pytest.fixture
def http(db_url):
    PER_ADDRESS.clear()
    app = Starlette(routes=routes.routes(), middleware=routes.middleware())
    return TestClient(app, base_url="http://localhost:8501", headers={"Origin": ORIGIN})


def _cookie(session, user, *, trusted=False) -> str:
    """The re-login cookie a password sign-in (and, `trusted`, its second step) leaves."""
    user.last_seen_at = utcnow()
    session.add(user)
    value, expires = auth.issue_cookie(session, user, auth.start_session(session, user))
    if trusted:
        auth.trust_cookie(session, user.id, expires)
    session.commit()
    return value


def _call(http, path, body, cookie=None):
    cookies = {get_settings().cookie_name: cookie} if cookie else None
    http.cookies.clear()
    return http.post(f"/passkey/{path}", json=body, cookies=cookies)


def _register(http, session, user, device, cookie):
    options = _call(http, "options", {"do": "register"}, cookie).json()
    assert options["ok"], options
    reply = _call(http, "verify", {"do": "register", "handle": options["handle"],
                                   "credential": device.create(options["options"]),
                                   "label": "Phone"}, cookie)
    return reply


def _sign_in(http, device):
    options = _call(http, "options", {"do": "sign-in"}).json()
    return _call(http, "verify", {"do": "sign-in", "handle": options["handle"],
                                  "credential": device.get(options["options"])})


def test_the_page_runs_only_its_own_script_file(http):
    for mode in ("sign-in", "register", "second-factor"):
        page = http.get(f"/passkey/?do={mode}")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert '<script src="passkey.js" defer></script>' in page.text
        assert page.text.count("<script") == 1
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert "unsafe-inline" not in page.headers["content-security-policy"].split(
            "script-src")[1].split(";")[0]
        assert page.headers["cache-control"] == "no-store"
    script = http.get("/passkey/passkey.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith(
        "text/javascript")
    assert "navigator.credentials" in script.text
    assert 'autocomplete="username webauthn"' in http.get("/passkey/").text
    assert "<script>" not in http.get("/passkey/?do=<script>").text


def test_a_client_adds_a_passkey_then_signs_in_with_it(http, session, users):
    client = users.client()
    device = SoftAuthenticator()
    reply = _register(http, session, client, device, _cookie(session, client))
    assert reply.json()["ok"] and reply.json()["next"] == "../account"
    reply = _sign_in(http, device)
    assert reply.status_code == 200 and reply.json() == {
        "ok": True, "next": "../", "message": "Signed in. Opening your pages…"}
    set_cookie = reply.headers["set-cookie"]
    assert "SameSite=strict" in set_cookie and "Path=/" in set_cookie
    assert "HttpOnly" not in set_cookie  # the login library signs out by deleting it
    value = reply.cookies[get_settings().cookie_name]
    token = auth.read_cookie(value)
    session.expire_all()
    assert token["username"] == client.username
    assert auth.cookie_user(session, token).id == client.id  # the gate's own check
    user = auth.cookie_user(session, token)
    assert auth.cookie_passed_second_factor(user, token)
    row = session.exec(select(UserSession).where(UserSession.cookie_exp == token["exp_date"])
                       ).one()
    assert row.user_id == client.id and row.ended_at is None


def test_a_passkey_sign_in_is_revoked_like_any_other(http, session, users):
    client = users.client()
    device = SoftAuthenticator()
    _register(http, session, client, device, _cookie(session, client))
    token = auth.read_cookie(_sign_in(http, device).cookies[get_settings().cookie_name])
    auth.end_sessions(session, client.id)  # sign-out everywhere, a password change…
    session.commit()
    assert auth.cookie_user(session, token) is None


def test_adding_a_passkey_needs_a_complete_sign_in(http, session, users):
    client, staff = users.client(), users.therapist()
    assert _call(http, "options", {"do": "register"}).status_code == 401
    assert _call(http, "options", {"do": "register"}, "not-a-cookie").status_code == 401
    ended = _cookie(session, client)
    auth.end_sessions(session, client.id)
    session.commit()
    assert _call(http, "options", {"do": "register"}, ended).status_code == 401
    # Staff past the password but not yet the second step: no passkey can be added.
    assert _call(http, "options", {"do": "register"}, _cookie(session, staff)).status_code == 401
    trusted = _cookie(session, staff, trusted=True)
    assert _register(http, session, staff, SoftAuthenticator(), trusted).json()["ok"]
    client.must_change_password = True
    session.add(client)
    session.commit()
    assert _call(http, "options", {"do": "register"},
                 _cookie(session, client)).status_code == 401


def test_staff_use_a_passkey_as_their_second_step(http, session, users):
    staff = users.therapist()
    device = SoftAuthenticator()
    _register(http, session, staff, device, _cookie(session, staff, trusted=True))
    assert _sign_in(http, device).json()["message"] == passkeys.STAFF_USE_PASSWORD
    after_password = _cookie(session, staff)
    token = auth.read_cookie(after_password)
    session.expire_all()
    assert not auth.cookie_passed_second_factor(auth.cookie_user(session, token), token)
    options = _call(http, "options", {"do": "second-factor"}, after_password).json()
    reply = _call(http, "verify", {"do": "second-factor", "handle": options["handle"],
                                   "credential": device.get(options["options"])},
                  after_password)
    assert reply.json()["ok"], reply.json()
    fresh = auth.read_cookie(reply.cookies[get_settings().cookie_name])
    session.expire_all()
    user = auth.cookie_user(session, fresh)
    assert user.id == staff.id and auth.cookie_passed_second_factor(user, fresh)
    assert auth.cookie_user(session, token) is None  # the session's old cookie is replaced
    assert _call(http, "options", {"do": "second-factor"}).status_code == 401


def test_calls_from_another_origin_or_not_json_are_refused(http):
    assert http.post("/passkey/options", json={"do": "sign-in"},
                     headers={"Origin": "https://evil.example"}).status_code == 403
    http.headers.pop("Origin")
    assert http.post("/passkey/options", json={"do": "sign-in"}).status_code == 403
    assert http.post("/passkey/options", content=b"do=sign-in",
                     headers={"Origin": ORIGIN, "Content-Type": "text/plain"}
                     ).status_code == 400
    assert http.post("/passkey/options", json={"do": "nothing"},
                     headers={"Origin": ORIGIN}).status_code == 400
    assert http.get("/passkey/options").status_code == 405


def test_each_address_is_rate_limited(http):
    for _ in range(40):
        assert http.post("/passkey/options", json={"do": "sign-in"}).status_code == 200
    assert http.post("/passkey/options", json={"do": "sign-in"}).status_code == 429


def test_passkeys_are_offered_only_where_they_can_work():
    from companion.ui.passkeys import available_at

    local, clinic = ("http://localhost:8501",), ("https://clinic.example",)
    assert available_at("http://localhost:8501/", local)
    assert available_at("http://localhost:8501/checkin", local)
    assert available_at("https://clinic.example/account", clinic)
    assert available_at(None, clinic)  # no address known: the passkey page says if not
    assert not available_at("http://clinic.example/", ("http://clinic.example",))  # not secure
    assert not available_at("http://127.0.0.1:8501/", local)  # not the relying party's origin
    assert not available_at("https://other.example/", clinic)


def test_a_passkey_added_from_the_sign_in_step_goes_back_to_the_page_asked_for(http):
    page = http.get("/passkey/?do=register&next=client%3Fclient%3D12").text
    assert 'data-next="../client?client=12"' in page and 'href="../client?client=12"' in page
    assert "Your clinic asks staff to sign in with a passkey" in page
    assert 'data-next=""' in http.get("/passkey/?do=register").text  # My account's: as before
    for elsewhere in ("https://evil.example/", "//evil.example", "../../x", "a/b", "x\"><a",
                      "javascript:alert(1)"):
        text = http.get("/passkey/", params={"do": "register", "next": elsewhere}).text
        assert 'data-next=""' in text and "evil" not in text and "javascript" not in text
    assert 'data-next=""' in http.get("/passkey/?do=sign-in&next=client").text


def test_the_passkey_page_speaks_the_apps_language(http, session, users):
    page = http.get("/passkey/?do=register&next=&lang=es").text
    assert '<html lang="es">' in page and 'data-lang="es"' in page
    assert "Tu clínica pide al personal iniciar sesión con una llave de acceso" in page
    assert "Comprobando…" in page  # what its script says, from the page
    assert "Sign in with your password instead" in http.get("/passkey/?do=sign-in").text
    reply = _call(http, "options", {"do": "register", "lang": "es"})
    assert reply.status_code == 401 and reply.json()["message"] == (
        "Vuelve a iniciar sesión en la aplicación y luego regresa aquí.")
    assert _call(http, "options", {"do": "register"}).json()["message"] == (
        "Please sign in to the app again, then come back here.")
