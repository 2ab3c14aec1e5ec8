"""The ASGI layer's security headers in the real server (`streamlit run app.py`, issue 14,
finding 1's second layer): every kind of response carries them, and no page of any role
fetches from another host over hostile text, even where the text reaches markdown unescaped.

Accounts: `seed_hostile_text` makes its own client, alumnus, therapist and admin (demo-*-probe
names, the demo password and second-factor key) so no other browser test sees their data:
their display names and every text field the services let them write hold markdown-image,
link, HTML and bare-URL payloads pointing at a listener on a second loopback address. The
probe client sits on the evening telehealth track, so the demo's "Evening group (online)"
lists them too (other tests only look at named demo clients there). Fixtures: conftest.py.
"""
from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from datetime import time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or, under CI, fail) every test with the reason
    expect = None

from tests.browser.conftest import HELP_PANEL

pytestmark = pytest.mark.browser

LISTENER = "127.0.0.2"  # a second loopback address: nothing the app may ever ask for
DEMO_PASSWORD = "quiet harbor lantern 7319"  # as conftest.py seeds the demo
DEMO_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PROBE = {"client": "demo-probe-client", "alumni": "demo-probe-alum",
         "therapist": "demo-therapist-probe", "admin": "demo-admin-probe"}
CSP_REPORT = "CSP-VIOLATION "


# --- hostile data -----------------------------------------------------------------------------

def payload(code: str, port: int, short: bool = False) -> str:
    """Text that fetches http://127.0.0.2:port/<code>… if any of it is read as markup."""
    base = f"http://{LISTENER}:{port}/{code}"
    image = f"![{code}]({base}.png)"
    if short:  # fits the 80-character fields
        return image
    return f'{image} [{code}]({base}/link) <img src="{base}.h.png"> {base}/bare'


def seed_hostile_text(port: int) -> list[str]:
    """Make the probe accounts and fill what they can write with payloads, through the
    services as the pages call them. Runs in the app's environment (its database); returns
    the writes a service refused (the first layer may refuse some payloads outright)."""
    from sqlmodel import select

    from companion import (aftercare, chains, checkins, cravings, flags, groups, people,
                           safety, skill_modules, skills)
    from companion.actors import Actor
    from companion.groups import recurrence
    from companion.checkins import CheckInEntry
    from companion.core.db import session_scope
    from companion.core.errors import CompanionError
    from companion.core.timeutil import clinic_today, to_clinic, utcnow
    from companion.cravings import CravingEntry
    from companion.models import Flag, Role, User
    from companion.passwords import hash_password

    refused: list[str] = []

    def p(code: str, short: bool = False) -> str:
        return payload(code, port, short)

    def attempt(what: str, write, *args, **kwargs):
        try:
            with session_scope() as session:
                return write(session, *args, **kwargs)
        except CompanionError as exc:
            refused.append(f"{what}: {exc} {getattr(exc, 'fields', '')}")
            return None

    def account(session, key: str, role: Role, admin: Actor, **enrolment) -> None:
        made = people.create_user(session, admin, PROBE[key], f"{p('n' + key[:2], True)} "
                                  f"Probe {key.capitalize()}", role, **enrolment)
        user = made.user
        user.password_hash, user.must_change_password = hash_password(DEMO_PASSWORD), False
        if role in (Role.THERAPIST, Role.ADMIN):
            user.totp_secret, user.totp_last_step = DEMO_TOTP, 0
        else:
            user.notice_acknowledged_at = utcnow()
        session.add(user)

    with session_scope() as session:  # the demo admin enrols the probes
        demo_admin = Actor.of(session.exec(select(User).where(
            User.username == "demo-admin")).one())
        account(session, "admin", Role.ADMIN, demo_admin)
        account(session, "therapist", Role.THERAPIST, demo_admin)
    with session_scope() as session:
        def actor(key: str) -> Actor:
            return Actor.of(session.exec(select(User).where(User.username == PROBE[key])).one())

        admin, therapist = actor("admin"), actor("therapist")
        account(session, "client", Role.CLIENT, admin, therapist_id=therapist.id,
                track="evening", location="telehealth")
        account(session, "alumni", Role.ALUMNI, admin, therapist_id=therapist.id,
                track="evening", location="telehealth")
    with session_scope() as session:
        client, alum = actor("client"), actor("alumni")

    def aftercare_sections(tag: str) -> dict:
        sections = aftercare.empty_sections()
        for key, (_, kind, fields) in aftercare.SECTIONS.items():
            if kind == "text":
                sections[key] = p(f"{tag}{key[:4]}")
            elif kind == "fields":
                sections[key] = {f: p(f"{tag}{f[:4]}") for f in fields if f != "level"}
            else:
                sections[key] = [{f: p(f"{tag}{key[:2]}{f[:3]}") for f in fields}]
        sections["people"][0]["phone"] = "555-555-0142"
        sections["goals"][0].update(target_date="2027-03-31", progress="40")
        return sections

    for me, tag in ((client, "c"), (alum, "a")):  # the client's own records
        entry = CheckInEntry(mood=3, craving=8, stress=7, used="yes",
                             substances=["Alcohol"], use_details=p(f"{tag}ud"),
                             new_trigger=p(f"{tag}nt", True), note=p(f"{tag}cn"),
                             bring_to_group=p(f"{tag}bg"))
        saved = attempt(f"{tag} check-in",
                        lambda s, e: checkins.record_checkin(s, me, e).checkin.id, entry)
        if saved is None:  # perhaps "Alcohol" is not on the clinic's list: try without use
            attempt(f"{tag} check-in (no use)", checkins.record_checkin, me,
                    CheckInEntry(mood=3, craving=8, stress=7, used="no", note=p(f"{tag}cn"),
                                 new_trigger=p(f"{tag}nt", True),
                                 bring_to_group=p(f"{tag}bg")))
        attempt(f"{tag} craving", cravings.log_craving, me, CravingEntry(
            intensity=9, new_trigger=p(f"{tag}ct", True), where=p(f"{tag}wh"),
            with_whom=p(f"{tag}ww"), note=p(f"{tag}kn"), outcome="passed"))
        attempt(f"{tag} safety plan", safety.save, me, {
            **{name: p(f"{tag}s{name[:4]}") for name in safety.TEXT_SECTIONS},
            **{section: [{"name": p(f"{tag}{section[:2]}{n}", True), "phone": "555-555-0100"}
                         for n in range(2)] for section in safety.CONTACT_SECTIONS}})
        attempt(f"{tag} look-back", chains.record, me,
                {name: p(f"{tag}l{name[:4]}") for name in chains.QUESTIONS}, saved)
        for module in skill_modules.modules():
            for exercise in module.exercises:
                answers = {}
                for spec in exercise.fields:
                    if spec.type in ("short_text", "long_text"):
                        short = spec.limit and spec.limit < 250
                        answers[spec.id] = p(f"{tag}{exercise.id[:6]}{spec.id[:4]}", short)
                    elif spec.type == "choice":
                        answers[spec.id] = spec.options[0]
                    elif spec.type == "choices":
                        answers[spec.id] = [spec.options[0]]
                    elif spec.type == "scale":
                        answers[spec.id] = spec.min
                    else:
                        answers[spec.id] = "09:00"
                attempt(f"{tag} {module.id}/{exercise.id}", skills.save_answers, me, module.id,
                        exercise.id, answers)
        skill = skills.all_skills()[0][0]
        attempt(f"{tag} practice", skills.log_practice, me, skill, 7, p(f"{tag}pn"))
        attempt(f"{tag} aftercare", aftercare.save, me, aftercare_sections(tag))
        attempt(f"{tag} aftercare submit", lambda s: aftercare.submit(s, me))

    # The reviewer asks for changes (a comment and a note), the client sends it again, and
    # a comment waits on the new version.
    attempt("comment", aftercare.comment, therapist, client.id, "people", p("rc1"))
    attempt("decide", aftercare.decide, therapist, client.id, False, p("rdn"))
    attempt("c aftercare again", aftercare.save, client, aftercare_sections("c"))
    attempt("c aftercare resubmit", lambda s: aftercare.submit(s, client))
    attempt("comment 2", aftercare.comment, therapist, client.id, "coping", p("rc2"))
    attempt("alum comment", aftercare.comment, therapist, alum.id, "routine", p("rc3"))
    module_id = skill_modules.modules()[0].id
    attempt("assign", skills.assign_module, therapist, client.id, module_id, p("as"))

    # A daily group the probe therapist leads on the client's track and site: yesterday's
    # session takes attendance (an absence flag names the group), tomorrow's gets an answer.
    today = clinic_today()
    series_id = attempt("schedule", lambda s, d: groups.schedule_series(s, admin, d).id,
                        groups.SeriesInput(
                            title=p("gt", True), topic=p("gtp"), track="evening",
                            location="telehealth", link=f"https://{LISTENER}:{port}/join",
                            facilitator_id=therapist.id, capacity=12,
                            first_day=today - timedelta(days=7), start=time(6),
                            end=time(6, 30), weekdays=list(range(7))))
    if series_id is not None:
        with session_scope() as session:
            now = utcnow()
            occs = groups.occurrences(session, now - timedelta(days=2), now + timedelta(days=5),
                                      series_ids=[series_id])
        past = [o for o in occs if o.ends_at < now]
        ahead = [o for o in occs if o.starts_at > now]
        attempt("rsvp", groups.rsvp, client, series_id, ahead[0].occurrence_at, False, p("rr"))
        attempt("cancel", groups.cancel_occurrence, admin, series_id, ahead[1].occurrence_at,
                p("cx"))
        moved = to_clinic(ahead[2].starts_at)
        attempt("move", groups.move_occurrence, admin, series_id, ahead[2].occurrence_at,
                moved.date(), time(7), time(7, 30), p("mv"))
        attempt("attendance", lambda s: groups.mark_attendance(
            s, therapist, recurrence.get_occurrence(s, series_id, past[-1].occurrence_at),
            {client.id: groups.ABSENT}))
    with session_scope() as session:  # acknowledge one of the client's flags, leave the rest
        first = session.exec(select(Flag.id).where(Flag.client_id == client.id)
                             .order_by(Flag.id)).first()
    if first is not None:
        attempt("acknowledge", flags.acknowledge, therapist, first, p("ak"))
    return refused


class Listener:
    """A tiny HTTP server on 127.0.0.2 that records every path asked of it."""

    def __init__(self):
        hits = self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((LISTENER, 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.fixture(scope="module")
def hostile(app_server, app_env, listener):
    """The probe accounts and their payloads, written into the running app's database."""
    from tests.browser.conftest import ROOT

    code = ("import json, sys; from tests.browser.test_security import seed_hostile_text; "
            "print(json.dumps(seed_hostile_text(int(sys.argv[1]))))")
    done = subprocess.run([sys.executable, "-c", code, str(listener.port)], cwd=ROOT,
                          env=app_env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"seeding failed:\n{done.stdout}{done.stderr}"
    refused = json.loads(done.stdout.strip().splitlines()[-1])
    print("writes the services refused:", *refused, sep="\n  ")
    return listener


# --- walking the pages --------------------------------------------------------------------

VIOLATIONS_JS = f"""
document.addEventListener('securitypolicyviolation', e => console.error({CSP_REPORT!r} +
  JSON.stringify({{directive: e.effectiveDirective, blocked: e.blockedURI,
                   source: e.sourceFile}})));
"""


class Watch:
    """What one browser context asked for and what its pages' policy refused."""

    def __init__(self, context, app_host: str):
        self.app_host, self.requests, self.refused, self.errors = app_host, [], [], []
        self.blocked = []  # requests the browser refused to send (the policy, before sending)
        context.add_init_script(VIOLATIONS_JS)  # reports come from every frame
        context.on("request", lambda r: self.requests.append(r.url))
        context.on("requestfailed", self._failed)
        context.on("page", self.attach)

    def attach(self, page):
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))

    def _console(self, msg):
        if msg.type != "error":
            return
        if msg.text.startswith(CSP_REPORT):
            self.refused.append(json.loads(msg.text[len(CSP_REPORT):]))
        elif "Content Security Policy" in msg.text and LISTENER not in msg.text:
            self.errors.append(msg.text)

    def _failed(self, request):
        if request.failure in ("csp", "net::ERR_BLOCKED_BY_CSP"):
            self.blocked.append(request.url)

    def foreign_requests(self) -> list[str]:
        """Requests to any host but the app's that the browser did not refuse to send."""
        sent = list(self.requests)
        for url in self.blocked:
            sent.remove(url)
        return sorted({u for u in sent if not u.startswith(("data:", "blob:", "about:"))
                       and urlsplit(u).netloc != self.app_host})

    def breaking_refusals(self) -> list[dict]:
        """Refusals other than the payload itself and long.js's optional WebAssembly (inside
        protobuf.js: it falls back to plain JavaScript)."""
        return [r for r in self.refused
                if urlsplit(r["blocked"]).hostname != LISTENER
                and not (r["blocked"] == "wasm-eval" and "/static/js/protobuf." in r["source"])]


def shows_payload(page) -> int:
    """Payloads in the main area: as text (escaped), as refused images, or in a field."""
    main = page.get_by_test_id("stMain")
    in_fields = main.locator("input, textarea").evaluate_all(
        f"els => els.filter(e => e.value.includes({LISTENER!r})).length")
    return (main.inner_text().count(f"{LISTENER}:") + in_fields
            + main.locator(f'img[src*="{LISTENER}"]').count())


def choose(app, label: str, option: str):
    """Pick the option containing `option` in the selectbox `label`, if not already shown."""
    page = app.page
    box = page.get_by_role("combobox", name=label)
    if option in box.input_value():
        return
    box.click()
    box.fill(option)  # long lists draw only the first options: narrow them down first
    app.act(page.get_by_role("option", name=re.compile(re.escape(option))).first)


def sign_in(app, role: str):
    app.sign_in(PROBE[role])
    if role == "admin":  # App.sign_in enters codes for the demo staff names only
        app.enter_code(PROBE[role])


def open_crisis_help(app, role: str):
    page = app.page
    if role in ("client", "alumni"):  # their panel (own people first) replaces the sign-in
        expect(page.locator(".st-key-crisis-help-own summary")).to_be_visible()  # page's
    app.settle()
    app.crisis_button().click()
    expect(page.locator(HELP_PANEL).get_by_text("988 Suicide & Crisis Lifeline")).to_be_visible()
    app.close_crisis_help()


def visit(app, title: str) -> int:
    """Open a page from the sidebar, as a user would, with what it needs chosen; returns how
    many payloads it showed."""
    page = app.page
    app.navigate(title)
    shown = 0
    if title in ("Client record", "Pre-session brief", "Skills practice"):
        choose(app, "Client", "Probe Client")
    elif title == "Aftercare reviews":
        choose(app, "Plan", "Probe Alum")
        shown += shows_payload(page)
        choose(app, "Plan", "Probe Client")
    elif title == "People":
        choose(app, "Account", "Probe Client")
    elif title == "Group schedule":
        choose(app, "Group", "Probe")
    elif title == "Groups" and page.get_by_role("radio", name="Before group").count():
        shown += shows_payload(page)  # Attendance, the default view
        app.act(page.get_by_role("radio", name="Before group"))
        shown += shows_payload(page)
        app.act(page.get_by_role("radio", name="Schedule"))
        choose(app, "Group", "Probe")
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0)
    return shown + shows_payload(page)


# Pages whose main area must show a payload, so the walk cannot pass by showing nothing.
MUST_SHOW = {
    "client": {"Home", "Groups", "Skills", "My safety plan", "Aftercare plan", "My account"},
    "alumni": {"Home", "My safety plan", "Aftercare plan", "My account"},
    "therapist": {"My caseload", "Client record", "Pre-session brief", "Groups",
                  "Skills practice", "Aftercare reviews", "My account"},
    "admin": {"People", "Group schedule", "My account"},
}


@pytest.mark.parametrize("role", ["client", "alumni", "therapist", "admin"])
def test_no_page_fetches_from_another_host_over_hostile_text(role, hostile, new_phone, app_in,
                                                             app_url):
    context = new_phone()
    watch = Watch(context, urlsplit(app_url).netloc)
    app = app_in(context).goto()
    sign_in(app, role)
    open_crisis_help(app, role)  # a client's own safety-plan contacts are drawn in it
    app.open_sidebar()
    titles = [text.strip().splitlines()[-1].strip()
              for text in app.sidebar_nav().get_by_role("link").all_inner_texts()]
    app.close_sidebar()
    assert MUST_SHOW[role] <= set(titles), titles
    shown = {title: visit(app, title) for title in titles}
    app.reload()  # a fresh load of the last page, as a bookmark would open it
    expect(app.page.get_by_test_id("stSkeleton")).to_have_count(0)

    print(f"{role}: the policy refused {len(watch.blocked)} payload requests; payloads "
          f"shown per page: {shown}")
    assert watch.foreign_requests() == [], "the browser asked another host"
    assert hostile.hits == [], f"the listener on {LISTENER} was asked for {hostile.hits}"
    assert watch.breaking_refusals() == [], "the policy refused part of the app itself"
    assert watch.errors == [], watch.errors
    blank = sorted(t for t in MUST_SHOW[role] if not shown[t])
    assert blank == [], f"no payload reached these pages, so they proved nothing: {blank}"
    assert len(watch.requests) > 20, "the request recorder saw too little; is it attached?"


# --- every kind of response -----------------------------------------------------------------

def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


def assert_secured(what: str, headers: dict[str, str], *, cached: bool = False,
                   frameable: bool = False):
    csp = headers.get("content-security-policy", "")
    assert "default-src 'self'" in csp and "img-src 'self' data:;" in csp, (what, csp)
    assert ("frame-ancestors 'self'" if frameable else "frame-ancestors 'none'") in csp, what
    assert headers.get("x-content-type-options") == "nosniff", what
    assert headers.get("referrer-policy") == "no-referrer", what
    assert "camera=()" in headers.get("permissions-policy", ""), what
    assert (headers.get("cache-control") != "no-store") if cached else (
        headers.get("cache-control") == "no-store"), (what, headers.get("cache-control"))


def upgrade_status(app_url: str, origin: str) -> int:
    """The HTTP status of a websocket upgrade to /_stcore/stream from `origin`."""
    parts = urlsplit(app_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", "/_stcore/stream", headers={
        "Upgrade": "websocket", "Connection": "Upgrade", "Origin": origin,
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Protocol": "streamlit"})
    try:
        return conn.getresponse().status
    finally:
        conn.close()


def test_every_kind_of_response_carries_the_security_headers(app_url, hostile, app):
    status, headers, body = fetch(app_url + "/")
    assert status == 200 and b'<div id="root">' in body
    assert_secured("page", headers)
    bundle = re.search(rb'src="\./(static/js/index\.[^"]+\.js)"', body).group(1).decode()
    status, headers, _ = fetch(f"{app_url}/{bundle}")
    assert status == 200 and "immutable" in headers["cache-control"]
    assert_secured("static bundle", headers, cached=True)
    status, headers, body = fetch(app_url + "/_stcore/health")
    assert (status, body) == (200, b"ok")
    assert_secured("health", headers)
    status, headers, _ = fetch(app_url + "/media/0123456789abcdef0123456789abcdef.txt")
    assert status == 404
    assert_secured("404", headers)

    page = app.page  # a media download: the probe client's safety plan
    app.goto()
    app.sign_in(PROBE["client"])
    app.navigate("My safety plan")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download a copy to print or keep").click()
    assert urlsplit(download.value.url).path.startswith("/media/")
    status, headers, body = fetch(download.value.url)
    assert status == 200 and body.startswith(b"MY SAFETY PLAN"), body[:80]
    assert_secured("media download", headers)
    component = (app_url + "/component/extra_streamlit_components.CookieManager."
                 "cookie_manager/index.html")
    status, headers, _ = fetch(component)
    assert status == 200
    assert_secured("cookie component", headers, frameable=True)

    assert upgrade_status(app_url, "http://evil.example") == 403
    assert upgrade_status(app_url, app_url) == 101
