"""Program outcomes for admins: counts by track and site, small cells withheld, admins only,
audited once without naming anyone."""
from datetime import timedelta

import pytest
from sqlmodel import select

from companion import program_outcomes as program
from companion.actors import Actor
from companion.core.errors import AccessDenied
from companion.core.timeutil import clinic_today, utcnow
from companion.models import AuditEvent, CheckIn, Enrolment


def _clinic(users, session, evening=12, morning=3):
    lead = users.therapist(name="lead")
    people = [users.client(lead, name=f"eve{i}") for i in range(evening)]
    for user in people:
        session.get(Enrolment, user.id).track = "evening"
    mornings = [users.client(lead, name=f"mor{i}") for i in range(morning)]
    for user in mornings:
        session.get(Enrolment, user.id).track = "morning"
    session.commit()
    return lead, people, mornings


def _row(rows, label):
    return next(r for r in rows if r.label.startswith(label))


def test_counts_by_track_with_small_cells_withheld(users, session):
    _, evening, morning = _clinic(users, session)
    last_month = program.months()[1]
    for user in evening + morning:
        session.get(Enrolment, user.id).enrolled_at = utcnow() - timedelta(days=70)
    for user in evening[:11] + morning:   # 11 evening clients check in on 8 days
        for n in range(program.ENGAGED_DAYS):
            session.add(CheckIn(client_id=user.id, day=last_month + timedelta(days=n), mood=5,
                                craving=1, stress=2, sleep_hours=7, sleep_quality=3, used="no"))
    session.add(CheckIn(client_id=evening[11].id, day=last_month, mood=5, craving=1, stress=2,
                        sleep_hours=7, sleep_quality=3, used="no"))  # one day: not "kept"
    session.commit()
    boss = Actor.of(users.admin(name="boss"))
    rows = program.for_month(session, boss, last_month)
    whole, eve, mor = _row(rows, "Whole"), _row(rows, "Track: Eve"), _row(rows, "Track: Mor")
    assert whole.figures[0].count == 15 and eve.figures[0].count == 12
    assert (whole.figures[1].count, eve.figures[1].count) == (14, 11)
    assert eve.figures[1].shown == "11 (92%)"
    assert mor.figures[0].count is None and mor.figures[0].shown == "fewer than 11"
    assert all(f.count is None and f.share is None for f in mor.figures)
    assert whole.figures[3].count is None   # nobody measured: zero is a small cell too
    # the month before they enrolled: nobody in the program
    earlier = program.for_month(session, boss, program.months()[4])
    assert earlier[0].figures[0].count is None and len(earlier) == 1


def test_only_admins_see_program_outcomes_and_the_view_is_audited_without_names(users, session):
    lead, evening, _ = _clinic(users, session)
    for who in (lead, evening[0]):
        with pytest.raises(AccessDenied):
            program.for_month(session, Actor.of(who), clinic_today())
    program.for_month(session, Actor.of(users.admin(name="boss")), clinic_today())
    event = session.exec(select(AuditEvent).where(
        AuditEvent.record_kind == program.AUDIT_KIND)).one()
    assert event.client_id is None and "counts only" in event.detail
