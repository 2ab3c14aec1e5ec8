"""The security headers middleware (companion/web/headers.py), driven as an ASGI app.

tests/browser/test_security.py checks the same headers on the real server's responses.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import threading
from importlib.util import find_spec
from pathlib import Path

import pytest

from companion.web import headers
from companion.web.headers import SecurityHeaders, content_security_policy
from companion.web.routes import middleware

FRAMEWORK_PAGES = {  # the framework's HTML files a browser loads, by INLINE_SCRIPTS key
    "streamlit": ("streamlit", "static/index.html"),
    "cookie_manager": ("extra_streamlit_components", "CookieManager/frontend/build/index.html"),
}


def inline_script_hashes(html: str) -> list[str]:
    bodies = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, re.S)
    return [f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'"
            for b in bodies]


def run_apart(coroutine) -> None:
    """asyncio.run in a thread of its own: in one pytest process the browser tests' Playwright
    keeps an event loop running on the main thread, and asyncio.run refuses to nest in it."""
    failure: list[BaseException] = []

    def target():
        try:
            asyncio.run(coroutine)
        except BaseException as exc:  # re-raised on the test's thread
            failure.append(exc)

    worker = threading.Thread(target=target)
    worker.start()
    worker.join()
    if failure:
        raise failure[0]


def directives(policy: str) -> dict[str, list[str]]:
    parts = [d.split() for d in policy.split(";") if d.strip()]
    return {name: sources for name, *sources in parts}


@pytest.mark.parametrize("key", FRAMEWORK_PAGES)
def test_each_inline_script_the_framework_ships_is_allowed_by_its_hash_and_no_other(key):
    """Fails when an upgrade changes or adds an inline script: look at it before allowing it."""
    package, relative = FRAMEWORK_PAGES[key]
    html = (Path(find_spec(package).submodule_search_locations[0]) / relative).read_text()
    assert inline_script_hashes(html) == [headers.INLINE_SCRIPTS[key]]


def test_the_policy_lets_the_page_load_only_from_the_app_itself():
    policy = directives(content_security_policy("clinic.example:8443"))
    hashes = set(headers.INLINE_SCRIPTS.values())
    assert policy["default-src"] == ["'self'"]
    assert set(policy["script-src"]) == {"'self'", *hashes}  # no inline, no eval, no wasm
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["font-src"] == ["'self'", "data:"]
    assert policy["connect-src"] == ["'self'", "ws://clinic.example:8443",
                                     "wss://clinic.example:8443"]
    assert policy["frame-src"] == ["'self'"]
    assert policy["worker-src"] == policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == policy["form-action"] == ["'self'"]


@pytest.mark.parametrize("host", ["evil.example; script-src *", "a b", "x\r\ny", "", None,
                                  "host:port"])
def test_a_malformed_host_header_adds_no_source(host):
    policy = directives(content_security_policy(host))
    assert policy["connect-src"] == ["'self'"]
    assert "*" not in content_security_policy(host)


def test_powerful_features_are_off_and_passkeys_are_for_this_origin_only():
    features = dict(item.split("=") for item in headers.PERMISSIONS_POLICY.split(", "))
    for denied in ("camera", "microphone", "geolocation", "payment", "usb", "display-capture"):
        assert features[denied] == "()"
    assert features["publickey-credentials-get"] == features[
        "publickey-credentials-create"] == "(self)"


# --- the middleware, as an ASGI app ------------------------------------------------------------

def respond(status=200, content_type="text/html; charset=utf-8", extra=(), raise_=None):
    async def app(scope, receive, send):
        if raise_ is not None:
            raise raise_
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", content_type.encode()), *extra]})
        await send({"type": "http.response.body", "body": b"body"})
    return app


def call(app, path: str, host: bytes = b"127.0.0.1:8501", base_url_path: str = "",
         kind: str = "http") -> list[dict]:
    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    scope = {"type": kind, "path": path, "headers": [(b"host", host)], "method": "GET"}
    run_apart(SecurityHeaders(app, base_url_path=base_url_path)(scope, receive, send))
    return sent


def response_headers(sent: list[dict]) -> dict[str, str]:
    start = next(m for m in sent if m["type"] == "http.response.start")
    return {k.decode(): v.decode() for k, v in start["headers"]}


IMMUTABLE = (b"cache-control", b"public, immutable, max-age=31536000")


def test_a_page_gets_every_header_and_is_never_stored():
    got = response_headers(call(respond(extra=[(b"cache-control", b"no-cache")]), "/"))
    assert got["content-security-policy"] == content_security_policy("127.0.0.1:8501")
    assert got["x-content-type-options"] == "nosniff"
    assert got["referrer-policy"] == "no-referrer"
    assert got["permissions-policy"] == headers.PERMISSIONS_POLICY
    assert got["cross-origin-opener-policy"] == "same-origin"
    assert got["cache-control"] == "no-store"  # replaces Streamlit's no-cache
    assert list(got).count("cache-control") == 1


@pytest.mark.parametrize("path, content_type, status, extra, stored", [
    ("/static/js/index.abc.js", "text/javascript", 200, [IMMUTABLE], True),
    ("/component/cookie/static/js/main.js", "text/javascript", 200,
     [(b"cache-control", b"public")], True),
    ("/static/js/missing.js", "text/plain", 404, [], False),
    ("/static/anything", "text/html; charset=utf-8", 200, [IMMUTABLE], False),  # the page
    ("/media/0123.pdf", "application/pdf", 200, [], False),
    ("/_stcore/health", "text/plain", 200, [(b"cache-control", b"no-cache")], False),
    ("/calendar/token.ics", "text/calendar", 200, [IMMUTABLE], False),  # the app's own route
])
def test_only_framework_assets_keep_their_caching(path, content_type, status, extra, stored):
    got = response_headers(call(respond(status, content_type, extra), path))
    assert (got.get("cache-control") != "no-store") is stored
    assert "content-security-policy" in got and got["x-content-type-options"] == "nosniff"


def test_only_component_files_may_be_framed_and_only_by_the_app():
    component = response_headers(call(respond(), "/component/cookie/index.html"))
    page = response_headers(call(respond(), "/component-like/index.html"))
    assert directives(component["content-security-policy"])["frame-ancestors"] == ["'self'"]
    assert directives(page["content-security-policy"])["frame-ancestors"] == ["'none'"]


def test_the_base_url_path_is_taken_off_before_the_path_rules():
    inside = response_headers(call(respond(200, "text/javascript", [IMMUTABLE]),
                                   "/clinic/static/js/x.js", base_url_path="clinic/"))
    beside = response_headers(call(respond(200, "text/javascript", [IMMUTABLE]),
                                   "/clinical/static/js/x.js", base_url_path="clinic"))
    assert inside["cache-control"].startswith("public")
    assert beside["cache-control"] == "no-store"


def test_an_error_page_carries_the_headers_and_the_error_still_reaches_the_log():
    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "path": "/boom", "headers": [], "method": "GET"}
    with pytest.raises(RuntimeError, match="boom"):
        run_apart(SecurityHeaders(respond(raise_=RuntimeError("boom")), "")(
            scope, None, send))
    got = response_headers(sent)
    assert sent[0]["status"] == 500 and sent[-1]["body"] == b"Internal Server Error"
    assert got["cache-control"] == "no-store" and "content-security-policy" in got


def test_websockets_pass_through_untouched():
    seen = []

    async def app(scope, receive, send):
        seen.append(send)

    async def send(message):
        pass

    run_apart(SecurityHeaders(app, "")({"type": "websocket", "path": "/_stcore/stream",
                                          "headers": []}, None, send))
    assert seen == [send]


def test_the_app_runs_the_middleware():
    assert [m.cls for m in middleware()] == [SecurityHeaders]
