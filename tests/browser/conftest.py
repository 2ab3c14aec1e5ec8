"""Browser tests: Debian's Chromium (driven by Playwright) against a real `streamlit run`.

One app server per session, on a fresh temporary database seeded with the demo clinic. Every
test gets its own browser context, so cookies never carry from one test to the next.

Without Chromium or the playwright package the tests are skipped with the reason; with `CI`
set they fail instead, because CI must run them (`.ci/run` also fails on any skip here).
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
DEMO_PASSWORD = "quiet harbor lantern 7319"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
START_TIMEOUT_S = 60
HERE = Path(__file__).resolve().parent


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


@pytest.fixture(scope="session")
def app_env(tmp_path_factory) -> dict[str, str]:
    data = tmp_path_factory.mktemp("companion-data")
    env = dict(os.environ)
    env.update({
        "COMPANION_DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'companion.db'}",
        "BCRYPT_ROUNDS": "4",
        "COOKIE_KEY": secrets.token_urlsafe(36),  # 48 URL-safe characters
        "IDLE_TIMEOUT_MINUTES": "15",
        # Keep a developer's own secrets.toml out of the run.
        "COMPANION_SECRETS_FILE": str(data / "no-secrets.toml"),
    })
    for key in ("COMPANION_DATABASE_URL", "COMPANION_COOKIE_KEY"):
        env.pop(key, None)
    for args in (["migrate"], ["demo", "--password", DEMO_PASSWORD]):
        done = subprocess.run([sys.executable, "-m", "companion", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"companion {args[0]} failed:\n{done.stdout}{done.stderr}"
    return env


@pytest.fixture(scope="session")
def app_url(chromium_executable, app_env, tmp_path_factory) -> str:
    port = _free_port()
    log_path = tmp_path_factory.mktemp("streamlit-log") / "streamlit.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=app_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _healthy(f"{base}/_stcore/health"):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("streamlit did not become healthy:\n" + log_path.read_text(),
                            pytrace=False)
            time.sleep(0.2)  # polling a condition with a deadline, not a fixed wait
        yield base
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser(chromium_executable):
    from playwright.sync_api import sync_playwright

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


@pytest.fixture
def phone(new_phone, request):
    """A fresh 390×844 touch context; a failing test leaves a screenshot in test-artifacts/."""
    context = new_phone()
    yield context
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        for i, page in enumerate(context.pages):
            try:
                page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}-{i}.png"),
                                full_page=True)
            except Exception:  # the page may be gone; the failure itself is what matters
                pass


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
