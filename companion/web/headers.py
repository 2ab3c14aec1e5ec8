"""Security headers on every HTTP response: the second layer against user text turned markup.

The first layer is escaping (companion/ui/text.py). If a user string reaches markdown
unescaped anyway, this Content-Security-Policy still keeps the browser from fetching anything
from another host (an injected `![x](http://host/x)` is refused), from running any script the
app did not ship, and from being framed. Each source, and why (all checked in Chromium on
every page of every role, the sign-in cookie component, downloads and chart tooltips):

- script-src 'self' + two hashes: the frontend's bundles, plus the framework's two inline
  scripts, each allowed by the hash of its exact bytes (never 'unsafe-inline'): Streamlit's
  index.html sets `window.prerenderReady = false` (a flag for SEO pre-rendering services,
  inert here); the login library's cookie component (an iframe) starts with webpack's inline
  loader. No 'unsafe-eval': Streamlit runs Vega with its CSP-safe expression interpreter.
  Not even 'wasm-unsafe-eval': the one WebAssembly user, long.js inside protobuf.js, tries a
  tiny module for 64-bit arithmetic and falls back to plain JavaScript when refused.
- style-src 'unsafe-inline': Streamlit styles its components with inline <style> elements
  and style attributes (emotion) and offers no nonce. Styles cannot reach another host
  here, because img-src, font-src and connect-src are 'self'.
- img-src and font-src also allow data: (the page icon and a bundled font are data: URLs).
- frame-src 'self': the cookie component's iframe; only files under /component/ may be
  framed, and only by the app (frame-ancestors 'self'; 'none' everywhere else).
- connect-src 'self' plus this host's ws:/wss: (Safari before 16 does not count a websocket
  to the same host as 'self'); worker-src and object-src 'none'.
"""
from __future__ import annotations

import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The framework's own inline <script> bodies, allowed by hash (exactly these bytes):
# tests/unit/test_security_headers.py fails if an upgrade changes or adds one.
INLINE_SCRIPTS = {
    # streamlit/static/index.html (1.67): `window.prerenderReady = false`
    "streamlit": "'sha256-THxz9J9+wf7rhwR2YkXJoSZ13UCmYyC+3lNDv2+8ugA='",
    # extra_streamlit_components/CookieManager/frontend/build/index.html: webpack's loader
    "cookie_manager": "'sha256-CLFEkP0dgnFU04lAyNI12tJzuaDySVyrOCO6rb04XmE='",
}

_FIXED_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self' " + " ".join(INLINE_SCRIPTS.values()),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "frame-src 'self'",
    "worker-src 'none'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
)

# Powerful browser features, all off; passkeys (publickey-credentials-*) for this origin only.
PERMISSIONS_POLICY = ", ".join([
    *(f"{feature}=()" for feature in (
        "accelerometer", "autoplay", "browsing-topics", "camera",
        "display-capture", "encrypted-media", "geolocation", "gyroscope", "hid",
        "identity-credentials-get", "idle-detection", "local-fonts", "magnetometer",
        "microphone", "midi", "payment", "picture-in-picture", "screen-wake-lock", "serial",
        "usb", "xr-spatial-tracking")),
    "fullscreen=(self)", "publickey-credentials-create=(self)",
    "publickey-credentials-get=(self)",
])

FIXED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}

NO_STORE = "no-store"
# Folders of framework files (content-hashed bundles, component assets) that hold no user
# data: their own caching stays, so a phone does not refetch megabytes of JavaScript.
CACHEABLE_FOLDERS = ("/static/", "/component/")
# Component files are drawn in a same-origin iframe (the login library's cookie component);
# nothing else may be framed, not even by the app itself.
FRAMEABLE_FOLDER = "/component/"

_HOST = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")


def content_security_policy(host: str | None = None, frameable: bool = False) -> str:
    """The policy for a response to a request for `host` (its Host header, if well formed);
    `frameable` lets the app's own pages frame it."""
    connect = "connect-src 'self'"
    if host and _HOST.fullmatch(host):
        connect += f" ws://{host} wss://{host}"
    ancestors = "frame-ancestors " + ("'self'" if frameable else "'none'")
    return "; ".join([*_FIXED_DIRECTIVES, connect, ancestors])


def keeps_its_caching(path: str, content_type: str, status: int) -> bool:
    """Framework assets keep their Cache-Control; everything else (pages, data, downloads,
    errors, the app's own routes) is `no-store`. HTML is never cached: it is a page."""
    return (path.startswith(CACHEABLE_FOLDERS) and status < 400
            and not content_type.startswith("text/html"))


class SecurityHeaders:
    """ASGI middleware: adds the headers above to every HTTP response, including an error
    page it answers itself when the app raises before it started a response."""

    def __init__(self, app: ASGIApp, base_url_path: str | None = None):
        if base_url_path is None:  # Starlette builds middleware once config is loaded
            from streamlit import config

            base_url_path = config.get_option("server.baseUrlPath") or ""
        self.app = app
        self.prefix = "/" + base_url_path.strip("/") if base_url_path.strip("/") else ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if self.prefix and (path == self.prefix or path.startswith(self.prefix + "/")):
            path = path[len(self.prefix):] or "/"
        host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                self._add(MutableHeaders(scope=message), path, host, message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if not started:  # Starlette's own 500 page would go out without these headers
                await send_with_headers({"type": "http.response.start", "status": 500,
                                         "headers": [(b"content-type", b"text/plain")]})
                await send({"type": "http.response.body", "body": b"Internal Server Error"})
            raise

    @staticmethod
    def _add(headers: MutableHeaders, path: str, host: str, status: int) -> None:
        headers["Content-Security-Policy"] = content_security_policy(
            host, frameable=path.startswith(FRAMEABLE_FOLDER))
        for name, value in FIXED_HEADERS.items():
            headers[name] = value
        if not keeps_its_caching(path, headers.get("content-type", ""), status) and (
                NO_STORE not in headers.get("cache-control", "")):  # e.g. private, no-store
            headers["Cache-Control"] = NO_STORE
