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
        # Deactivated: the service refuses the callback's write (and audits it). Idle: the
        # gate skips every widget callback of an idle session first (tests/app/
        # test_phone_flows.py); the service's own idle refusal is in test_stale_sessions.py.
        assert [r.record_kind for r in refused] == (["session"] if ending == "deactivated"
                                                     else [])
        assert not rv.exception, [e.stack_trace for e in rv.exception]
        assert registered_pages(rv) == {"public/login.py"}
        assert "Approved." not in texts(rv)


def test_a_tab_left_idle_stays_signed_out_while_its_owner_works_in_another(app, users, session):
    """Issue 14, finding 4 (the gap left last time): idle was judged by the account's last
    activity, so the re-login cookie of a browser left idle signed it straight back in while
    its owner was busy elsewhere; and the idle tab, signing itself out, signed out the tab the
    owner was working in. Each session now has its own id and clock: the idle one ends for
    good (a later sign-in elsewhere does not reopen it) and the other goes on."""
    from unittest import mock

    from streamlit_authenticator.models.cookie_model import CookieModel

    from tests.app.conftest import cookies_issued, new_app

    with time_machine.travel(utcnow(), tick=True) as clock:
        users.client(users.therapist(), name="robin")
        session.commit()
        with cookies_issued("robin") as cookies:
            left = sign_in(app, "robin")             # a shared computer, soon left alone
        left_cookie = cookies[-1]
        working = sign_in(new_app(), "robin")        # the owner's phone
        for _ in range(4):                           # busy on the phone for 20 minutes
            clock.shift(timedelta(minutes=5))
            working.switch_page("pages/client/checkin.py").run()
            assert "client/checkin.py" in registered_pages(working)
        with mock.patch.object(CookieModel, "get_cookie", return_value=left_cookie):
            reloaded = new_app()                     # someone opens the shared computer's
            reloaded.run()                           # browser again: its cookie
            assert registered_pages(reloaded) == {"public/login.py"}, "an idle session came back"
        left.run()                                   # or uses its open tab
        assert registered_pages(left) == {"public/login.py"}
        assert "without activity" in texts(left)
        with mock.patch.object(CookieModel, "get_cookie", return_value=left_cookie):
            sign_in(new_app(), "robin")              # a new sign-in in yet another tab
            again = new_app()
            again.run()
            assert registered_pages(again) == {"public/login.py"}, "the ended session came back"
        working.switch_page("pages/client/home.py").run()
        assert "client/home.py" in registered_pages(working), "the idle tab signed out this one"
