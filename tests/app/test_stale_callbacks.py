"""Issue 14, finding 4, through the page: a widget callback runs before the login gate, with
the actor of the page's previous run. After the account is deactivated, or the session sat
idle past the limit, tapping Approve on an open review changes nothing (and is audited)."""
from datetime import timedelta

import pytest
import time_machine
from sqlmodel import select

from companion import aftercare, people
from companion.core.config import get_settings
from companion.core.timeutil import utcnow
from companion.models import AftercarePlan, AuditEvent
from tests.app.conftest import registered_pages, sign_in, texts
from tests.conftest import actor


def _deactivate(session, who) -> None:
    people.set_active(session, actor(who["admin"]), who["thera"].id, False)


def _leave_idle(clock) -> None:
    clock.shift(timedelta(minutes=get_settings().idle_timeout_minutes + 1))


@pytest.mark.parametrize("ending", ["deactivated", "idle"])
def test_approve_from_an_ended_session_changes_nothing(app, users, session, ending):
    with time_machine.travel(utcnow(), tick=True) as clock:
        who = {"admin": users.admin(name="boss"), "thera": users.therapist(name="thera")}
        robin = users.client(who["thera"], name="robin")
        aftercare.save(session, actor(robin), {**aftercare.empty_sections(), "routine": "Walk"})
        aftercare.submit(session, actor(robin))
        session.commit()
        sign_in(app, "thera")
        rv = app.switch_page("pages/therapist/reviews.py").run()
        approve = next(b for b in rv.button if b.label == "Approve")
        if ending == "deactivated":
            _deactivate(session, who)
            session.commit()
        else:
            _leave_idle(clock)
        approve.click().run()
        session.expire_all()
        assert session.exec(select(AftercarePlan)).one().status == "submitted"
        refused = session.exec(select(AuditEvent).where(
            AuditEvent.actor_id == who["thera"].id, AuditEvent.action == "denied write")).all()
        assert [r.record_kind for r in refused] == ["session"]
        assert registered_pages(rv) == {"public/login.py"}
        assert "Approved." not in texts(rv)
