"""Every service that touches a client's records, called by every kind of actor against the
client's own / assigned / someone else's records: allowed or refused as the rules say. A
refusal changes nothing and is itself written to the audit trail."""
from datetime import time, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from companion import (aftercare, brief, chains, checkins, cravings, flags, groups, measures,
                       safety, skills, trends)
from companion.core.db import session_scope
from companion.core.errors import AccessDenied, CompanionError
from companion.models import AuditEvent, CheckIn, Flag, Role
from companion.core.timeutil import clinic_today
from tests.conftest import actor
from tests.support.entries import answered

TODAY = clinic_today()
_EXERCISE = ("boundaries", "saying-no")
# name -> (call(session, acting, client_id), who may: set of relations)
READS = {
    "checkins.current": (lambda s, a, c: checkins.current(s, a, c, TODAY), {"own", "assigned"}),
    "checkins.history": (lambda s, a, c: checkins.history(s, a, c, TODAY), {"own", "assigned"}),
    "cravings.recent": (lambda s, a, c: cravings.recent(s, a, c), {"own", "assigned"}),
    "trends.daily": (lambda s, a, c: trends.daily(s, a, c, 30), {"own", "assigned"}),
    "trends.trigger_counts": (lambda s, a, c: trends.trigger_counts(s, a, c, 30),
                              {"own", "assigned"}),
    "trends.craving_heatmap": (lambda s, a, c: trends.craving_heatmap(s, a, c, 30),
                               {"own", "assigned"}),
    "trends.what_works": (lambda s, a, c: trends.what_works(s, a, c), {"own", "assigned"}),
    "measures.history": (lambda s, a, c: measures.history(s, a, c, "phq9"), {"own", "assigned"}),
    "safety.current": (lambda s, a, c: safety.current(s, a, c), {"own", "assigned"}),
    "safety.history": (lambda s, a, c: safety.history(s, a, c), {"own", "assigned"}),
    "safety.step_saves": (lambda s, a, c: safety.step_saves(s, a, c), {"own", "assigned"}),
    "chains.for_client": (lambda s, a, c: chains.for_client(s, a, c), {"own", "assigned"}),
    "aftercare.view": (lambda s, a, c: aftercare.view(s, a, c), {"own", "assigned"}),
    "aftercare.history": (lambda s, a, c: aftercare.history(s, a, c), {"own", "assigned"}),
    "aftercare.section_saves": (lambda s, a, c: aftercare.section_saves(s, a, c),
                                {"own", "assigned"}),
    "flags.for_client": (lambda s, a, c: flags.for_client(s, a, c), {"assigned"}),
    "groups.progress": (lambda s, a, c: groups.progress(s, a, c), {"own", "assigned"}),
    "brief.for_client": (lambda s, a, c: brief.for_client(s, a, c, TODAY - timedelta(days=7)),
                         {"assigned"}),
    **{f"skills.{name}": (lambda s, a, c, name=name: getattr(skills, name)(s, a, c, *_EXERCISE),
                          {"own", "assigned"})
       for name in ("current_answers", "answer_history", "latest_answers")},
    **{f"skills.{name}": (lambda s, a, c, name=name: getattr(skills, name)(s, a, c),
                          {"own", "assigned"})
       for name in ("practice_log", "practice_summary", "progress", "overview", "assignments")},
}
# Writes act on the caller's own records, so only "own" may; staff never write as a client.
WRITES = {
    "checkins.record_checkin": lambda s, a: checkins.record_checkin(s, a, answered()),
    "cravings.log_craving": lambda s, a: cravings.log_craving(s, a, cravings.CravingEntry()),
    "measures.submit": lambda s, a: measures.submit(s, a, "gad7", {"1": 1}),
    "safety.save": lambda s, a: safety.save(s, a, {"reasons": "x"}),
    "safety.save_step": lambda s, a: safety.save_step(s, a, "reasons", "x"),
    "chains.record": lambda s, a: chains.record(s, a, {"before": "x"}),
    "aftercare.save": lambda s, a: aftercare.save(s, a, aftercare.empty_sections()),
    "aftercare.save_section": lambda s, a: aftercare.save_section(s, a, "routine", "x"),
    "groups.set_reminder": lambda s, a: groups.set_reminder(s, a, time(8)),
    "skills.save_answers": lambda s, a: skills.save_answers(s, a, *_EXERCISE,
                                                            {"request": "A ride", "my_no": "No."}),
    "skills.log_practice": lambda s, a: skills.log_practice(s, a, "Saying no", 6),
    "skills.mark_lesson_read": lambda s, a: skills.mark_lesson_read(s, a, "boundaries",
                                                                    "saying-no"),
}


@pytest.fixture
def cast(users, session):
    therapist = users.therapist(name="thera")
    me = users.client(therapist, name="me")
    cast = {"client": me, "alumni": users.alumni(therapist, name="alum"),
            "therapist": therapist, "stranger": users.therapist(name="stranger"),
            "admin": users.admin(name="boss"), "other": users.client(users.therapist())}
    session.commit()
    return cast


ACTORS = {  # acting user, relation to "me"
    "client (own)": ("client", "own"), "other client": ("other", "none"),
    "alumni (other)": ("alumni", "none"), "therapist (assigned)": ("therapist", "assigned"),
    "therapist (not assigned)": ("stranger", "none"), "admin": ("admin", "none"),
}


def _counts(session):
    return {m.__name__: session.exec(select(func.count()).select_from(m)).one()
            for m in (CheckIn, Flag)}


@pytest.mark.parametrize("name", list(READS))
@pytest.mark.parametrize("who", list(ACTORS))
def test_reads(db_url, cast, name, who):
    call, allowed = READS[name]
    key, relation = ACTORS[who]
    acting, target = actor(cast[key]), cast["client"].id
    if relation == "own":
        target = acting.id
    before = _denials()
    if relation in allowed:
        with session_scope() as s:
            call(s, acting, target)
        assert _denials() == before
    else:
        with pytest.raises(AccessDenied):
            with session_scope() as s:
                call(s, acting, target)
        assert _denials() == before + 1, "a refusal is audited"


def _denials() -> int:
    with session_scope() as s:
        return s.exec(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action.like("denied%"))).one()


@pytest.mark.parametrize("name", list(WRITES))
@pytest.mark.parametrize("role", ["client", "alumni", "therapist", "admin"])
def test_writes_only_by_the_client_themself(db_url, cast, name, role):
    acting = actor(cast[role])
    with session_scope() as s:
        before = _counts(s)
    if acting.role in (Role.CLIENT, Role.ALUMNI):
        with session_scope() as s:
            WRITES[name](s, acting)
    else:
        with pytest.raises((AccessDenied, CompanionError)):
            with session_scope() as s:
                WRITES[name](s, acting)
        with session_scope() as s:
            assert _counts(s) == before, "a refused write changes nothing"
