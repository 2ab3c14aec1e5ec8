"""Program progress: weeks, sessions attended and held, hours, and the caseload's counts."""
import pytest

from companion import caseload, groups
from companion.core.errors import AccessDenied
from tests.conftest import actor
from tests.unit.groups.conftest import at, find_occ


def test_progress_weeks_sessions_and_hours(session, world, clock):
    clock.move_to(at(2027, 3, 9, 12))   # Tuesday: two Mondays have been held
    series = world["series"]
    for day in (1, 8):
        occ = find_occ(session, series, at(2027, 3, day, 18))
        groups.mark_attendance(session, actor(world["lead"]), occ,
                               {world["mine"].id: "present" if day == 8 else "absent"})
    p = groups.progress(session, actor(world["mine"]), world["mine"].id)
    assert (p.week, p.attended, p.scheduled, p.hours_this_week, p.weekly_hours) == (
        6, 1, 2, 1.5, 9.0)
    with pytest.raises(AccessDenied):
        groups.progress(session, actor(world["lead"]), world["theirs"].id)
    frame = caseload.for_therapist(session, actor(world["lead"]))
    row = frame.set_index("Client").loc[world["mine"].display_name]
    assert (row["Groups attended (14d)"], row["Groups scheduled (14d)"]) == (1, 2)
    assert list(frame.columns[:len(caseload.COLUMNS) - 2]) == caseload.COLUMNS[:-2]
