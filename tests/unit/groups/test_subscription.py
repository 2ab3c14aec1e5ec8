"""Private calendar subscriptions (issue 17): tokens, access, revocation, what a feed
carries, and the HTTP route (200, 304, 404, 429, headers)."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import icalendar
import pytest
import sqlalchemy as sa
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from companion import calendar_feed, groups, people
from companion.core.db import get_engine
from companion.core.errors import AccessDenied
from companion.models import AuditEvent, CalendarSubscription, Role
from companion.web import routes
from tests.conftest import actor
from tests.unit.groups.conftest import at, monday_group

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture(autouse=True)
def fresh_limits():
    routes.PER_TOKEN.clear()
    routes.PER_ADDRESS.clear()
    yield
    routes.PER_TOKEN.clear()
    routes.PER_ADDRESS.clear()


@pytest.fixture
def http():
    app = Starlette(routes=routes.routes(), middleware=routes.middleware())
    return TestClient(app, base_url="http://testserver")


def _kinds(session) -> list[str]:
    return [e.detail for e in session.exec(select(AuditEvent).where(
        AuditEvent.record_kind == calendar_feed.AUDIT_KIND).order_by(AuditEvent.seq))]


def test_token_is_32_random_bytes_stored_only_as_its_hash(session, world):
    token = calendar_feed.subscribe(session, actor(world["mine"]))
    assert len(token) >= 43 and token != calendar_feed.subscribe(session, actor(world["mine"]))
    latest = calendar_feed.subscribe(session, actor(world["mine"]))
    row = session.get(CalendarSubscription, world["mine"].id)
    assert row.token_hash == hashlib.sha256(latest.encode()).hexdigest()
    stored = " ".join(str(v) for v in session.execute(
        sa.text("SELECT * FROM calendar_subscriptions")).one())
    assert token not in stored and latest not in stored


def test_a_feed_carries_my_sessions_and_checkin_and_counts_the_fetch(session, world, clock):
    mine = actor(world["mine"])
    groups.set_reminder(session, mine, __import__("datetime").time(20))
    token = calendar_feed.subscribe(session, mine)
    clock.move_to(at(2027, 3, 2))
    feed = calendar_feed.fetch(session, token)
    cal = icalendar.Calendar.from_ical(feed.body)
    uids = [str(e["UID"]) for e in cal.walk("VEVENT")]
    assert sum(u.startswith("group-") for u in uids) == 8
    assert sum(u.startswith("checkin-") for u in uids) == 1
    assert b"X-PUBLISHED-TTL:PT1H" in feed.body
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in feed.body
    assert calendar_feed.status(session, mine).fetch_count == 1
    again = calendar_feed.fetch(session, token)
    assert again.etag == feed.etag and again.last_modified == feed.last_modified
    status = calendar_feed.status(session, mine)
    assert status.fetch_count == 2 and status.last_fetched_at == at(2027, 3, 2)
    # the client's own calendar fetching is not a staff read: no audit row for it
    assert _kinds(session) == ["calendar feed address made"]


def test_feed_choices_show_the_site_and_leave_out_missed_sessions(session, world, clock):
    mine = actor(world["mine"])
    token = calendar_feed.subscribe(session, mine)
    clock.move_to(at(2027, 3, 2))
    groups.rsvp(session, mine, world["series"].id, at(2027, 3, 8, 18), False)
    body = calendar_feed.fetch(session, token).body.decode()
    assert "North site" not in body and "Appointment (not going)" in body
    calendar_feed.set_choices(session, mine, show_site=True, skip_not_going=True)
    changed = calendar_feed.fetch(session, token)
    assert "LOCATION:North site" in changed.body.decode()
    assert "not going" not in changed.body.decode()
    assert len(icalendar.Calendar.from_ical(changed.body).walk("VEVENT")) == 7


def test_a_facilitator_gets_the_sessions_they_run(session, world, clock):
    token = calendar_feed.subscribe(session, actor(world["lead"]))
    clock.move_to(at(2027, 3, 2))
    cal = icalendar.Calendar.from_ical(calendar_feed.fetch(session, token).body)
    events = cal.walk("VEVENT")
    assert len(events) == 8 and "Evening process group" in str(events[0]["SUMMARY"])
    other = calendar_feed.subscribe(session, actor(world["other"]))
    assert icalendar.Calendar.from_ical(calendar_feed.fetch(session, other).body).walk(
        "VEVENT") == []


def test_revoked_replaced_and_unknown_tokens_find_nothing(session, world):
    mine = actor(world["mine"])
    old = calendar_feed.subscribe(session, mine)
    new = calendar_feed.subscribe(session, mine)
    assert calendar_feed.fetch(session, old) is None
    assert calendar_feed.fetch(session, new) is not None
    assert calendar_feed.revoke(session, mine) is True
    assert calendar_feed.fetch(session, new) is None
    assert calendar_feed.fetch(session, "x" * 43) is None
    assert not calendar_feed.status(session, mine).active
    assert _kinds(session) == ["calendar feed address made",
                               "calendar feed address replaced (the old one stopped)",
                               "calendar feed stopped by the account holder"]


def test_only_an_admin_revokes_someone_elses_feed(session, world):
    token = calendar_feed.subscribe(session, actor(world["mine"]))
    for outsider in (world["theirs"], world["lead"]):
        with pytest.raises(AccessDenied):
            calendar_feed.revoke(session, actor(outsider), world["mine"].id)
        with pytest.raises(AccessDenied):
            calendar_feed.status(session, actor(outsider), world["mine"].id)
    assert calendar_feed.fetch(session, token) is not None
    assert calendar_feed.revoke(session, actor(world["admin"]), world["mine"].id)
    assert calendar_feed.fetch(session, token) is None
    assert _kinds(session)[-1] == "calendar feed stopped by an admin"


def test_discharge_and_deactivation_stop_the_feed_unless_kept(session, world, users):
    boss = actor(world["admin"])
    mine, theirs = world["mine"], world["theirs"]
    first = calendar_feed.subscribe(session, actor(mine))
    people.discharge(session, boss, mine.id)
    assert calendar_feed.fetch(session, first) is None
    kept = calendar_feed.subscribe(session, actor(theirs))
    people.discharge(session, boss, theirs.id, keep_calendar=True)
    assert session.get(type(theirs), theirs.id).role == Role.ALUMNI
    assert calendar_feed.fetch(session, kept) is not None   # the daily check-in goes on
    people.set_active(session, boss, theirs.id, False)
    assert calendar_feed.fetch(session, kept) is None
    evening = calendar_feed.subscribe(session, actor(world["evening"]))
    people.set_active(session, boss, world["evening"].id, False, keep_calendar=True)
    assert calendar_feed.fetch(session, evening) is not None
    assert "calendar feed stopped by an admin (discharge to alumni)" in _kinds(session)
    assert "calendar feed kept on deactivation" in _kinds(session)


# --- HTTP ------------------------------------------------------------------------------------


def _committed_token(session, user) -> str:
    token = calendar_feed.subscribe(session, actor(user))
    session.commit()
    return token


def test_http_feed_headers_and_304_on_no_change(session, world, http, clock):
    token = _committed_token(session, world["mine"])
    clock.move_to(at(2027, 3, 2))
    first = http.get(f"/calendar/{token}.ics")
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/calendar")
    assert first.headers["cache-control"] == "private, no-store"
    assert "content-security-policy" in first.headers
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert icalendar.Calendar.from_ical(first.content).walk("VEVENT")
    again = http.get(f"/calendar/{token}.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert http.get(f"/calendar/{token}.ics",
                    headers={"If-Modified-Since": modified}).status_code == 304
    # a change reaches the calendar: a new ETag, a full answer
    groups.cancel_occurrence(session, actor(world["admin"]), world["series"].id,
                             at(2027, 3, 8, 18), "Closed")
    session.commit()
    changed = http.get(f"/calendar/{token}.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert b"STATUS:CANCELLED" in changed.content
    assert http.head(f"/calendar/{token}.ics").status_code == 200


def test_http_unknown_and_revoked_tokens_get_the_same_404_after_the_same_lookup(
        session, world, http):
    token = _committed_token(session, world["mine"])
    calendar_feed.revoke(session, actor(world["mine"]))
    session.commit()
    unknown = "A" * 43

    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = get_engine()
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        answers = []
        for attempt in (token, unknown):
            statements.clear()
            response = http.get(f"/calendar/{attempt}.ics")
            answers.append((response.status_code, response.content,
                            sorted(k for k in response.headers if k != "date"),
                            list(statements)))
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert answers[0][0] == answers[1][0] == 404
    assert answers[0][1:] == answers[1][1:]   # body, header names and the very same SQL
    assert len([s for s in answers[0][3] if s.lstrip().upper().startswith("SELECT")]) == 1
    assert b"mine" not in answers[0][1]


def test_http_rate_limit_per_token_and_per_address(session, world, http, monkeypatch):
    token = _committed_token(session, world["mine"])
    monkeypatch.setattr(routes, "PER_TOKEN", routes.RateLimit(limit=3, window=600))
    codes = [http.get(f"/calendar/{token}.ics").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert http.get(f"/calendar/{token}.ics").headers["retry-after"] == "600"
    monkeypatch.setattr(routes, "PER_ADDRESS", routes.RateLimit(limit=2, window=600))
    guesses = [http.get(f"/calendar/{'B' * 42}{i}.ics").status_code for i in range(3)]
    assert guesses == [404, 404, 429]


def test_rate_limit_window_slides():
    limit = routes.RateLimit(limit=2, window=10)
    assert [limit.allow("k", t) for t in (0, 1, 2)] == [True, True, False]
    assert limit.allow("k", 10.5) is True


def test_rate_limit_memory_is_bounded():
    limit = routes.RateLimit(limit=1, window=10, max_keys=3)
    for i in range(10):
        limit.allow(str(i), 0)
    assert len(limit.hits) <= 3


def test_address_behind_nginx_is_the_forwarded_one():
    from starlette.requests import Request

    def request(peer, forwarded=None):
        headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
        return Request({"type": "http", "client": (peer, 1), "headers": headers})

    assert routes.client_address(request("127.0.0.1", "203.0.113.9, 10.0.0.2")) == "10.0.0.2"
    assert routes.client_address(request("198.51.100.7", "203.0.113.9")) == "198.51.100.7"


def test_a_new_series_for_my_track_reaches_the_feed(session, world, clock):
    token = calendar_feed.subscribe(session, actor(world["mine"]))
    clock.move_to(at(2027, 3, 2))
    before = calendar_feed.fetch(session, token)
    groups.schedule_series(session, actor(world["admin"]), monday_group(
        world["other"], title="Skills", weekdays=[2]))
    session.flush()
    after = calendar_feed.fetch(session, token)
    assert after.etag != before.etag and after.last_modified >= before.last_modified
    assert after.last_modified - before.last_modified < timedelta(days=1)
