"""What a script run loads once (companion/run_context.py): never more than that run's, and
clinic-wide caches keyed on a version every write replaces."""
import pytest

from companion import access, run_context
from companion.access import RecordKind
from companion.core.errors import AccessDenied
from companion.core.timeutil import utcnow
from companion.models import GroupSeries, Setting
from tests.conftest import actor


@pytest.fixture(autouse=True)
def _no_context_left():
    run_context.reset()
    yield
    run_context.reset()


def _series(therapist) -> GroupSeries:
    return GroupSeries(title="Process group", track="morning", location="north",
                       facilitator_id=therapist.id, capacity=12, starts_at=utcnow(),
                       duration_minutes=180, rrule="FREQ=WEEKLY;BYDAY=MO", tzid="UTC")


def _version(session) -> str | None:
    session.expire_all()
    row = session.get(Setting, run_context.VERSION_KEY)
    return row.value if row else None


def test_every_schedule_write_replaces_the_version(session, users):
    therapist = users.therapist()
    session.commit()
    series = _series(therapist)
    session.add(series)
    session.commit()
    first = _version(session)
    series.title = "Renamed"
    session.add(series)
    session.commit()
    second = _version(session)
    session.delete(series)
    session.commit()
    assert None not in (first, second) and len({first, second, _version(session)}) == 3


def test_outside_a_run_nothing_is_cached(session):
    calls = []
    for _ in range(2):
        run_context.cached("x", (), lambda: calls.append(1), session)
    assert len(calls) == 2


def test_a_session_with_unflushed_changes_reads_the_database(session, users):
    therapist = users.therapist()
    session.commit()
    ctx = run_context.load_signed_in(session, therapist.username)
    run_context.begin(ctx)
    session.add(_series(therapist))  # pending: a cached read would not see it
    assert run_context.cached("x", (), lambda: "direct", session) == "direct"


def test_the_context_serves_only_the_signed_in_person(session, users):
    therapist = users.therapist()
    client, other = users.client(therapist), users.client(therapist)
    session.commit()
    run_context.begin(run_context.load_signed_in(session, client.username))
    assert run_context.user(session, client.id) is run_context.current().user
    assert run_context.user(session, other.id).id == other.id  # from the session
    with pytest.raises(AccessDenied):
        access.authorize(session, actor(client), other.id, RecordKind.CHECKIN)


def test_a_write_to_the_signed_in_row_drops_it_from_the_context(session, users):
    client = users.client(users.therapist())
    session.commit()
    run_context.begin(run_context.load_signed_in(session, client.username))
    row = session.get(type(client), client.id)
    row.display_name = "New Name"
    session.add(row)
    session.flush()
    assert run_context.current().user is None and run_context.current().data_version is None


def test_the_version_is_read_with_the_person(session, users):
    therapist = users.therapist()
    session.add(_series(therapist))
    session.commit()
    ctx = run_context.load_signed_in(session, therapist.username)
    assert ctx.data_version == _version(session) and ctx.enrolment is None
    assert run_context.load_signed_in(session, "nobody-here") is None
