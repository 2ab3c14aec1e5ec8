"""The pre-group view: own clients in full, others only what they brought (audited)."""
from sqlmodel import select

from companion import groups
from companion.checkins import record_checkin
from companion.models import AuditEvent
from tests.conftest import actor
from tests.unit.groups.conftest import at, find_occ
from tests.support.entries import answered


def test_pregroup_view_shows_own_clients_fully_and_others_only_what_they_brought(
        session, world, clock):
    clock.move_to(at(2027, 3, 1, 9))
    record_checkin(session, actor(world["mine"]), answered(mood=4, craving=6,
                                                               bring_to_group="Sleep"))
    record_checkin(session, actor(world["theirs"]), answered(mood=7, craving=9,
                                                                 bring_to_group="My sister"))
    session.flush()
    occ = find_occ(session, world["series"], at(2027, 3, 1, 18))
    groups.rsvp(session, actor(world["theirs"]), world["series"].id, occ.occurrence_at, True)
    rows = {r.name: r for r in groups.pregroup(session, actor(world["lead"]), occ)}
    own, other = rows[world["mine"].display_name], rows[world["theirs"].display_name]
    assert own.on_caseload and list(own.week["mood"]) == [4] and own.bring == "Sleep"
    assert [f.rule for f in own.open_flags] == []
    assert not other.on_caseload and other.week is None and other.open_flags is None
    assert other.bring == "My sister" and other.rsvp.status == "going"
    session.flush()
    kinds = {(a.client_id, a.record_kind) for a in session.exec(select(AuditEvent).where(
        AuditEvent.actor_id == world["lead"].id))}
    assert {(world["mine"].id, "checkin"), (world["mine"].id, "flag"),
            (world["theirs"].id, "rsvp"), (world["theirs"].id, "checkin")} <= kinds
    assert (world["theirs"].id, "flag") not in kinds
    # a therapist who doesn't lead the group sees only their own clients in it, in full
    assert [(r.name, r.on_caseload) for r in groups.pregroup(session, actor(world["other"]),
                                                             occ)] == [
        (world["theirs"].display_name, True)]
