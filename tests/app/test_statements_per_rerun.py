"""SQL statements per rerun of the client home and the caseload (issue 16 item 2): counted by a
SQLAlchemy listener on the app's engine, so deterministic. The person is loaded once a run
(companion/run_context.py); clinic-wide lookups come from the cache until a write changes them.
"""
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from companion import run_context
from companion.core.db import get_engine
from companion.core.timeutil import utcnow
from companion.models import Flag, GroupSeries, Setting
from tests.app.conftest import sign_in, texts

HOME_MAX = 10
# Issue 16's target. 5 are the audit trail's: one INSERT for everything the page shows, then
# the chain's seal (take the turn and read the head; the unsealed rows; chain them; the new
# head: companion/audit.py). 7 are reads: the person, plans to review, the clients, their
# flags (open and recently acknowledged at once), check-in aggregates, attendance, measures.
CASELOAD_MAX = 12


def statements_of_one_rerun(at) -> list[str]:
    at.run()  # warm: the clinic-wide lookups are cached from here on
    sent: list[str] = []

    def record(_conn, _cursor, statement, *_):
        sent.append(statement)

    event.listen(get_engine(), "before_cursor_execute", record)
    try:
        at.run()
    finally:
        event.remove(get_engine(), "before_cursor_execute", record)
    assert not at.exception
    return sent


@pytest.fixture
def clinic(users, session):
    therapist = users.therapist(name="thera")
    client = users.client(therapist, name="robin")
    session.add(GroupSeries(title="Morning process group", track="morning", location="north",
                            facilitator_id=therapist.id, capacity=12,
                            starts_at=utcnow() - timedelta(days=20), duration_minutes=180,
                            rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR", tzid="America/New_York"))
    session.add(Flag(client_id=client.id, rule="craving_high", reason="Craving 9/10",
                     source_kind="checkin", source_id=None))  # an open flag: audited too
    session.commit()
    return therapist, client


def test_client_home_rerun_stays_within_its_statements(app, clinic):
    sign_in(app, "robin")
    assert "Hi, Robin" in texts(app) or any("Hi," in t.value for t in app.title)
    sent = statements_of_one_rerun(app)
    assert len(sent) <= HOME_MAX, "\n".join(sent)
    assert sum("WHERE users.username" in " ".join(s.split()) for s in sent) == 1  # once a run


def test_caseload_rerun_stays_within_its_statements(app, clinic):
    sign_in(app, "thera")
    assert any(t.value == "My caseload" for t in app.title)
    sent = statements_of_one_rerun(app)
    assert len(sent) <= CASELOAD_MAX, "\n".join(sent)
    assert sum(s.startswith("INSERT INTO audit_events") for s in sent) == 1  # still audited


def test_a_schedule_change_is_seen_at_the_next_rerun(app, clinic, session):
    """The cache is keyed on a version every write to the schedule replaces."""
    sign_in(app, "robin")
    app.run()
    before = getattr(session.get(Setting, run_context.VERSION_KEY), "value", None)
    series = session.exec(select(GroupSeries)).one()
    series.title = "Renamed group"
    session.add(series)
    session.commit()
    session.expire_all()
    after = session.get(Setting, run_context.VERSION_KEY)
    assert after is not None and after.value != before
    assert "Renamed group" in texts(app.run())
