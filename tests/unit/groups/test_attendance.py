"""Attendance: the facilitator's narrow rights, refusals that write nothing, timing, and
an unexcused absence that flags the therapist and brings the "we missed you" note."""
import pytest
from sqlalchemy import func
from sqlmodel import select

from companion import caseload, groups
from companion.access import Action, RecordKind, authorize
from companion.core.errors import AccessDenied, InvalidInput
from companion.models import AuditEvent, Flag, GroupAttendance
from tests.conftest import actor
from tests.unit.groups.conftest import at, find_occ


def _after_first_session(clock):
    clock.move_to(at(2027, 3, 1, 19))


def test_facilitator_marks_expected_clients_not_on_their_caseload(session, world, clock):
    _after_first_session(clock)
    lead, occ = actor(world["lead"]), find_occ(session, world["series"], at(2027, 3, 1, 18))
    sheet = groups.attendance_sheet(session, lead, occ)
    assert [r.name for r in sheet] == sorted([world["mine"].display_name,
                                              world["theirs"].display_name])
    groups.mark_attendance(session, lead, occ, {world["mine"].id: "present",
                                                world["theirs"].id: "present"})
    session.flush()
    rows = session.exec(select(AuditEvent).where(AuditEvent.client_id == world["theirs"].id,
                                                 AuditEvent.action == "write")).all()
    assert [r.record_kind for r in rows] == ["attendance"]
    assert rows[0].detail.startswith("as facilitator of Evening process group")
    # the facilitator role gives nothing beyond the group: no general access
    with pytest.raises(AccessDenied):
        authorize(session, lead, world["theirs"].id, RecordKind.ATTENDANCE, Action.WRITE)


def test_no_one_marks_a_client_who_is_not_expected_and_a_refusal_writes_nothing(
        session, world, clock):
    _after_first_session(clock)
    occ = find_occ(session, world["series"], at(2027, 3, 1, 18))
    session.flush()
    audits = session.exec(select(func.count()).select_from(AuditEvent)).one()
    with pytest.raises(AccessDenied):
        groups.mark_attendance(session, actor(world["lead"]), occ,
                               {world["mine"].id: "present", world["evening"].id: "present"})
    with pytest.raises(AccessDenied):  # not the facilitator, not their client
        groups.mark_attendance(session, actor(world["admin"]), occ, {world["mine"].id: "absent"})
    session.flush()
    assert session.exec(select(GroupAttendance)).all() == []
    assert session.exec(select(func.count()).select_from(AuditEvent)).one() == audits
    # their own therapist may mark them, without leading the group
    groups.mark_attendance(session, actor(world["other"]), occ, {world["theirs"].id: "present"})
    assert [r.name for r in groups.attendance_sheet(session, actor(world["other"]), occ)] == [
        world["theirs"].display_name]


def test_attendance_waits_for_the_session_and_skips_cancelled_ones(session, world, clock):
    occ = find_occ(session, world["series"], at(2027, 3, 1, 18))
    with pytest.raises(InvalidInput, match="15 minutes before"):
        groups.mark_attendance(session, actor(world["lead"]), occ, {world["mine"].id: "present"})
    _after_first_session(clock)
    with pytest.raises(InvalidInput, match="present, absent or excused"):
        groups.mark_attendance(session, actor(world["lead"]), occ, {world["mine"].id: "late"})
    clock.move_to(at(2027, 3, 2))
    groups.cancel_occurrence(session, actor(world["admin"]), world["series"].id,
                             at(2027, 3, 8, 18), "Closed")
    clock.move_to(at(2027, 3, 8, 19))
    with pytest.raises(InvalidInput, match="cancelled"):
        groups.mark_attendance(session, actor(world["lead"]),
                               find_occ(session, world["series"], at(2027, 3, 8, 18)),
                               {world["mine"].id: "present"})


def test_unexcused_absence_flags_the_therapist_and_the_client_is_missed(session, world, clock):
    _after_first_session(clock)
    lead, occ = actor(world["lead"]), find_occ(session, world["series"], at(2027, 3, 1, 18))
    groups.mark_attendance(session, lead, occ, {world["mine"].id: "absent",
                                                world["theirs"].id: "excused"})
    flag = session.exec(select(Flag)).one()
    assert (flag.client_id, flag.rule, flag.acknowledged_at) == (world["mine"].id, "absence",
                                                                 None)
    assert "Missed Evening process group, Mon Mar 1 (not excused)" == flag.reason
    assert flag in [f for f, _ in caseload.open_flags(session, lead)]
    note = groups.missed_note(session, actor(world["mine"]))
    assert note.missed == "Evening process group on Monday Mar 1"
    assert [s.occurrence.starts_at for s in note.next_sessions][:2] == [at(2027, 3, 8, 18),
                                                                        at(2027, 3, 15, 18)]
    assert groups.missed_note(session, actor(world["theirs"])) is None
    # the same mark again changes nothing; a correction keeps the first as a version and
    # settles the flag with the correction as its note
    assert groups.mark_attendance(session, lead, occ, {world["mine"].id: "absent"}) == []
    groups.mark_attendance(session, lead, occ, {world["mine"].id: "excused"})
    marks = session.exec(select(GroupAttendance).where(
        GroupAttendance.client_id == world["mine"].id).order_by(GroupAttendance.version)).all()
    assert [(m.version, m.status, m.is_current) for m in marks] == [(1, "absent", False),
                                                                     (2, "excused", True)]
    session.refresh(flag)
    assert flag.acknowledged_at is not None and "corrected to excused" in flag.ack_note
    assert groups.missed_note(session, actor(world["mine"])) is None
    clock.move_to(at(2027, 3, 9, 12))
    assert groups.missed_note(session, actor(world["mine"])) is None


def test_the_sheet_says_who_saved_each_mark_and_when(session, world, clock):
    _after_first_session(clock)
    lead, occ = actor(world["lead"]), find_occ(session, world["series"], at(2027, 3, 1, 18))
    before = {r.client_id: r for r in groups.attendance_sheet(session, lead, occ)}
    assert (before[world["mine"].id].mark, before[world["mine"].id].marked_by,
            before[world["mine"].id].marked_at) == (None, None, None)
    groups.mark_attendance(session, lead, occ, {world["mine"].id: "present"})
    session.flush()
    row = next(r for r in groups.attendance_sheet(session, lead, occ)
               if r.client_id == world["mine"].id)
    assert (row.mark, row.marked_by) == ("present", world["lead"].display_name)
    assert row.marked_at == at(2027, 3, 1, 19)
