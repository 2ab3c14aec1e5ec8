"""Run deploy/ as written on this machine and check it from real phones, one verdict a line.

    .venv/bin/python deploy/check_replicas.py [--database-url URL] [--keep]

What it sets up, all in a fresh temporary folder and on free ports:
- a PostgreSQL database, dropped and made again (default `companion_deploy_check` on
  127.0.0.1:5432 as companion/companion; its name must end in `_check`), migrated and seeded
  with the demo clinic;
- two replicas, each started as `companion@.service` says (its ExecStartPre, ExecStart,
  Environment, UMask and WorkingDirectory, with this checkout for /opt/iop-companion), with the
  environment of `companion.env.example` and fresh secrets in place of every CHANGE-ME;
- this machine's nginx (Debian's /etc/nginx/nginx.conf around `deploy/nginx.conf`), with
  companion.test, a self-signed certificate, the test ports and this folder's log file
  substituted; nothing else changes;
- Debian's Chromium, driven by Playwright, that resolves companion.test to 127.0.0.1.

Then it checks sign-in, the re-login cookie, revocation, lockout and idle sign-out across the
replicas, the route cookie's split, the redirect, headers, the log, upstream keep-alive, and a
failover: one replica is killed mid-session, the phone goes on on the other with its check-in
there, and a download still works after the killed replica is back.

Needs root or a user who may run nginx, plus nginx, /usr/bin/chromium, the test extras
(Playwright) and a PostgreSQL role that may create databases. Too heavy for CI: not a test.
Exit status 1 when any check failed; with --keep the folder, logs and database stay.
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from deploy.nginx_harness import (HOST, Nginx, free_port, substitute,  # noqa: E402,F401
                                  wait_until)
from tests.browser.conftest import (CHROMIUM_ARGS, DEMO_PASSWORD, DEMO_TOTP,  # noqa: E402
                                    PHONE, App)

DEPLOY = ROOT / "deploy"
INSTALL_DIR = "/opt/iop-companion"  # where the unit and the README install the app
DEFAULT_DB = "postgresql+psycopg://companion:companion@127.0.0.1:5432/companion_deploy_check"
ROUTE_COOKIE = "companion_route"
AUTH_COOKIE = "iop_companion_auth"
START_TIMEOUT_S = 90
SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


# -- verdicts -------------------------------------------------------------------------------

class Verdicts:
    def __init__(self):
        self.failed = []

    def record(self, name: str, ok: bool, detail: str = "") -> bool:
        print(f"{'PASS' if ok else 'FAIL'}  {name}{f' — {detail}' if detail else ''}", flush=True)
        if not ok:
            self.failed.append(name)
        return ok

    def run(self, name: str, check, *args) -> None:
        """Run one check; an exception is its failure (with the reason), never the end."""
        try:
            ok, detail = check(*args)
        except Exception as exc:  # noqa: BLE001 - every check reports, whatever broke it
            traceback.print_exc(limit=3)
            ok, detail = False, f"{type(exc).__name__}: {(str(exc) or '…').splitlines()[0][:300]}"
        self.record(name, ok, detail)


# -- the database ---------------------------------------------------------------------------

def fresh_database(url: str) -> str:
    """Drop and create the database the URL names (only a `…_check` one) and return the URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql") or not (parsed.database or "").endswith(
            "_check"):
        raise SystemExit(f"refusing {parsed.render_as_string(hide_password=True)}: this script "
                         "drops and makes again a PostgreSQL database whose name ends in _check")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    return url


def drop_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


class Database:
    def __init__(self, url: str):
        from sqlalchemy import create_engine

        self.engine = create_engine(url)

    def scalar(self, sql: str, **params):
        from sqlalchemy import text

        with self.engine.begin() as conn:
            return conn.execute(text(sql), params).scalar()

    def execute(self, sql: str, **params) -> None:
        from sqlalchemy import text

        with self.engine.begin() as conn:
            conn.execute(text(sql), params)


# -- the replicas, as the unit starts them ----------------------------------------------------

def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile reads them (comments and blanks skipped)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";")):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def replica_env_file(run: Path, database_url: str) -> Path:
    """companion.env.example with this run's database and fresh secrets for every CHANGE-ME."""
    values = read_env_file(DEPLOY / "companion.env.example")
    def new_key() -> str:
        return subprocess.run([sys.executable, "-m", "companion", "new-key"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
    fills = {"DATABASE_URL": database_url, "COOKIE_KEY": secrets.token_urlsafe(48),
             "ENCRYPTION_KEY": new_key(), "LABEL_HASH_KEY": new_key(), "AUDIT_KEY": new_key(),
             "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_urlsafe(48),
             "COMPANION_DATA_DIR": str(run / "state")}
    unknown = [k for k, v in values.items() if "CHANGE-ME" in v and k not in fills]
    if unknown:
        raise SystemExit(f"companion.env.example has CHANGE-ME in {unknown}: teach this script "
                         "what to put there")
    values.update({k: v for k, v in fills.items() if k in values})
    missing = sorted(set(fills) - set(values))
    if missing:
        raise SystemExit(f"companion.env.example no longer names {missing}")
    # Outside the example: this checkout's own .streamlit/secrets.toml must not leak in.
    values["COMPANION_SECRETS_FILE"] = str(run / "no-secrets.toml")
    (run / "state").mkdir(mode=0o700)
    path = run / "companion.env"
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    path.chmod(0o640)
    return path


class Unit:
    """The [Service] lines of companion@.service that start a replica."""

    def __init__(self, path: Path):
        self.values: dict[str, list[str]] = {}
        text = re.sub(r"\\\n\s*", " ", path.read_text())
        section = ""
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("["):
                section = line
                continue
            if section == "[Service]":
                key, _, value = line.partition("=")
                self.values.setdefault(key, []).append(value)

    def one(self, key: str) -> str:
        return self.values[key][0]

    def command(self, key: str, instance: str, port: int) -> list[str]:
        line = self.one(key).replace(INSTALL_DIR, str(ROOT))
        line = line.replace("85%i", str(port)).replace("%i", instance)
        return shlex.split(line)


class Replica:
    """One replica: the unit's ExecStartPre, then its ExecStart in its own process group."""

    def __init__(self, unit: Unit, instance: str, port: int, env_file: Path, run: Path):
        self.unit, self.instance, self.port = unit, instance, port
        self.address = f"127.0.0.1:{port}"
        self.log_path = run / f"replica-{instance}.log"
        home = run / "home"
        home.mkdir(exist_ok=True)
        self.env = {"PATH": SYSTEMD_PATH, "LANG": "C.UTF-8"}
        self.env.update(read_env_file(env_file))
        for assignment in unit.values.get("Environment", []):
            key, _, value = assignment.partition("=")
            self.env[key] = str(home) if value == "/var/lib/iop-companion" else value
        self.cwd = unit.one("WorkingDirectory").replace(INSTALL_DIR, str(ROOT))
        self.umask = int(unit.one("UMask"), 8)
        self.proc: subprocess.Popen | None = None

    def _umask(self):
        os.umask(self.umask)

    def check(self) -> subprocess.CompletedProcess:
        return subprocess.run(self.unit.command("ExecStartPre", self.instance, self.port),
                              cwd=self.cwd, env=self.env, capture_output=True, text=True,
                              timeout=120, preexec_fn=self._umask)

    def start(self) -> float:
        """Start it and wait until healthy; returns the seconds that took."""
        started = time.monotonic()
        self.launch()
        self.wait_healthy()
        return time.monotonic() - started

    def launch(self) -> None:
        done = self.check()
        if done.returncode != 0:
            raise RuntimeError(f"replica {self.instance}: `companion check` refused:\n"
                               f"{done.stdout}{done.stderr}")
        log = self.log_path.open("a")
        self.proc = subprocess.Popen(self.unit.command("ExecStart", self.instance, self.port),
                                     cwd=self.cwd, env=self.env, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True,
                                     preexec_fn=self._umask)
        log.close()

    def wait_healthy(self) -> None:
        wait_until(self.healthy, START_TIMEOUT_S, f"replica {self.instance} healthy")

    def healthy(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(f"replica {self.instance} exited with {self.proc.returncode}; "
                               f"see {self.log_path}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            conn.request("GET", "/_stcore/health")
            return conn.getresponse().status == 200
        except OSError:
            return False

    def kill(self) -> None:
        """SIGKILL, as a crash would: no clean shutdown of the websockets."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=20)
        self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=20)
        self.proc = None


# -- the browser ------------------------------------------------------------------------------

class Phone(App):
    """The browser tests' page driver, with room for a loaded machine and a reconnect."""

    def settle(self, after: str | None = None, timeout_ms: float = 90_000):
        super().settle(after, timeout_ms)


class Phones:
    def __init__(self, playwright, nginx: Nginx):
        self.nginx = nginx
        self.base = f"https://{HOST}:{nginx.https_port}"
        self.browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {HOST} 127.0.0.1"])

    def new(self, route: str | None = None):
        context = self.browser.new_context(**PHONE, base_url=self.base, ignore_https_errors=True,
                                           accept_downloads=True)
        context.set_default_timeout(60_000)
        if route:
            pin(context, route)
        return context

    def close(self):
        self.browser.close()


def pin(context, route: str) -> None:
    """Give a browser the route cookie that hashes to a chosen replica."""
    context.add_cookies([{"name": ROUTE_COOKIE, "value": route, "domain": HOST, "path": "/",
                          "secure": True, "httpOnly": True, "sameSite": "Lax"}])


def cookie(context, name: str):
    return next((c for c in context.cookies() if c["name"] == name), None)


def heading(page, text: str):
    return page.get_by_role("heading", name=re.compile(re.escape(text)))


def signed_out(page):
    return page.get_by_role("textbox", name="Username")


# -- the checks -------------------------------------------------------------------------------

class Checks:
    def __init__(self, nginx: Nginx, replicas: list[Replica], phones: Phones, db: Database,
                 verdicts: Verdicts):
        self.nginx, self.replicas, self.phones, self.db = nginx, replicas, phones, db
        self.verdicts = verdicts
        self.routes: dict[str, list[str]] = {r.address: [] for r in replicas}
        self.timings: dict[str, float] = {}

    def replica_name(self, address: str) -> str:
        for replica in self.replicas:
            if replica.address == address:
                return f"replica {replica.instance} ({address})"
        return address

    # -- plain requests ---------------------------------------------------------------------
    def route_split(self):
        """16 browsers' first requests, without a cookie: both replicas get some."""
        for _ in range(16):
            response, _ = self.nginx.https("/_stcore/health")
            key = re.match(rf"{ROUTE_COOKIE}=([0-9a-f]{{32}});", route_cookie(response))
            if not key:
                cookies = response.msg.get_all("Set-Cookie")
                return False, f"no route cookie on a first response ({cookies})"
            line = self.nginx.last_line(route=key[1])
            self.routes.setdefault(line.upstreams[-1], []).append(key[1])
        counts = {self.replica_name(a): len(keys) for a, keys in self.routes.items()}
        return all(self.routes[r.address] for r in self.replicas), f"first requests: {counts}"

    def route_of(self, replica: Replica) -> str:
        return self.routes[replica.address][0]

    def headers(self):
        response, _ = self.nginx.https("/")
        hsts = response.msg.get_all("Strict-Transport-Security") or []
        attrs = {a.strip().lower() for a in route_cookie(response).split(";")[1:]}
        insecure = [c.split("=")[0] for c in response.msg.get_all("Set-Cookie") or []
                    if "secure" not in c.lower()]
        problems = []
        if len(hsts) != 1:
            problems.append(f"HSTS {len(hsts)}×")
        if not {"secure", "httponly", "samesite=lax", "path=/"} <= attrs:
            problems.append(f"route cookie attributes {sorted(attrs)}")
        if insecure:
            problems.append(f"cookies without Secure: {insecure}")
        for name in ("X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options",
                     "Content-Security-Policy"):
            if len(response.msg.get_all(name) or []) > 1:
                problems.append(f"{name} sent twice")
        route = self.route_of(self.replicas[0])
        again, _ = self.nginx.https("/", {"Cookie": f"{ROUTE_COOKIE}={route}"})
        if route_cookie(again):
            problems.append("the route cookie is set again on a browser that has one")
        shown = ", ".join(f"{n}: {response.getheader(n)}" for n in (
            "Strict-Transport-Security", "X-Content-Type-Options", "Referrer-Policy",
            "X-Frame-Options") if response.getheader(n))
        csp = "the app's CSP present" if response.getheader("Content-Security-Policy") else \
            "no CSP from the app (yet)"
        return not problems, "; ".join(problems) or (
            f"{shown}; {csp}; the route cookie set once; every cookie Secure")

    def redirect(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.nginx.http_port, timeout=10)
        conn.request("GET", "/checkin?x=1", headers={"Host": f"{HOST}:{self.nginx.http_port}"})
        response = conn.getresponse()
        want = f"https://{HOST}:{self.nginx.https_port}/checkin?x=1"
        got = response.getheader("Location")
        return response.status == 301 and got == want, f"{response.status} → {got}"

    def keepalive(self):
        """30 requests through nginx to one replica: new upstream TCP connections counted."""
        replica = self.replicas[0]
        before = upstream_connections(replica.port)
        conn = self.nginx.connection()
        for _ in range(30):
            response, _ = self.nginx.https(
                "/_stcore/health", {"Cookie": f"{ROUTE_COOKIE}={self.route_of(replica)}"}, conn)
            assert response.status == 200, response.status
        new = upstream_connections(replica.port) - before
        return len(new) <= 2, f"30 requests opened {len(new)} upstream connection(s)"

    def log_privacy(self):
        canary = "PHI-CANARY-" + secrets.token_hex(4)
        self.nginx.https(f"/?note={canary}", {"Referer": f"https://{HOST}/?q={canary}"})
        before = len(self.nginx.log())
        for spelling in ("/calendar/", "//calendar/", "/%63alendar/", "/x/../calendar/"):
            self.nginx.https(f"{spelling}{canary}.ics")
        wait_until(lambda: sum(l.path == "/calendar/(token)"
                               for l in self.nginx.log()[before:]) == 4,
                   10, "the 4 calendar lines, each as /calendar/(token)")
        text = self.nginx.access_log.read_text()
        lines = self.nginx.log()
        unnamed = [l for l in lines if not l.upstreams]
        problems = (["the canary is in the log"] if canary in text else []) + (
            [f"{len(unnamed)} lines name no replica"] if unnamed else []) + (
            [f"{len(text.splitlines()) - len(lines)} lines not in the log format"]
            if len(text.splitlines()) != len(lines) else [])
        return not problems, "; ".join(problems) or (
            f"all {len(lines)} lines name the replica that answered (e.g. "
            f"upstream={lines[-1].upstream}); no query string, referrer or calendar token")

    def download_gone(self):
        route = self.route_of(self.replicas[0])
        response, body = self.nginx.https("/media/" + "0" * 56 + ".txt",
                                          {"Cookie": f"{ROUTE_COOKIE}={route}"})
        line = self.nginx.last_line(path="/media/" + "0" * 56 + ".txt")
        tried = len(line.upstreams)
        ok = (response.status == 404 and b"This download has expired" in body
              and tried == len(self.replicas))
        return ok, (f"{response.status}, the explaining page, tried on {tried} replicas "
                    f"(upstream={line.upstream}, status={line.upstream_status})")

    # -- browsers -----------------------------------------------------------------------------
    def stickiness(self):
        """Three fresh phones load and sign in; every request of each reaches one replica."""
        contexts = []
        for name in ("demo-client6", "demo-client8", None):  # the third only opens the app
            context = self.phones.new()
            app = Phone(context.new_page()).goto()
            if name:
                app.sign_in(name)
            contexts.append(context)
        routes = [cookie(c, ROUTE_COOKIE)["value"] for c in contexts]
        for context in contexts:
            context.close()  # the websockets close: nginx writes their lines now

        def websockets_logged():
            lines = self.nginx.log()
            done = all(any(l.route == r and l.status == "101" for l in lines) for r in routes)
            return done and lines
        lines = wait_until(websockets_logged, 20, "the closed websockets' log lines")
        placed, ok = [], True
        for n, route in enumerate(routes, 1):
            served = {l.upstreams[-1] for l in lines if l.route == route and l.upstreams}
            count = sum(1 for l in lines if l.route == route)
            ok = ok and len(served) == 1
            placed.append(f"phone {n}: {count} requests → "
                          f"{', '.join(sorted(self.replica_name(s) for s in served))}")
        return ok, "; ".join(placed)

    def sign_in_and_cookie(self):
        r1, r2 = self.replicas
        self.owner = self.phones.new(self.route_of(r1))
        self.owner_app = Phone(self.owner.new_page()).goto()
        self.owner_app.sign_in("demo-client1")
        heading(self.owner_app.page, "Hi, Avery").wait_for()
        self.owner_app.reload()
        heading(self.owner_app.page, "Hi, Avery").wait_for()
        self.copied = cookie(self.owner, AUTH_COOKIE)
        assert self.copied, "no re-login cookie after sign-in"
        self.other = self.phones.new(self.route_of(r2))
        self.other.add_cookies([self.copied])
        self.other_app = Phone(self.other.new_page()).goto()
        heading(self.other_app.page, "Hi, Avery").wait_for()
        return True, (f"signed in on {self.replica_name(r1.address)}, still in after a reload; "
                      f"the cookie signs in on {self.replica_name(r2.address)}")

    def revocation(self):
        r1, r2 = self.replicas
        self.owner_app.sign_out()
        signed_out(self.owner_app.page).wait_for()
        # The session already open on the other replica ends at its next step…
        other = self.other_app
        other.open_sidebar()  # (no `navigate`: that closes a sidebar the sign-out removes)
        other.act(other.sidebar_nav().get_by_role("link", name="My account", exact=True))
        signed_out(other.page).wait_for()
        # …and the cookie copied before the sign-out signs no new browser in there.
        thief = self.phones.new(self.route_of(r2))
        thief.add_cookies([self.copied])
        stolen = Phone(thief.new_page()).goto()
        signed_out(stolen.page).wait_for()
        still_in = heading(stolen.page, "Hi, Avery").count()
        for context in (self.owner, self.other, thief):
            context.close()
        return still_in == 0, (f"signed out on {self.replica_name(r1.address)}: the open "
                               f"session on {self.replica_name(r2.address)} ended at its next "
                               "step, and the copied cookie signs no one in there")

    def lockout(self):
        from companion.auth import LOCKED

        r1, r2 = self.replicas
        guesser = self.phones.new(self.route_of(r1))
        app = Phone(guesser.new_page()).goto()
        for attempt in range(1, 6):
            app.sign_in("demo-client7", f"not the password {attempt}", ok=False)
        app.page.get_by_text(LOCKED).wait_for()
        owner = self.phones.new(self.route_of(r2))
        right = Phone(owner.new_page()).goto()
        right.sign_in("demo-client7", ok=False)
        right.page.get_by_text(LOCKED).wait_for()
        ok = heading(right.page, "Hi, Gray").count() == 0
        guesser.close()
        owner.close()
        return ok, (f"5 wrong passwords on {self.replica_name(r1.address)}; the right one on "
                    f"{self.replica_name(r2.address)} is refused: {LOCKED[:40]}…")

    def idle(self):
        r1, r2 = self.replicas
        minutes = float(self.replicas[0].env.get("IDLE_TIMEOUT_MINUTES", "15"))
        phone = self.phones.new(self.route_of(r1))
        app = Phone(phone.new_page()).goto()
        app.sign_in("demo-client3")
        heading(app.page, "Hi, Casey").wait_for()
        pin(phone, self.route_of(r2))  # moves to the other replica while active: still in
        app.reload()
        heading(app.page, "Hi, Casey").wait_for()
        # As if the phone then lay untouched past the idle limit (the limit is kept in the
        # database as the last time seen), before a restart moved it back to the first replica.
        self.db.execute("UPDATE users SET last_seen_at = :t WHERE username = 'demo-client3'",
                        t=utc_now() - timedelta(minutes=minutes + 1))
        pin(phone, self.route_of(r1))
        app.reload()
        signed_out(app.page).wait_for()
        ok = heading(app.page, "Hi, Casey").count() == 0
        phone.close()
        return ok, (f"moved between replicas while active: still signed in; after "
                    f"{minutes + 1:g} min without activity: signed out on either")

    def failover(self):
        """Kill the replica a signed-in phone is on; it goes on on the other, nothing lost."""
        r1, r2 = self.replicas
        self.phone = self.phones.new(self.route_of(r1))
        app = self.app = Phone(self.phone.new_page()).goto()
        app.sign_in("demo-client5")
        heading(app.page, "Hi, Emery").wait_for()
        marker = f"deploy check {secrets.token_hex(3)}"
        save_checkin(app, marker)
        page = app.page
        killed = time.monotonic()
        with page.expect_event("websocket", timeout=120_000):
            r1.kill()
        app.settle(timeout_ms=120_000)
        page.get_by_role("heading", name=re.compile("Hi, Emery|Daily check-in")).wait_for(
            timeout=60_000)
        back = time.monotonic() - killed
        self.timings["kill → signed in on the other replica"] = back
        landed = "Home" if heading(page, "Hi, Emery").count() else "the check-in page"
        app.navigate("Check-in")
        box = page.get_by_role("textbox", name="Something I want to bring to group (optional)")
        kept = box.input_value() == marker
        rows = self.db.scalar(
            "SELECT count(*) FROM checkins c JOIN users u ON u.id = c.client_id "
            "WHERE u.username = 'demo-client5' AND c.is_current AND c.created_at > :since",
            since=utc_now() - timedelta(minutes=30))
        self.route = self.route_of(r1)
        return kept and rows == 1, (
            f"{self.replica_name(r1.address)} killed (SIGKILL) mid-session: the phone reconnected "
            f"to {self.replica_name(r2.address)} and was signed in again in {back:.1f} s (on "
            f"{landed}); the check-in saved before the kill is there ({rows} current row)")

    def restart_and_download(self):
        """The killed replica comes back: the phone's requests go to it again while its
        websocket stays on the other; downloads still arrive."""
        r1, r2 = self.replicas
        took = r1.start()
        self.timings["restart → healthy"] = took
        came_back = time.monotonic()

        def routed_back():
            before = len(self.nginx.log())
            self.nginx.https("/_stcore/health", {"Cookie": f"{ROUTE_COOKIE}={self.route}"})
            line = self.nginx.last_line(route=self.route, after=before)
            return line.upstreams[-1:] == [r1.address]
        wait_until(routed_back, 60, "nginx sends the phone's requests to the restarted replica",
                   every_s=1)
        self.timings["healthy → nginx routes to it again"] = time.monotonic() - came_back
        app, page = self.app, self.app.page
        results = []
        for title, button in (("My safety plan", "Download a copy to print or keep"),
                              ("My account", "Download all my data")):
            app.navigate(title)
            before = len(self.nginx.log())
            with page.expect_download(timeout=60_000) as info:
                app.act(page.get_by_role("button", name=button))
            download = info.value
            failure = download.failure()
            size = Path(download.path()).stat().st_size if failure is None else 0
            self.nginx.last_line(path="/media/", after=before)
            media = [l for l in self.nginx.log()[before:] if l.path.startswith("/media/")]
            hint = page.get_by_text(re.compile("Tap the button again")).count() > 0
            results.append((failure is None and size > 0 and bool(media) and hint,
                            f"{button!r}: {size} bytes"
                            f"{'' if failure is None else f' FAILED ({failure})'}, " +
                            ", ".join(f"upstream={l.upstream} status={l.upstream_status}"
                                      for l in media[:2]) +
                            ("; the hint under the button shows" if hint else "; no hint")))
        self.phone.close()
        return all(ok for ok, _ in results), "; ".join(d for _, d in results)


def route_cookie(response) -> str:
    """The Set-Cookie header of the route cookie, or ""."""
    return next((c for c in response.msg.get_all("Set-Cookie") or []
                 if c.startswith(f"{ROUTE_COOKIE}=")), "")


def utc_now() -> datetime:
    """Naive UTC, as the app stores its times (companion.core.timeutil.UTCDateTime)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def upstream_connections(port: int) -> set[tuple[str, str]]:
    """TCP connections (any state but listening, TIME-WAIT included) to or from `port`."""
    out = subprocess.run(["ss", "-Htan", f"( sport = :{port} or dport = :{port} )"],
                         capture_output=True, text=True, check=True).stdout
    found = set()
    for line in out.splitlines():
        fields = line.split()
        if fields and fields[0] != "LISTEN":
            found.add(tuple(sorted(fields[3:5])))
    return found


def save_checkin(app: Phone, marker: str) -> None:
    """Today's check-in with every answer given (mood, craving, stress, use) and a marker."""
    page = app.page
    app.navigate("Check-in")
    heading(page, "Daily check-in").wait_for()
    for name, steps in (("Mood", 6), ("Craving", 2), ("Anxiety or stress", 3)):
        slider = page.locator(f'input[type="range"][aria-label="{name}"]')
        slider.focus()
        slider.press("Home")
        for _ in range(steps):
            slider.press("ArrowRight")
    used = page.get_by_role("radiogroup", name=re.compile("Did you use today")).get_by_text(
        "No", exact=True)
    used.click()
    page.get_by_role("textbox", name="Something I want to bring to group (optional)").fill(marker)
    app.act(page.get_by_role("button", name="Save check-in"))
    page.get_by_text(re.compile("Saved — thank you for checking in")).wait_for()


def listening_addresses(ports: list[int]) -> set[str]:
    out = subprocess.run(["ss", "-Hltn"], capture_output=True, text=True, check=True).stdout
    return {line.split()[3] for line in out.splitlines()
            if line.split() and line.split()[3].rsplit(":", 1)[-1] in {str(p) for p in ports}}


# -- main ---------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DB,
                        help="a PostgreSQL database to drop and make again (name ends in _check)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the folder, logs and database afterwards")
    args = parser.parse_args(argv)
    verdicts = Verdicts()
    run = Path(tempfile.mkdtemp(prefix="companion-deploy-check-"))
    run.chmod(0o755)  # nginx's workers (www-data) reach their temp folders in here
    print(f"Working in {run}", flush=True)
    with ExitStack() as stack:
        database_url = fresh_database(args.database_url)
        if not args.keep:
            stack.callback(drop_database, database_url)
            stack.callback(shutil.rmtree, run, ignore_errors=True)
        env_file = replica_env_file(run, database_url)
        seed_env = {**os.environ, **read_env_file(env_file)}
        for command in (["migrate"], ["demo", "--password", DEMO_PASSWORD,
                                      "--totp-secret", DEMO_TOTP]):
            subprocess.run([sys.executable, "-m", "companion", *command], cwd=ROOT, env=seed_env,
                           check=True, capture_output=True, text=True)
        unit = Unit(DEPLOY / "companion@.service")
        replicas = [Replica(unit, f"{n:02d}", free_port(), env_file, run) for n in (1, 2)]
        for replica in replicas:
            stack.callback(replica.stop)
        checked = replicas[0].check()
        verdicts.record("companion check, with companion.env.example filled in",
                        checked.returncode == 0,
                        (checked.stdout + checked.stderr).strip().splitlines()[-1][:200]
                        if checked.returncode else "passes")
        started = time.monotonic()
        for replica in replicas:
            replica.launch()
        for replica in replicas:
            replica.wait_healthy()
        print(f"      replicas {', '.join(r.address for r in replicas)} started with the unit's "
              f"ExecStartPre and ExecStart: healthy in {time.monotonic() - started:.1f} s",
              flush=True)
        addresses = listening_addresses([r.port for r in replicas])
        verdicts.record("replicas listen on 127.0.0.1 only",
                        addresses == {r.address for r in replicas}, ", ".join(sorted(addresses)))

        nginx = Nginx(run, free_port(), free_port(), [r.address for r in replicas])
        tested = nginx.test_config()
        version = subprocess.run([nginx.binary, "-v"], capture_output=True, text=True).stderr
        if not verdicts.record("nginx -t accepts deploy/nginx.conf", tested.returncode == 0,
                               version.strip() if tested.returncode == 0 else tested.stderr):
            return 1
        nginx.start()
        stack.callback(nginx.stop)
        db = Database(database_url)
        stack.callback(db.engine.dispose)

        from playwright.sync_api import expect, sync_playwright

        expect.set_options(timeout=30_000)  # a loaded machine; every wait still has an end
        playwright = stack.enter_context(sync_playwright())
        phones = Phones(playwright, nginx)
        stack.callback(phones.close)
        checks = Checks(nginx, replicas, phones, db, verdicts)
        verdicts.run("route cookie spreads new browsers over the replicas", checks.route_split)
        if any(not keys for keys in checks.routes.values()):
            return 1  # the checks below pin phones to chosen replicas
        for name, check in (
                ("HTTP → HTTPS redirect keeps the port, path and query", checks.redirect),
                ("headers: HSTS once, no second copy of the app's own", checks.headers),
                ("upstream keep-alive: connections reused", checks.keepalive),
                ("each phone stays on its replica", checks.stickiness),
                ("sign-in and the re-login cookie, on both replicas", checks.sign_in_and_cookie),
                ("revocation: sign-out on one replica holds on the other", checks.revocation),
                ("lockout: held across replicas", checks.lockout),
                ("idle sign-out: held across replicas", checks.idle),
                ("failover: a replica killed mid-session", checks.failover),
                ("download after the killed replica is back", checks.restart_and_download),
                ("a download no replica has: the explaining page", checks.download_gone),
                ("access log: replica named, nothing with PHI", checks.log_privacy)):
            verdicts.run(name, check)
        for what, seconds in checks.timings.items():
            print(f"      {what}: {seconds:.1f} s")
    if verdicts.failed:
        print(f"\n{len(verdicts.failed)} check(s) failed: {', '.join(verdicts.failed)}"
              + (f"\nLogs kept in {run}" if args.keep else " (run with --keep for the logs)"))
        return 1
    print("\nAll checks held.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
