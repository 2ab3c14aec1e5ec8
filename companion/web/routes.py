"""The app's own HTTP routes beside Streamlit's (served by `st.App` in app.py).

Every response from them passes through `headers.SecurityHeaders`: the Content-Security-Policy
applies, and nothing is cached (`no-store`), so a route may return client data (a calendar
feed) or a page with its script (served by another route here, never inline: the policy runs
no inline script). Paths must not start with Streamlit's reserved prefixes (`/_stcore/`,
`/media/`, `/component/`, `/static/`); `st.App` refuses them.

- `/calendar/<token>.ics`: a person's private calendar feed (companion/calendar_feed.py).
  Any replica answers from the database (no sticky session). ETag / Last-Modified with 304;
  `Cache-Control: private, no-store`; a rate limit per token and per address (429); an
  unknown or revoked token gets the same 404 after the same single lookup.
- `/passkey/…`: the passkey page, its script and its two JSON calls (passkey_routes.py).
"""
from __future__ import annotations

import email.utils
import threading
import time
from collections import deque
from datetime import datetime, timezone

from sqlalchemy.exc import IntegrityError
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from companion import calendar_feed
from companion.web.headers import SecurityHeaders

FEED_CACHE_CONTROL = "private, no-store"
NOT_FOUND = b"Not found\n"


class RateLimit:
    """At most `limit` hits per `window` seconds for each key, in this process (each replica
    counts its own). Memory is bounded: the oldest keys are dropped past `max_keys`."""

    def __init__(self, limit: int, window: float, max_keys: int = 20_000):
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self.hits: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self.lock:
            hits = self.hits.pop(key, None) or deque()
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            self.hits[key] = hits   # re-inserted: the dict keeps the most recent last
            if len(self.hits) > self.max_keys:
                del self.hits[next(iter(self.hits))]
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def clear(self) -> None:
        with self.lock:
            self.hits.clear()


# A calendar app polls every 5 minutes at most often; a phone may refresh on opening too.
PER_TOKEN = RateLimit(limit=20, window=600)
PER_ADDRESS = RateLimit(limit=60, window=600)   # also slows anyone guessing tokens


def client_address(request: Request) -> str:
    """The caller's address: nginx's X-Forwarded-For (last hop) when the peer is local."""
    peer = request.client.host if request.client else ""
    forwarded = request.headers.get("x-forwarded-for", "")
    if peer in ("127.0.0.1", "::1") and forwarded:
        return forwarded.split(",")[-1].strip()
    return peer


def _http_date(moment: datetime) -> str:
    return email.utils.format_datetime(moment.astimezone(timezone.utc).replace(microsecond=0),
                                       usegmt=True)


def _not_modified(request: Request, feed: calendar_feed.Feed) -> bool:
    match = request.headers.get("if-none-match")
    if match is not None:
        return any(tag.strip().removeprefix("W/") == feed.etag for tag in match.split(","))
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return feed.last_modified.replace(microsecond=0) <= (
                email.utils.parsedate_to_datetime(since))
        except (TypeError, ValueError):
            return False
    return False


def _fetch(token: str) -> calendar_feed.Feed | None:
    from companion.core.db import session_scope

    for attempt in (1, 2):   # two replicas sealing a new event at once: the loser retries
        try:
            with session_scope() as session:
                return calendar_feed.fetch(session, token)
        except IntegrityError:
            if attempt == 2:
                raise
    return None


def calendar_feed_endpoint(request: Request) -> Response:
    """GET/HEAD /calendar/<token>.ics (a sync endpoint: Starlette runs it in a thread)."""
    token = request.path_params["token"]
    if not PER_ADDRESS.allow(client_address(request)) or not PER_TOKEN.allow(
            calendar_feed.token_hash(token)):
        return Response(b"Too many requests\n", 429, {"Retry-After": "600"},
                        media_type="text/plain")
    feed = _fetch(token)
    if feed is None:
        return Response(NOT_FOUND, 404, media_type="text/plain")
    headers = {"ETag": feed.etag, "Last-Modified": _http_date(feed.last_modified),
               "Cache-Control": FEED_CACHE_CONTROL, "X-Robots-Tag": "noindex"}
    if _not_modified(request, feed):
        return Response(status_code=304, headers=headers)
    return Response(feed.body, 200, headers | {
        "Content-Disposition": 'inline; filename="calendar.ics"'},
        media_type="text/calendar")


def routes() -> list[BaseRoute]:
    """The app's own routes."""
    from companion.web.passkey_routes import passkey_routes

    return [Route(calendar_feed.PATH, calendar_feed_endpoint, methods=["GET", "HEAD"]),
            *passkey_routes()]


def middleware() -> list[Middleware]:
    """Runs around every request, outside Streamlit's own middleware."""
    return [Middleware(SecurityHeaders)]
