"""Passkeys in Chromium at 390×844, with a virtual authenticator standing in for the phone's
fingerprint reader (CDP WebAuthn domain): a client adds a passkey on My account, signs out and
signs back in with it in two taps; a therapist passes the second step with one; and under the
clinic's passkey rule a therapist with none is made to add one before the caseload opens.

WebAuthn needs a domain for its relying party, so this app server is reached at
http://localhost:PORT (not 127.0.0.1) and told that origin. The app's passkey links open the
passkey page in the same tab (a small component: `companion/ui/scroll.py:same_tab_link`), which
then comes back to the app. Chromium keeps virtual authenticators per tab, so `Phone` gives
each tab an authenticator holding the passkeys made so far (the same phone), attached before
the page's script can ask for one (its script request waits for it).
"""
from __future__ import annotations

import os
import re
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD, PHONE, App, AppServer, _free_port

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def passkey_server(chromium_executable, app_env, tmp_path_factory):
    port = _free_port()
    env = {**app_env, "PASSKEY_RP_ID": "localhost",
           "PASSKEY_ORIGINS": f"http://localhost:{port}"}
    globals_ = AppServer.__init__.__globals__
    original = globals_["_free_port"]
    globals_["_free_port"] = lambda: port
    try:
        server = AppServer(env, tmp_path_factory.mktemp("streamlit-log") / "streamlit.log")
    finally:
        globals_["_free_port"] = original
    try:
        server.wait_healthy()
        yield f"http://localhost:{port}"
    finally:
        server.stop()


# The sign-in page's Username field offers the phone's passkeys (a conditional request), and
# a person may or may not pick one. Chromium's virtual authenticator would answer such a
# request at once, as if picked, and its suggestion list is the browser's own, out of a
# test's reach. So every tab holds the request (the person types their password or taps a
# button instead) and records it, with the field that says it takes passkeys; a test that
# picks the suggestion calls `window.__choosePasskey()`, answered as the phone would then
# (the virtual authenticator confirms the fingerprint at once).
CHOOSE_FROM_AUTOFILL = """
(() => {
  const original = navigator.credentials.get.bind(navigator.credentials);
  navigator.credentials.get = function (options) {
    if (!options || options.mediation !== "conditional") { return original(options); }
    const field = document.querySelector('input[autocomplete="username webauthn"]');
    window.__conditional = {field: field ? field.getAttribute("aria-label") : null};
    return new Promise((resolve, reject) => {
      window.__choosePasskey = () => {
        const modal = Object.assign({}, options);
        delete modal.mediation;
        original(modal).then(resolve, reject);
      };
    });
  };
})();
"""


class Phone:
    """A browser context with one virtual platform authenticator per tab, all holding the
    same passkeys, as one phone would."""

    OPTIONS = {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
               "hasUserVerification": True, "isUserVerified": True,
               "automaticPresenceSimulation": True}

    def __init__(self, context):
        self.context = context
        self.authenticators: dict = {}  # page -> (cdp session, authenticator id)
        self.console: list[str] = []
        context.route("**/passkey/passkey.js", self._before_script)
        context.add_init_script(CHOOSE_FROM_AUTOFILL)
        context.on("console", lambda message: self.console.append(message.text))

    def _before_script(self, route):
        self.attach(route.request.frame.page)
        route.continue_()

    def credentials(self) -> list[dict]:
        newest: dict[str, dict] = {}
        for cdp, authenticator in self.authenticators.values():
            for item in cdp.send("WebAuthn.getCredentials",
                                 {"authenticatorId": authenticator})["credentials"]:
                known = newest.get(item["credentialId"])
                if known is None or item["signCount"] >= known["signCount"]:
                    newest[item["credentialId"]] = item
        return list(newest.values())

    def attach(self, page):
        if page in self.authenticators:
            return
        held = self.credentials()
        cdp = self.context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        authenticator = cdp.send("WebAuthn.addVirtualAuthenticator",
                                 {"options": self.OPTIONS})["authenticatorId"]
        for item in held:
            cdp.send("WebAuthn.addCredential", {"authenticatorId": authenticator,
                                                "credential": item})
        self.authenticators[page] = (cdp, authenticator)



def same_tab_link(app: App, name):
    """One of the app's passkey links: a link in a small component's own frame."""
    return app.page.frame_locator("iframe[title$='top_link']").get_by_role(
        "link", name=name)


def tap_and_come_back(app: App, locator) -> App:
    """Tap what leads to the passkey page; it finishes on its own (the virtual authenticator
    confirms at once) and opens the app again in this same tab."""
    with app.page.expect_websocket(timeout=30_000):
        locator.click()
    app.settle()
    assert len(app.page.context.pages) == 1, "the passkey page opened another tab"
    return app


@pytest.fixture
def phone_with_passkeys(browser, passkey_server):
    context = browser.new_context(**PHONE, base_url=passkey_server)
    context.set_default_timeout(15_000)
    yield Phone(context)
    context.close()


def heading(page, text: str):
    return page.get_by_role("heading", name=re.compile(re.escape(text)))


def _open_account(app: App):
    app.navigate("My account")
    expect(heading(app.page, "Passkeys")).to_be_visible()


def _add_passkey(phone: Phone, app: App, link_name: str) -> App:
    """From My account: the passkey page in this tab, one tap on its button, back to My
    account, with the new passkey listed."""
    same_tab_link(app, re.compile(link_name)).click()
    expect(heading(app.page, "Add a passkey")).to_be_visible()
    app.screenshot("phone-passkey-add")
    tap_and_come_back(app, app.page.get_by_role("button", name="Add a passkey on this phone"))
    expect(heading(app.page, "My account")).to_be_visible()
    expect(app.page.get_by_text("This phone", exact=False).first).to_be_visible()
    assert len(phone.credentials()) == 1
    return app


def test_a_client_adds_a_passkey_and_signs_back_in_with_it_in_two_taps(phone_with_passkeys):
    phone = phone_with_passkeys
    app = App(phone.context.new_page())
    app.goto()
    app.sign_in("demo-client1")
    expect(heading(app.page, "Hi, Avery")).to_be_visible()
    _open_account(app)
    tab = _add_passkey(phone, app, "fingerprint or face next time")
    tab.sign_out()
    expect(tab.page.get_by_role("textbox", name="Username")).to_be_visible()
    tab.screenshot("phone-login-with-passkey")

    # Tap 1: "Sign in with a passkey". Tap 2 is the fingerprint (the virtual authenticator
    # confirms it at once); the passkey page then opens the app, signed in.
    signed_in = tap_and_come_back(tab, same_tab_link(tab, "Sign in with a passkey"))
    expect(heading(signed_in.page, "Hi, Avery")).to_be_visible()
    signed_in.close_sidebar()  # left open by the sign-out (Streamlit keeps it)
    signed_in.screenshot("phone-signed-in-with-passkey")
    signed_in.reload()  # the same re-login cookie as after a password: a reload stays in
    expect(heading(signed_in.page, "Hi, Avery")).to_be_visible()
    signed_in.sign_out()  # and signing out ends it for good
    signed_in.reload()
    expect(signed_in.page.get_by_role("textbox", name="Username")).to_be_visible()
    refused = [m for m in phone.console if "Content Security Policy" in m
               and "passkey" in m.lower()]
    assert refused == [], "the passkey page runs under the app's policy as it is"


def test_a_therapist_uses_a_passkey_instead_of_a_code(phone_with_passkeys):
    phone = phone_with_passkeys
    app = App(phone.context.new_page())
    app.goto()
    app.sign_in("demo-therapist2")  # password, then a code from the authenticator app
    expect(heading(app.page, "My caseload")).to_be_visible()
    _open_account(app)
    tab = _add_passkey(phone, app, "Add a passkey on this device")
    tab.sign_out()
    tab.reload()  # a fresh page, as the other journeys sign in again after a sign-out

    page = tab.page
    page.get_by_role("textbox", name="Username").fill("demo-therapist2")
    page.get_by_role("textbox", name="Password").fill(DEMO_PASSWORD)
    tab.act(page.get_by_role("button", name="Sign in"), after=tab.WRITE)
    expect(heading(page, "Two-step sign-in")).to_be_visible()
    tab.close_sidebar()
    second = tap_and_come_back(tab, same_tab_link(tab, "Use my passkey instead"))
    expect(heading(second.page, "My caseload")).to_be_visible()
    second.screenshot("phone-staff-second-step-with-passkey")


def test_the_username_field_offers_the_phones_passkey(phone_with_passkeys):
    phone = phone_with_passkeys
    app = App(phone.context.new_page())
    app.goto()
    app.sign_in("demo-client2")
    expect(heading(app.page, "Hi, Blake")).to_be_visible()
    _open_account(app)
    tab = _add_passkey(phone, app, "fingerprint or face next time")
    tab.sign_out()
    page = tab.page
    expect(page.get_by_role("textbox", name="Username")).to_be_visible()
    page.wait_for_function("() => window.__conditional && window.__conditional.field")
    assert page.evaluate("window.__conditional.field") == "Username"
    assert page.get_by_role("textbox", name="Username").get_attribute("autocomplete") == (
        "username webauthn")
    with page.expect_websocket(timeout=30_000):  # signed in, the app opens again
        page.evaluate("window.__choosePasskey()")
    tab.settle()
    # Signed in, at the address the sign-in page answered (My account, where she signed out).
    expect(heading(page, "My account")).to_be_visible()
    expect(page.get_by_text("Signed in as Blake Demo")).to_be_visible()
    assert page.url.endswith("/account") and len(page.context.pages) == 1


@contextmanager
def passkey_rule_for_staff(username: str):
    """The clinic's passkey rule on (as an admin would turn it on), with `username` holding no
    passkey yet; off again after, whatever happens (the suite's other tests share the demo
    clinic's database)."""
    engine = sa.create_engine(os.environ["COMPANION_BROWSER_APP_DATABASE"])
    rule = sa.text("INSERT INTO settings (key, value, updated_at) "
                   "VALUES ('staff_passkeys_required', :v, CURRENT_TIMESTAMP) "
                   "ON CONFLICT (key) DO UPDATE SET value = :v")
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(
                "UPDATE passkey_credentials SET revoked_at = CURRENT_TIMESTAMP, "
                "revoke_reason = 'test: start without one' WHERE revoked_at IS NULL AND "
                "user_id = (SELECT id FROM users WHERE username = :u)"), {"u": username})
            connection.execute(rule, {"v": "yes"})
        yield
    finally:
        with engine.begin() as connection:
            connection.execute(rule, {"v": ""})
        engine.dispose()


def test_under_the_rule_a_therapist_adds_a_passkey_before_the_caseload(phone_with_passkeys):
    phone = phone_with_passkeys
    with passkey_rule_for_staff("demo-therapist2"):
        app = App(phone.context.new_page())
        app.goto()
        app.sign_in("demo-therapist2")  # password, then the code: that step is unchanged
        page = app.page
        expect(heading(page, "Add a passkey to continue")).to_be_visible()
        expect(page.get_by_text("Please ask an admin", exact=False)).to_be_visible()
        expect(heading(page, "My caseload")).to_have_count(0)
        link = same_tab_link(app, "Add a passkey on this device")
        expect(link).to_be_in_viewport()
        app.screenshot("phone-staff-passkey-required")
        app.goto("/client")  # a bookmark to a client's record opens this step instead
        expect(heading(page, "Add a passkey to continue")).to_be_visible()
        expect(heading(page, "Client record")).to_have_count(0)

        same_tab_link(app, "Add a passkey on this device").click()
        expect(heading(page, "Add a passkey")).to_be_visible()
        expect(page.get_by_text("Your clinic asks staff to sign in with a passkey")
               ).to_be_visible()
        back = tap_and_come_back(app, page.get_by_role("button",
                                                       name="Add a passkey on this device"))
        assert len(phone.credentials()) == 1
        # On to where they were going, then the caseload like any day.
        expect(heading(back.page, "Client record")).to_be_visible()
        assert back.page.url.endswith("/client")
        back.navigate("My caseload")
        expect(heading(back.page, "My caseload")).to_be_visible()
        back.screenshot("phone-staff-caseload-after-required-passkey")
