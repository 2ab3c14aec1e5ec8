"""Who may schedule and change groups (security review, issue 14 finding 5), every call by
every kind of actor: admins schedule, change and delete groups and assign their facilitators;
a therapist cancels, moves and restores only sessions of a group an admin assigned them to
lead; anything else is refused, changes nothing, and the refusal is audited.

The expectations are written out by hand, as in tests/unit/test_service_matrix.py."""
from datetime import date, time

import pytest
from sqlalchemy import func
from sqlmodel import select

from companion import groups
from companion.core.db import session_scope
from companion.core.errors import AccessDenied
from companion.core.timeutil import clinic_zone
from companion.groups.scheduling import _new_series
from companion.models import AuditEvent, GroupException, GroupSeries
from tests.conftest import actor
from tests.unit.groups.conftest import at, monday_group

MARCH_8, MARCH_15 = at(2027, 3, 8, 18), at(2027, 3, 15, 18)


# name -> (call(session, acting user key, world), who may)
CALLS = {
    "schedule_series": (lambda s, a, w: groups.schedule_series(
        s, actor(w[a]), monday_group(w[_key(a)], title="My own group", weekdays=[2])),
        {"admin"}),
    "update_series (take over the group)": (lambda s, a, w: groups.update_series(
        s, actor(w[a]), w["series"].id, monday_group(w[_key(a)], title="Taken over")),
        {"admin"}),
    "update_series (rename only)": (lambda s, a, w: groups.update_series(
        s, actor(w[a]), w["series"].id, monday_group(w["lead"], title="Renamed")), {"admin"}),
    "delete_series": (lambda s, a, w: groups.delete_series(s, actor(w[a]), w["series"].id),
                      {"admin"}),
    "confirm_facilitator": (lambda s, a, w: groups.confirm_facilitator(
        s, actor(w[a]), w["series"].id), {"admin"}),
    "facilitators": (lambda s, a, w: groups.facilitators(s, actor(w[a])), {"admin"}),
    "all_series": (lambda s, a, w: groups.all_series(s, actor(w[a])), {"admin"}),
    "cancel_occurrence": (lambda s, a, w: groups.cancel_occurrence(
        s, actor(w[a]), w["series"].id, MARCH_8, "Room flooded"), {"admin", "lead"}),
    "move_occurrence": (lambda s, a, w: groups.move_occurrence(
        s, actor(w[a]), w["series"].id, MARCH_8, date(2027, 3, 9), time(17), time(18, 30),
        "Tuesday this week"), {"admin", "lead"}),
    "restore_occurrence": (lambda s, a, w: groups.restore_occurrence(
        s, actor(w[a]), w["series"].id, MARCH_15), {"admin", "lead"}),
    "schedule (staff calendar)": (lambda s, a, w: groups.schedule(s, actor(w[a])),
                                  {"admin", "lead", "colleague"}),
}
ACTORS = ["admin", "lead", "colleague", "client"]


def _key(acting: str) -> str:
    """Whom a caller names as facilitator: a therapist names themself, others the lead."""
    return acting if acting in ("lead", "colleague") else "lead"


@pytest.fixture
def cast(db_url, session, world):
    """The world's Monday group (led by "lead", assigned by the admin), its Mar 15 session
    cancelled by the admin, all committed so each call runs in its own transaction."""
    groups.cancel_occurrence(session, actor(world["admin"]), world["series"].id, MARCH_15,
                             "Holiday")
    session.commit()
    return {**world, "colleague": world["other"], "client": world["mine"]}


def _schedule_state() -> tuple:
    with session_scope() as s:
        return (sorted(tuple(r.model_dump().items()) for r in s.exec(select(GroupSeries))),
                sorted(tuple(r.model_dump().items()) for r in s.exec(select(GroupException))))


def _refusals() -> list[tuple]:
    with session_scope() as s:
        return list(s.exec(select(AuditEvent.actor_id, AuditEvent.action,
                                  AuditEvent.record_kind).where(
            AuditEvent.action.like("denied%"))))


@pytest.mark.parametrize("name", list(CALLS))
@pytest.mark.parametrize("who", ACTORS)
def test_scheduling_matrix(cast, name, who):
    call, allowed = CALLS[name]
    before, refused = _schedule_state(), _refusals()
    if who in allowed:
        with session_scope() as s:
            call(s, who, cast)
        assert _refusals() == refused
        return
    with pytest.raises(AccessDenied):
        with session_scope() as s:
            call(s, who, cast)
    assert _schedule_state() == before, "a refused change changes nothing"
    new = _refusals()[len(refused):]
    assert [(a, kind) for a, _, kind in new] == [(cast[who].id, "group_schedule")], \
        "the refusal is audited"


def test_a_facilitator_the_admin_did_not_assign_changes_nothing(cast):
    """A group a therapist made for themself (before admins alone scheduled) gives them no
    right to cancel, move or restore its sessions until an admin confirms them."""
    with session_scope() as s:
        data = monday_group(cast["colleague"], title="Made by myself", weekdays=[3])
        series = _new_series(data, clinic_zone().key)
        series.created_by = cast["colleague"].id
        s.add(series)
        s.flush()
        series_id = series.id
    thursday = at(2027, 3, 4, 18)
    colleague = actor(cast["colleague"])
    for call in (lambda s: groups.cancel_occurrence(s, colleague, series_id, thursday, "Off"),
                 lambda s: groups.move_occurrence(s, colleague, series_id, thursday,
                                                  date(2027, 3, 5), time(9), time(10), "Fri"),
                 lambda s: groups.restore_occurrence(s, colleague, series_id, thursday)):
        with pytest.raises(AccessDenied):
            with session_scope() as s:
                call(s)
    with session_scope() as s:
        assert groups.led_series(s, colleague) == []
        assert s.exec(select(func.count()).select_from(GroupException).where(
            GroupException.series_id == series_id)).one() == 0
        groups.confirm_facilitator(s, actor(cast["admin"]), series_id)
    with session_scope() as s:
        confirmed = s.get(GroupSeries, series_id)
        assert confirmed.facilitator_assigned_by == cast["admin"].id
        assert [g.id for g in groups.led_series(s, colleague)] == [series_id]
        groups.cancel_occurrence(s, colleague, series_id, thursday, "Off sick")

