"""Who assigned a group's facilitator, and when (security review, issue 14 finding 5)."""
from datetime import timedelta

import sqlalchemy as sa
from alembic import command
from sqlmodel import select

from companion import groups
from companion.core import db
from companion.models import GroupSeries
from tests.conftest import actor
from tests.unit.groups.conftest import at, monday_group


def test_existing_groups_keep_facilitator_access_only_if_an_admin_made_them(db_url, session,
                                                                            users):
    """Migration 0012: a group an admin created and nobody edited since stays assigned by
    that admin; a group a therapist created, or one edited since (a therapist could then
    name themself its facilitator), waits for an admin to confirm."""
    admin, therapist = users.admin(), users.therapist()
    session.commit()
    cfg = db.alembic_config(db_url)
    command.downgrade(cfg, "0011")
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
