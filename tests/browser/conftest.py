"""Browser tests: Debian's Chromium (driven by Playwright) against a real `streamlit run`.

One app server per session, on a fresh temporary database seeded with the demo clinic. Every
test gets its own browser context, so cookies never carry from one test to the next.

Without Chromium or the playwright package the tests are skipped with the reason; with `CI`
set they fail instead, because CI must run them (`.ci/run` also fails on any skip here).
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
DEMO_PASSWORD = "quiet harbor lantern 7319"
DEMO_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # the demo staff's authenticator key
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
START_TIMEOUT_S = 60
HERE = Path(__file__).resolve().parent
# The pinned "Need help now?" panel (companion/ui/crisis.py: before and after sign-in)
HELP_PANEL = ":is(.st-key-crisis-help, .st-key-crisis-help-own)"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(reason: str):
    if _in_ci():
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    print(f"\nSkipping browser tests: {reason}", file=sys.stderr)
    pytest.skip(reason)


def _chromium_path() -> str | None:
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        _unavailable(f"the playwright package cannot be imported ({exc}); "
                     "install the test extras: pip install -e '.[test]'")
    path = _chromium_path()
    if path is None:
        _unavailable("Chromium is not installed (no /usr/bin/chromium or `chromium` on PATH); "
                     "as root: apt-get update && apt-get install -y chromium")
    return path


_APP_DATABASE: list[str] = []  # the app server's database URL, once app_env made it


def staff_code(username: str) -> str:
    """The current code for a demo staff account, accepted by the server for 30–60 s.

    The server takes each time step once per account (RFC 6238), so a suite that signs one
    account in many times would have to use the previous or next step, valid for as little
    as a moment once the clock turns; instead the account's used step is set back first in
    the test server's database. Taking a step once is covered by tests/unit/test_second_factor.py."""
    import pyotp
    import sqlalchemy as sa

    # Also from the environment: a test file importing this module as `tests.browser.conftest`
    # gets a second copy of it, whose list app_env never filled.
    engine = sa.create_engine(_APP_DATABASE[0] if _APP_DATABASE
                              else os.environ["COMPANION_BROWSER_APP_DATABASE"])
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE users SET totp_last_step = 0 WHERE username = :u"),
                           {"u": username})
    engine.dispose()
    return pyotp.TOTP(DEMO_TOTP).now()


@pytest.fixture(scope="session")
def app_env(tmp_path_factory) -> dict[str, str]:
    data = tmp_path_factory.mktemp("companion-data")
    env = dict(os.environ)
    env.update({
        "COMPANION_DATA_DIR": str(data),
        "COMPANION_KEYS_DIR": str(tmp_path_factory.mktemp("companion-keys")),
        "DATABASE_URL": f"sqlite:///{data / 'companion.db'}",
        "BCRYPT_ROUNDS": "4",
        "COOKIE_KEY": secrets.token_urlsafe(36),  # 48 URL-safe characters
        "IDLE_TIMEOUT_MINUTES": "15",
        # Keep a developer's own secrets.toml out of the run.
        "COMPANION_SECRETS_FILE": str(data / "no-secrets.toml"),
    })
    for key in ("COMPANION_DATABASE_URL", "COMPANION_COOKIE_KEY"):
        env.pop(key, None)
    for args in (["migrate"], ["demo", "--password", DEMO_PASSWORD, "--totp-secret", DEMO_TOTP]):
        done = subprocess.run([sys.executable, "-m", "companion", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"companion {args[0]} failed:\n{done.stdout}{done.stderr}"
    _APP_DATABASE[:] = [env["DATABASE_URL"]]
    os.environ["COMPANION_BROWSER_APP_DATABASE"] = env["DATABASE_URL"]
    return env


class AppServer:
    """`streamlit run app.py` (or another `script`) in its own process group, logging to a
    file."""

    def __init__(self, env: dict[str, str], log_path: Path, script: str = "app.py"):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script,
             "--server.port", str(self.port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             # Edits to the source while the suite runs must not hot-reload the server.
             "--server.fileWatcherType", "none", "--server.runOnSave", "false"],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True)

    def log_tail(self, lines: int = 40) -> str:
        self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def wait_healthy(self, timeout_s: float = START_TIMEOUT_S):
        deadline = time.monotonic() + timeout_s
        while not _healthy(f"{self.url}/_stcore/health"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("streamlit did not become healthy:\n" + self.log_tail(),
                            pytrace=False)
            time.sleep(0.2)  # polling a condition with a deadline, not a fixed wait

    def check_alive(self):
        code = self.proc.poll()
        if code is not None:
            pytest.fail(f"the app server (pid {self.proc.pid}) has exited with code {code}; "
                        "if its log ends with 'Stopping...' something outside the tests sent "
                        f"it a signal. Log tail:\n{self.log_tail()}", pytrace=False)

    def stop(self):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self._log.close()


@pytest.fixture(scope="session")
def app_server(chromium_executable, app_env, tmp_path_factory) -> AppServer:
    server = AppServer(app_env, tmp_path_factory.mktemp("streamlit-log") / "streamlit.log")
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def serve(chromium_executable, tmp_path_factory):
    """Factory: `serve(script, env)` runs another Streamlit script (a test page) for the rest
    of the session and returns its URL."""
    servers = []

    def start(script: str, env: dict[str, str]) -> str:
        log = tmp_path_factory.mktemp("streamlit-log") / "streamlit.log"
        servers.append(server := AppServer(env, log, script))
        server.wait_healthy()
        return server.url

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def app_url(app_server) -> str:
    """The running app's base URL (checked alive before each test)."""
    app_server.check_alive()
    return app_server.url


@pytest.fixture(scope="session")
def browser(chromium_executable):
    from playwright.sync_api import sync_playwright

    for stale in ARTIFACTS.glob("FAILED-*.png"):  # screenshots of an earlier run's failures
        stale.unlink()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_phone(browser, app_url):
    """Factory for extra phone contexts; each records the URLs it requests in `.requests`."""
    contexts = []

    def make():
        context = browser.new_context(**PHONE, base_url=app_url)
        context.set_default_timeout(15_000)
        context.requests = []
        context.on("request", lambda request: context.requests.append(request.url))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


CALM_DAY = {"Mood": "5", "Craving": "0", "Anxiety or stress": "3"}


def answer_checkin(page, used: str = "No", **scales: str):
    """Answer the check-in form's four questions by tapping, as on a phone (they start
    unanswered on a new day): `scales` by label ("Mood": "8"); any not given and still
    unanswered gets a calm day's answer, and so does the use question."""
    for name, calm in CALM_DAY.items():
        group = page.get_by_role("radiogroup", name=name, exact=True)
        value = scales.get(name)
        if value is None and group.get_by_role("radio", checked=True).count():
            continue
        group.get_by_role("radio", name=value or calm, exact=True).click()
    use = page.get_by_role("radiogroup", name="Did you use today?")
    if not use.get_by_role("radio", checked=True).count():
        use.get_by_text(used, exact=True).click()


class App:
    """One phone page of the app, with waits tied to Streamlit's own script runs.

    Streamlit draws the first run of a fresh page load before the browser has reported its
    cookies; the login library's cookie component then reports them and the app runs again.
    A test that asserts something is *absent* (still signed out, no admin heading) must wait
    for that second run, or it would pass on the first. So this watches the app's websocket:
    `settle()` returns once the cookie report has been sent and every run requested since the
    last action has started (`new_session`) and finished successfully (`script_finished`; a
    fragment's own run counts).
    """

    # Keys of extra_streamlit_components.CookieManager's component as streamlit-authenticator
    # calls it: "init" reads every cookie, "set" writes one, "delete" deletes one.
    READ, WRITE, DELETE = "init", "set", "delete"

    def __init__(self, page):
        self.page = page
        self.ws = None
        self._fresh()
        page.on("websocket", self._attach)

    # -- websocket bookkeeping --------------------------------------------------------------
    def _fresh(self):
        self.reported = set()  # cookie component keys that reported back: init, set, delete
        self.pending = False   # a rerun was requested and has not finished yet
        self.started = False   # the server started a run since the last request

    def _attach(self, ws):
        self.ws = ws
        self._fresh()
        ws.on("framesent", self._sent)
        ws.on("framereceived", self._received)

    def _sent(self, payload):
        from streamlit.proto.BackMsg_pb2 import BackMsg

        if not isinstance(payload, bytes):
            return
        msg = BackMsg()
        msg.ParseFromString(payload)
        if msg.WhichOneof("type") != "rerun_script":
            return
        self.pending, self.started = True, False
        for widget in msg.rerun_script.widget_states.widgets:
            if widget.WhichOneof("value") == "json_value":
                self.reported.add(widget.id.rsplit("-", 1)[-1])

    def _received(self, payload):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if not isinstance(payload, bytes):
            return
        msg = ForwardMsg()
        msg.ParseFromString(payload)
        kind = msg.WhichOneof("type")
        if kind == "new_session" and self.pending:
            self.started = True
        elif (kind == "script_finished" and self.started
              and msg.script_finished in (ForwardMsg.FINISHED_SUCCESSFULLY,
                                          ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)):
            self.pending = self.started = False

    @property
    def settled(self) -> bool:
        return self.READ in self.reported and not self.pending

    timeout_ms = 15_000  # how long settle() waits by default (a test may give more)

    def settle(self, after: str | None = None, timeout_ms: float | None = None):
        """Wait until the cookie check ran and the last requested run finished (and, with
        `after`, until the cookie component with that key reported back: the browser has
        written or deleted the cookie)."""
        from playwright.sync_api import expect

        def done(*_):
            return self.settled and (after is None or after in self.reported)

        if not done():
            assert self.ws is not None, "the app opened no websocket"
            self.ws.wait_for_event("framereceived", predicate=done,
                                   timeout=timeout_ms or self.timeout_ms)
        expect(self.page.get_by_test_id("stApp")).to_have_attribute(
            "data-test-script-state", "notRunning")

    # -- what a user does ---------------------------------------------------------------------
    def goto(self, path: str = "/"):
        with self.page.expect_websocket():
            self.page.goto(path)
        self.settle()
        return self

    def reload(self):
        with self.page.expect_websocket():
            self.page.reload()
        self.settle()
        return self

    def act(self, locator, after: str | None = None):
        """Click something that reruns the app, then wait for that run to finish."""
        if after:
            self.reported.discard(after)
        with self.ws.expect_event("framesent"):
            locator.click()
        self.settle(after)

    def sign_in(self, username: str, password: str = DEMO_PASSWORD, ok: bool = True):
        """Submit the sign-in form; with `ok`, also wait until the browser holds the cookie."""
        page = self.page
        page.get_by_role("textbox", name="Username").fill(username)
        page.get_by_role("textbox", name="Password").fill(password)
        self.act(page.get_by_role("button", name="Sign in"), after=self.WRITE if ok else None)
        if ok and (username.startswith("demo-therapist") or username == "demo-admin"):
            self.enter_code(username)

    def enter_code(self, username: str):
        """The second step for a demo staff account (all share DEMO_TOTP)."""
        page = self.page
        page.get_by_role("textbox", name="Code").fill(staff_code(username))
        self.act(page.get_by_role("button", name="Continue"), after=self.WRITE)

    def sidebar_nav(self):
        return self.page.get_by_test_id("stSidebarNav")

    def open_sidebar(self):
        """Open the sidebar if it is collapsed (phones start with it collapsed)."""
        if self.page.get_by_test_id("stExpandSidebarButton").is_visible():
            self.page.get_by_test_id("stExpandSidebarButton").click()
        self.sidebar_nav().wait_for()
        self.wait_for_sidebar_to_rest()

    def close_sidebar(self):
        """Close the sidebar if open: left open on a phone it covers the page."""
        collapse = self.page.get_by_test_id("stSidebarCollapseButton").locator("button")
        if collapse.is_visible():
            collapse.click()
        self.page.get_by_test_id("stExpandSidebarButton").wait_for()
        self.wait_for_sidebar_to_rest()

    def wait_for_sidebar_to_rest(self):
        """Wait until the sidebar's slide has ended: while it slides it still covers part of
        the page, and a tap there lands on the sidebar (a combobox tapped then never opens)."""
        self.page.wait_for_function(
            """() => { const bar = document.querySelector('[data-testid=stSidebar]');
                       return !bar || bar.getAnimations({subtree: true})
                                        .every(a => a.playState !== 'running'); }""")

    def navigate(self, title: str):
        """Open a page from the sidebar, as a user would, and close the sidebar again."""
        self.open_sidebar()
        self.act(self.sidebar_nav().get_by_role("link", name=title, exact=True))
        self.close_sidebar()

    def sign_out(self):
        self.open_sidebar()
        self.act(self.page.get_by_role("button", name="Sign out"), after=self.DELETE)

    def crisis_button(self):
        """The pinned "Need help now?" panel's heading (an expander: one tap opens it)."""
        return self.page.locator(f"{HELP_PANEL} summary").filter(
            has_text=re.compile("Need help now"))

    def close_crisis_help(self):
        """Close the panel again (left open, it covers the top of the page)."""
        self.crisis_button().click()
        from playwright.sync_api import expect

        expect(self.page.locator(f"{HELP_PANEL} details")).not_to_have_attribute(
            "open", "")

    def screenshot(self, name: str):
        """Save what the phone shows, once lazily loaded elements (charts…) have drawn."""
        from playwright.sync_api import expect

        expect(self.page.get_by_test_id("stSkeleton")).to_have_count(0)
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


@pytest.fixture
def app(phone) -> App:
    """A page in the `phone` context, not yet opened (call `app.goto()`)."""
    return App(phone.new_page())


@pytest.fixture
def app_in():
    """`app_in(context)`: an App on a new page of another context (see `new_phone`)."""
    return lambda context: App(context.new_page())


@pytest.fixture
def phone(new_phone, request):
    """A fresh 390×844 touch context; a failing test leaves a screenshot in test-artifacts/."""
    context = new_phone()
    yield context
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        for i, page in enumerate(context.pages):
            try:
                page.screenshot(path=str(ARTIFACTS / f"FAILED-{name}-{i}.png"),
                                full_page=True)
            except Exception:  # the page may be gone; the failure itself is what matters
                pass


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
