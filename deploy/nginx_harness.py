"""deploy/nginx.conf run by this machine's nginx on loopback test ports, for
deploy/check_replicas.py and tests/unit/test_nginx_conf.py.

Debian's own /etc/nginx/nginx.conf wraps the file, as on a server; only the host
(companion.test), a fresh self-signed certificate, the ports, the upstream addresses and the
log files are substituted. When the file changes so that a substitution no longer applies,
`substitute` says which (SystemExit), rather than testing something else.
"""
from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
HOST = "companion.test"
DEBIAN_NGINX_CONF = Path("/etc/nginx/nginx.conf")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout_s: float, what: str, every_s: float = 0.2):
    """Poll `condition` until it returns something truthy (returned) or the deadline passes."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not after {timeout_s:.0f} s")
        time.sleep(every_s)


class NotDebianLayout(SystemExit):
    """This machine's /etc/nginx/nginx.conf is not Debian's: the harness cannot wrap ours."""


def substitute(text: str, old: str, new: str, count: int | None = 1,
               where: str = "deploy/nginx.conf") -> str:
    """Replace `old`, which must occur `count` times (any number ≥ 1 with None)."""
    found = text.count(old)
    if found == 0 or (count is not None and found != count):
        error = NotDebianLayout if where == str(DEBIAN_NGINX_CONF) else SystemExit
        raise error(f"{where}: expected {count or 'some'} × {old!r}, found {found}: update "
                    "the substitutions in deploy/nginx_harness.py")
    return text.replace(old, new)


@dataclass
class LogLine:
    method: str
    path: str
    status: str
    upstream: str
    upstream_status: str
    route: str

    @property
    def upstreams(self) -> list[str]:
        return [u for u in re.split(r", | : ", self.upstream) if u and u != "-"]


LOG_LINE = re.compile(r'^\S+ \[[^\]]+\] "(?P<method>\S+) (?P<path>[^"]*)" (?P<status>\d+) '
                      r'\d+ \S+ upstream=(?P<upstream>.*?) upstream_status=(?P<ustatus>.*?) '
                      r'route=(?P<route>\S*)$')


class Nginx:
    def __init__(self, run: Path, http_port: int, https_port: int, upstreams: list[str]):
        self.dir = run / "nginx"
        self.dir.mkdir()
        self.http_port, self.https_port = http_port, https_port
        self.access_log = self.dir / "companion.access.log"
        self.site = self.dir / "companion.conf"
        self.main = self.dir / "nginx.conf"
        self.binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.proc: subprocess.Popen | None = None
        self._certificate()
        self.site.write_text(self._site(upstreams))
        self.main.write_text(self._main())

    def _certificate(self):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}",
                        "-keyout", str(self.dir / "privkey.pem"),
                        "-out", str(self.dir / "fullchain.pem")],
                       check=True, capture_output=True)

    def _site(self, upstreams: list[str]) -> str:
        text = (DEPLOY / "nginx.conf").read_text()
        for name in ("fullchain.pem", "privkey.pem"):
            text = substitute(text, f"/etc/letsencrypt/live/companion.example.org/{name}",
                              str(self.dir / name))
        text = substitute(text, "companion.example.org", HOST, count=None)
        # Loopback only, on test ports; the IPv6 twins are dropped (no [::] here).
        text = substitute(text, "listen 80;", f"listen 127.0.0.1:{self.http_port};")
        text = substitute(text, "listen [::]:80;\n", "")
        text = substitute(text, "listen 443 ssl http2;",
                          f"listen 127.0.0.1:{self.https_port} ssl http2;")
        text = substitute(text, "listen [::]:443 ssl http2;", "")
        text = substitute(text, ":443$request_uri", f":{self.https_port}$request_uri")
        for n, address in enumerate(upstreams, start=1):
            text = substitute(text, f"server 127.0.0.1:850{n} ", f"server {address} ", count=2)
        text = substitute(text, "/var/log/nginx/companion.access.log", str(self.access_log))
        text = substitute(text, "error_log /var/log/nginx/error.log crit;",
                          f"error_log {self.dir / 'error.log'} crit;")
        return text

    def _main(self) -> str:
        """Debian's own nginx.conf, writing its pid and logs here and including only ours."""
        text = DEBIAN_NGINX_CONF.read_text()
        debian = str(DEBIAN_NGINX_CONF)
        text = substitute(text, "pid /run/nginx.pid;", f"pid {self.dir / 'nginx.pid'};",
                          where=debian)
        text = substitute(text, "error_log /var/log/nginx/error.log;",
                          f"error_log {self.dir / 'error.log'};", where=debian)
        text = substitute(text, "access_log /var/log/nginx/access.log;",
                          f"access_log {self.dir / 'access.log'};", where=debian)
        text = substitute(text, "include /etc/nginx/conf.d/*.conf;", f"include {self.site};",
                          where=debian)
        text = substitute(text, "include /etc/nginx/sites-enabled/*;", "", where=debian)
        temp = "".join(f"\t{kind}_temp_path {self.dir / kind};\n"
                       for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        text = substitute(text, "http {\n", "http {\n" + temp, where=debian)
        if os.geteuid() != 0:
            text = substitute(text, "user www-data;", "", where=debian)
        return text

    def _cmd(self, *extra: str) -> list[str]:
        return [self.binary, "-p", str(self.dir), "-c", str(self.main), *extra]

    def test_config(self) -> subprocess.CompletedProcess:
        return subprocess.run(self._cmd("-t"), capture_output=True, text=True)

    def start(self) -> None:
        self.proc = subprocess.Popen(self._cmd("-g", "daemon off;"), stdout=subprocess.DEVNULL,
                                     stderr=(self.dir / "stderr.log").open("w"),
                                     start_new_session=True)

        def listening():
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {(self.dir / 'stderr.log').read_text()}")
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                return True
            except OSError:
                return False
        wait_until(listening, 20, "nginx listening")

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGQUIT)  # graceful: websockets get their log lines
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def log(self) -> list[LogLine]:
        lines = []
        if not self.access_log.exists():
            return lines
        for raw in self.access_log.read_text().splitlines():
            m = LOG_LINE.match(raw)
            if m:
                lines.append(LogLine(m["method"], m["path"], m["status"], m["upstream"],
                                     m["ustatus"], m["route"]))
        return lines

    def last_line(self, route: str | None = None, path: str | None = None,
                  after: int = 0) -> LogLine:
        """The newest line (past the first `after`) for a route or a path, waiting for it:
        nginx writes a request's line just after it has sent the response."""
        def found():
            return next((l for l in reversed(self.log()[after:])
                         if (route is None or l.route == route)
                         and (path is None or l.path.startswith(path))), None)
        return wait_until(found, 10, f"the access-log line of {route or path}", every_s=0.05)

    # -- plain HTTP(S) requests, as curl would make them ------------------------------------
    def https(self, path: str, headers: dict | None = None, conn=None):
        conn = conn or self.connection()
        conn.request("GET", path, headers={"Host": f"{HOST}:{self.https_port}",
                                           **(headers or {})})
        response = conn.getresponse()
        body = response.read()
        return response, body

    def connection(self) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection("127.0.0.1", self.https_port, timeout=30,
                                           context=ssl._create_unverified_context())
