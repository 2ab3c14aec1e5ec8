"""The facilitator rule (security review, issue 14 finding 5): a group's facilitator sees the
RSVP, the "bring to group" line and the attendance of clients not on their caseload only when
an admin assigned them, and only for clients enrolled on that group's track and site. Being
marked at a session, or naming oneself facilitator, gives nothing."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import select

from companion import groups, people
from companion.checkins import record_checkin
from companion.core import db
from companion.core.errors import AccessDenied
from companion.core.timeutil import clinic_zone
from companion.groups.scheduling import _new_series
from companion.models import Enrolment, Flag, GroupSeries
from tests.conftest import actor
from tests.support.entries import answered
from tests.unit.groups.conftest import at, find_occ, monday_group

SECRET = "my relapse at my cousin's wedding"


def _brings(session, who, text):
    record_checkin(session, actor(who), answered(mood=5, craving=4, bring_to_group=text))


def _seen(session, lead, occ) -> dict[str, str]:
    """What the therapist sees before the group: name -> what they bring."""
    return {r.name: r.bring for r in groups.pregroup(session, actor(lead), occ)}


def test_an_assigned_facilitator_sees_only_clients_enrolled_on_the_track_and_site(
        session, world, users, clock):
    clock.move_to(at(2027, 3, 1, 19))       # after the first Monday group
    peer = users.client(world["other"], name="peer")   # morning / north, not lead's client
    session.get(Enrolment, peer.id).enrolled_at = at(2027, 2, 1)
    for who, text in (("mine", "Sleep"), ("theirs", "Moving house"), ("evening", SECRET)):
        _brings(session, world[who], text)
    _brings(session, peer, "My sister")
    occ = find_occ(session, world["series"], at(2027, 3, 1, 18))
    # their own therapist marks two clients at it: one from the evening track, and one who
    # then moves to the evening track
    groups.mark_attendance(session, actor(world["other"]), occ,
                           {world["evening"].id: "present", world["theirs"].id: "present"})
    people.assign(session, actor(world["admin"]), world["theirs"].id, track="evening")
    session.flush()
    lead = world["lead"]
    assert _seen(session, lead, occ) == {world["mine"].display_name: "Sleep",
                                         peer.display_name: "My sister"}
    assert {r.name for r in groups.attendance_sheet(session, actor(lead), occ)} == {
        world["mine"].display_name, peer.display_name}
    for outsider in (world["evening"], world["theirs"]):
        with pytest.raises(AccessDenied):
            groups.mark_attendance(session, actor(lead), occ, {outsider.id: "absent"})
    assert session.exec(select(Flag)).all() == []
    # their own therapist still sees their marks there
    assert {r.name for r in groups.attendance_sheet(session, actor(world["other"]), occ)} == {
        world["evening"].display_name, world["theirs"].display_name, peer.display_name}


def _self_made(session, therapist) -> GroupSeries:
    """A group a therapist scheduled for themself, as the services allowed before admins
    alone scheduled (a row the facilitator-assignment migration leaves unassigned)."""
    series = _new_series(monday_group(therapist, title="My own group", weekdays=[1],
                                      first_day=date(2027, 3, 2)), clinic_zone().key)
    series.created_by = therapist.id
    session.add(series)
    session.flush()
    return series


def test_a_self_made_facilitator_gets_nothing(session, world, clock):
    clock.move_to(at(2027, 3, 2, 18, 30))    # during the Tuesday group
    colleague = world["other"]               # "mine" (morning / north) is lead's client
    series = _self_made(session, colleague)
    _brings(session, world["mine"], SECRET)
    _brings(session, world["theirs"], "Moving house")
    occ = find_occ(session, series, at(2027, 3, 2, 18))
    assert _seen(session, colleague, occ) == {world["theirs"].display_name: "Moving house"}
    assert [r.name for r in groups.attendance_sheet(session, actor(colleague), occ)] == [
        world["theirs"].display_name]
    with pytest.raises(AccessDenied):
        groups.mark_attendance(session, actor(colleague), occ, {world["mine"].id: "absent"})
    assert session.exec(select(Flag)).all() == []
    assert not groups.leads(actor(colleague), series)
    # once an admin confirms them, they lead it like any assigned facilitator
    groups.confirm_facilitator(session, actor(world["admin"]), series.id)
    assert _seen(session, colleague, occ)[world["mine"].display_name] == SECRET


def _before_facilitator_assignment(cfg) -> str:
    """The revision before the one adding `facilitator_assigned_by` (found by its file, so
    renumbering on merge changes nothing here)."""
    from alembic.script import ScriptDirectory

    found = [r for r in ScriptDirectory.from_config(cfg).walk_revisions()
             if r.path.endswith("_group_facilitator_assignment.py")]
    assert len(found) == 1
    return found[0].down_revision


def test_existing_groups_keep_facilitator_access_only_if_an_admin_made_them(db_url, session,
                                                                            users):
    """The facilitator-assignment migration: a group an admin created and nobody edited
    since stays assigned by that admin; a group a therapist created, or one edited since (a
    therapist could then name themself its facilitator), waits for an admin to confirm."""
    admin, therapist = users.admin(), users.therapist()
    session.commit()
    cfg = db.alembic_config(db_url)
    command.downgrade(cfg, _before_facilitator_assignment(cfg))
    made = at(2026, 9, 1)
    rows = {"admin, unedited": (admin.id, made), "admin, edited": (admin.id, made
                                                                    + timedelta(days=3)),
            "therapist": (therapist.id, made), "nobody": (None, made)}
    engine = db.engine_for(db_url)
    table = sa.table("group_series", *(sa.column(c) for c in (
        "title", "topic", "track", "location", "link", "facilitator_id", "capacity",
        "starts_at", "duration_minutes", "rrule", "tzid", "created_by", "created_at",
        "updated_at")))
    naive = made.replace(tzinfo=None)
    with engine.begin() as conn:
        for title, (creator, updated) in rows.items():
            conn.execute(table.insert().values(
                title=title, topic="", track="morning", location="north", link="",
                facilitator_id=therapist.id, capacity=12, starts_at=naive, duration_minutes=90,
                rrule="FREQ=WEEKLY;BYDAY=MO", tzid="America/New_York", created_by=creator,
                created_at=naive, updated_at=updated.replace(tzinfo=None)))
    command.upgrade(cfg, "head")
    with db.session_scope() as s:
        found = {g.title: (g.facilitator_assigned_by, g.facilitator_assigned_at)
                 for g in s.exec(select(GroupSeries))}
    assert found == {"admin, unedited": (admin.id, made), "admin, edited": (None, None),
                     "therapist": (None, None), "nobody": (None, None)}


def test_the_admin_who_assigns_a_facilitator_is_recorded(session, world, users, clock):
    series = world["series"]
    assert (series.facilitator_assigned_by, series.facilitator_assigned_at) == (
        world["admin"].id, at(2027, 2, 20))
    clock.move_to(at(2027, 2, 21))
    second = users.admin(name="second")
    groups.update_series(session, actor(second), series.id,
                         monday_group(world["lead"], title="New"))
    assert (series.facilitator_assigned_by, series.facilitator_assigned_at) == (
        world["admin"].id, at(2027, 2, 20)), "the same facilitator: the assignment stays"
    groups.update_series(session, actor(second), series.id, monday_group(world["other"]))
    assert (series.facilitator_id, series.facilitator_assigned_by,
            series.facilitator_assigned_at) == (world["other"].id, second.id, at(2027, 2, 21))
