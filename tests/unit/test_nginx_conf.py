"""deploy/nginx.conf, run by this machine's nginx (Debian's nginx.conf around it) in front of
two stand-in replicas on loopback ports: plain HTTP servers that record what nginx sends them.

What a Streamlit replica does is checked end to end by deploy/check_replicas.py (real replicas,
PostgreSQL, Chromium); this pins the proxy's own behaviour, in seconds: `nginx -t`, the
redirect port, the route cookie, headers, upstream keep-alive, `/media/` retried on the other
replica, failover, `$upstream_addr` in the log, and calendar tokens kept out of it.
Skipped, with the reason, where nginx (or openssl, or Debian's nginx.conf) is absent.
"""
from __future__ import annotations

import http.client
import importlib.util
import os
import shutil
import socket
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from companion.core.config import ROOT

ROUTE = "companion_route"


def _harness():
    spec = importlib.util.spec_from_file_location("nginx_harness",
                                                  ROOT / "deploy" / "nginx_harness.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["nginx_harness"] = module  # (dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


harness = _harness()


def _missing() -> str | None:
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        return "nginx is not installed (apt-get install nginx-light): deploy/nginx.conf unchecked"
    if not shutil.which("openssl"):
        return "openssl is not installed: no test certificate for deploy/nginx.conf"
    if not harness.DEBIAN_NGINX_CONF.exists():
        return f"{harness.DEBIAN_NGINX_CONF} (Debian's nginx.conf, which includes ours) is absent"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


class StandIn:
    """A replica stand-in: answers every request, records (path, headers, client port).
    `media` are the /media/ files it holds; every other /media/ path is a 404, as Streamlit's."""

    def __init__(self, name: str, media: set[str]):
        self.name, self.media, self.seen = name, media, []
        self.connections: set[socket.socket] = set()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as uvicorn

            def setup(self):
                super().setup()
                stand_in.connections.add(self.connection)

            def do_GET(self):
                stand_in.seen.append((self.path, dict(self.headers), self.client_address[1]))
                missing = self.path.startswith("/media/") and self.path not in stand_in.media
                body = b"no such file" if missing else f"{stand_in.name} {self.path}".encode()
                self.send_response(404 if missing else 200)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "max-age=3600")
                if self.path == "/own-headers":
                    self.send_header("X-Content-Type-Options", "nosniff")
                    self.send_header("Content-Security-Policy", "frame-ancestors 'self'")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.handler, self.server = Handler, None
        self.start(0)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"

    def start(self, port: int | None = None):
        if port is None:
            port = int(self.address.rsplit(":", 1)[1])
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self.handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        """As a crash: no more connections, and the open (kept-alive) ones cut."""
        for connection in list(self.connections):
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.connections.clear()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture(scope="module")
def site():
    run = Path(tempfile.mkdtemp(prefix="companion-nginx-test-"))
    run.chmod(0o755)  # nginx's workers (www-data when run as root) reach their temp folders
    a = StandIn("A", media=set())
    b = StandIn("B", media={"/media/abc.txt"})
    nginx = None
    try:
        try:
            nginx = harness.Nginx(run, harness.free_port(), harness.free_port(),
                                  [a.address, b.address])
        except harness.NotDebianLayout as exc:  # (a change to our file still fails)
            pytest.skip(f"not Debian's nginx layout: {exc}")
        tested = nginx.test_config()
        assert tested.returncode == 0, tested.stderr
        nginx.start()
        yield nginx, a, b
    finally:
        if nginx is not None:
            nginx.stop()
        a.stop()
        b.stop()
        shutil.rmtree(run, ignore_errors=True)


def get(nginx, path: str, route: str | None = None, headers: dict | None = None, conn=None):
    cookie = {"Cookie": f"{ROUTE}={route}"} if route else {}
    return nginx.https(path, {**cookie, **(headers or {})}, conn)


def routes_to(nginx, stand_in: StandIn) -> str:
    """A route key the hash sends to `stand_in` (fixed keys tried in order: deterministic)."""
    for n in range(64):
        key = f"{n:032x}"
        response, body = get(nginx, f"/which?{key}", key)
        if body.startswith(stand_in.name.encode()):
            return key
    raise AssertionError(f"no route key of 64 reaches {stand_in.name}")


def test_nginx_t_accepts_the_shipped_file(site):
    nginx, _, _ = site
    tested = nginx.test_config()
    assert tested.returncode == 0, tested.stderr
    assert "syntax is ok" in tested.stderr


def test_http_redirect_keeps_the_https_port_path_and_query(site):
    nginx, _, _ = site
    conn = http.client.HTTPConnection("127.0.0.1", nginx.http_port, timeout=10)
    conn.request("GET", "/checkin?x=1", headers={"Host": f"{harness.HOST}:{nginx.http_port}"})
    response = conn.getresponse()
    assert response.status == 301
    assert response.getheader("Location") == \
        f"https://{harness.HOST}:{nginx.https_port}/checkin?x=1"


def test_route_cookie_is_set_once_and_keeps_a_browser_on_one_replica(site):
    nginx, a, b = site
    response, _ = get(nginx, "/")
    cookie = next(c for c in response.msg.get_all("Set-Cookie") if c.startswith(ROUTE + "="))
    key = cookie.split(";")[0].split("=")[1]
    assert {"Secure", "HttpOnly", "SameSite=Lax", "Path=/"} <= \
        {part.strip() for part in cookie.split(";")[1:]}
    served = set()
    for n in range(10):
        again, body = get(nginx, f"/page{n}", key)
        assert not [c for c in again.msg.get_all("Set-Cookie") or [] if c.startswith(ROUTE)]
        served.add(body.split()[0])
    assert len(served) == 1
    assert {routes_to(nginx, a), routes_to(nginx, b)}  # both replicas reachable by a key


def test_security_headers_once_and_never_beside_the_apps_own(site):
    nginx, _, _ = site
    bare, _ = get(nginx, "/")
    assert bare.msg.get_all("Strict-Transport-Security") == [
        "max-age=63072000; includeSubDomains"]
    assert bare.msg.get_all("X-Content-Type-Options") == ["nosniff"]
    assert bare.getheader("X-Frame-Options") == "SAMEORIGIN"
    own, _ = get(nginx, "/own-headers")
    assert own.msg.get_all("X-Content-Type-Options") == ["nosniff"]  # the app's, not twice
    assert own.getheader("X-Frame-Options") is None  # the app's CSP frame-ancestors rules


def test_plain_requests_keep_the_upstream_connection_and_upgrades_ask_for_one(site):
    nginx, a, _ = site
    key = routes_to(nginx, a)
    before = len(a.seen)
    conn = nginx.connection()
    for n in range(10):
        response, _ = get(nginx, f"/keep{n}", key, conn=conn)
        assert response.status == 200
    plain = a.seen[before:]
    assert [h.get("Connection") for _, h, _ in plain] == [None] * 10  # no "close", no "upgrade"
    assert len({port for _, _, port in plain}) == 1  # one upstream connection, reused
    assert [h.get("Host") for _, h, _ in plain][0] == f"{harness.HOST}:{nginx.https_port}"
    get(nginx, "/_stcore/stream", key, {"Upgrade": "websocket", "Connection": "Upgrade"})
    path, headers, _ = a.seen[-1]
    assert path == "/_stcore/stream"
    assert (headers.get("Upgrade"), headers.get("Connection")) == ("websocket", "upgrade")


def test_a_download_missing_on_one_replica_comes_from_the_other(site):
    nginx, a, b = site
    key = routes_to(nginx, a)  # the hash sends this browser to A, which lacks the file
    before = len(nginx.log())
    response, body = get(nginx, "/media/abc.txt", key)
    assert (response.status, body) == (200, b"B /media/abc.txt")
    line = nginx.last_line(path="/media/abc.txt", after=before)
    assert line.upstreams == [a.address, b.address]
    assert line.upstream_status == "404, 200"


def test_a_download_no_replica_has_gets_the_explaining_page(site):
    nginx, a, b = site
    before = len(nginx.log())
    response, body = get(nginx, "/media/gone.txt", routes_to(nginx, b))
    assert response.status == 404
    assert b"This download has expired" in body and b"tap the download button again" in body
    line = nginx.last_line(path="/media/gone.txt", after=before)
    assert sorted(line.upstreams) == sorted([a.address, b.address])


def test_calendar_reaches_the_app_every_time_and_its_token_is_never_logged(site):
    nginx, _, _ = site
    token = "TOKEN-" + os.urandom(6).hex()
    before = len(nginx.log())
    spellings = ("/calendar/", "/calendar/", "//calendar/", "/%63alendar/", "/x/../calendar/")
    for spelling in spellings:
        response, body = get(nginx, f"{spelling}{token}.ics?x={token}")
        assert response.status == 200 and token.encode() in body  # passed on, token and all
    harness.wait_until(lambda: len(nginx.log()) - before >= len(spellings), 10, "log lines")
    lines = nginx.log()[before:]
    assert [line.path for line in lines] == ["/calendar/(token)"] * len(spellings)
    assert all(line.upstreams for line in lines)  # each fetch asked a replica: nothing cached
    assert token not in nginx.access_log.read_text()


def test_every_log_line_names_the_replica_and_no_query_string(site):
    nginx, _, _ = site
    get(nginx, "/?note=PHI-CANARY", headers={"Referer": "https://x.test/?q=PHI-CANARY"})
    nginx.last_line(path="/")
    text = nginx.access_log.read_text()
    lines = nginx.log()
    assert len(lines) == len(text.splitlines())  # every line in the documented format
    assert all(line.upstreams for line in lines)
    assert "PHI-CANARY" not in text


def test_a_replica_down_is_skipped(site):
    nginx, a, b = site
    key = routes_to(nginx, a)
    a.stop()
    try:
        response, body = get(nginx, "/after-a-crash", key)
        assert (response.status, body) == (200, b"B /after-a-crash")
    finally:
        a.start()

