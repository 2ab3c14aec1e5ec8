"""Issue 14, finding 4: a change made with the actor of a session that has ended is refused
in the change's own transaction, writes nothing, and the refusal is audited.

Widget callbacks run before the page's login gate, with the actor the page built on its
previous run; so every kind of write is called here with such an actor after its account
was deactivated, signed out elsewhere (its sessions ended), or left idle past the limit.
Each write is also shown to work for a session that still stands, so a refusal is the
session's doing and not the set-up's.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pyotp
import pytest
import sqlalchemy as sa
import time_machine
from sqlmodel import SQLModel, select

from companion import (aftercare, auth, chains, checkins, cravings, flags, groups, measures,
                       mfa, notice, people, safety, skills)
from companion.access import SESSION_ENDED, require_current
from companion.actors import Actor
from companion.core.config import get_settings
from companion.core.db import session_scope
from companion.core.errors import AccessDenied
from companion.core.timeutil import utcnow
from companion.groups.recurrence import get_occurrence
from companion.models import AuditEvent, Flag, Role, User
from tests.conftest import People
from tests.support.entries import answered

NY = ZoneInfo("America/New_York")
NOW = datetime(2027, 3, 1, 12, tzinfo=NY)       # a Monday, noon
TODAY_GROUP = datetime(2027, 3, 1, 11, 30, tzinfo=NY).astimezone(timezone.utc)   # under way
NEXT_GROUP = datetime(2027, 3, 8, 11, 30, tzinfo=NY).astimezone(timezone.utc)    # next week
_EXERCISE = ("boundaries", "saying-no")


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def world(db_url, clock):
    """A clinic committed up front: each call below runs in its own transaction."""
    with session_scope() as session:
        make = People(session)
        admin, thera, other = make.admin("boss"), make.therapist("thera"), make.therapist("other")
        me = make.client(thera, "me")
        series = groups.schedule_series(session, Actor.of(admin), groups.SeriesInput(
            title="Midday process group", track="morning", location="north",
            facilitator_id=thera.id, first_day=date(2027, 3, 1), start=time(11, 30),
            end=time(13), weekdays=[0]))
        ids = {"admin": admin.id, "thera": thera.id, "other": other.id, "me": me.id,
               "series": series.id}
    return ids


def _actor(session, ids, who) -> Actor:
    return Actor.of(session.get(User, ids[who]))


def _saved_plan(session, ids) -> dict:
    aftercare.save(session, _actor(session, ids, "me"),
                   {**aftercare.empty_sections(), "routine": "Walk at 7"})
    return {}


def _submitted_plan(session, ids) -> dict:
    _saved_plan(session, ids)
    aftercare.submit(session, _actor(session, ids, "me"))
    return {}


def _craving(session, ids) -> dict:
    me = _actor(session, ids, "me")
    saved = cravings.log_craving(session, me, cravings.CravingEntry(intensity=6, coping=[]),
                                 at=utcnow() - timedelta(minutes=20))
    return {"craving": saved.craving.id}


def _flag(session, ids) -> dict:
    checkins.record_checkin(session, _actor(session, ids, "me"),
                            answered(craving=9))
    session.flush()
    return {"flag": session.exec(select(Flag.id)).first()}


def _assignment(session, ids) -> dict:
    row = skills.assign_module(session, _actor(session, ids, "thera"), ids["me"], "boundaries")
    session.flush()
    return {"assignment": row.id}


def _cancelled(session, ids) -> dict:
    groups.cancel_occurrence(session, _actor(session, ids, "admin"), ids["series"],
                             NEXT_GROUP, "Clinic closed for training")
    return {}


def _two_step_on(session, ids) -> dict:
    user = session.get(User, ids["me"])
    user.totp_secret = pyotp.random_base32()
    session.add(user)
    return {"secret": user.totp_secret}


def _notice_unread(session, ids) -> dict:
    session.get(User, ids["me"]).notice_acknowledged_at = None
    return {}


def _nothing(session, ids) -> dict:
    return {}


def _series_input(ids, **kw) -> groups.SeriesInput:
    values = dict(title="Evening skills group", track="evening", location="river",
                  facilitator_id=ids["thera"], first_day=date(2027, 3, 2), start=time(18),
                  end=time(19), weekdays=[1])
    return groups.SeriesInput(**(values | kw))


def _occ(s, ids, when):
    return get_occurrence(s, ids["series"], when)


# name -> (who acts, set-up before the session ends, the write)
WRITES = {
    # the client
    "checkins.record_checkin": ("me", _nothing, lambda s, a, ids, c: checkins.record_checkin(
        s, a, answered(note="A long day"))),
    "cravings.log_craving": ("me", _nothing, lambda s, a, ids, c: cravings.log_craving(
        s, a, cravings.CravingEntry(intensity=4))),
    "cravings.add_details": ("me", _craving, lambda s, a, ids, c: cravings.add_details(
        s, a, c["craving"], cravings.CravingEntry(intensity=6, where="At work"))),
    "cravings.record_surf": ("me", _craving, lambda s, a, ids, c: cravings.record_surf(
        s, a, c["craving"], 300)),
    "cravings.record_followup": ("me", _craving, lambda s, a, ids, c: cravings.record_followup(
        s, a, c["craving"], 2)),
    "measures.submit": ("me", _nothing, lambda s, a, ids, c: measures.submit(
        s, a, "gad7", {"1": 1})),
    "safety.save": ("me", _nothing, lambda s, a, ids, c: safety.save(s, a, {"reasons": "x"})),
    "chains.record": ("me", _nothing, lambda s, a, ids, c: chains.record(s, a, {"before": "x"})),
    "aftercare.save": ("me", _nothing, lambda s, a, ids, c: aftercare.save(
        s, a, {**aftercare.empty_sections(), "routine": "Walk"})),
    "aftercare.submit": ("me", _saved_plan, lambda s, a, ids, c: aftercare.submit(s, a)),
    "aftercare.withdraw": ("me", _submitted_plan, lambda s, a, ids, c: aftercare.withdraw(s, a)),
    "groups.set_reminder": ("me", _nothing, lambda s, a, ids, c: groups.set_reminder(
        s, a, time(8))),
    "groups.rsvp": ("me", _nothing, lambda s, a, ids, c: groups.rsvp(
        s, a, ids["series"], NEXT_GROUP, False, "Work shift")),
    "skills.save_answers": ("me", _nothing, lambda s, a, ids, c: skills.save_answers(
        s, a, *_EXERCISE, {"request": "A ride", "my_no": "No."})),
    "skills.log_practice": ("me", _nothing, lambda s, a, ids, c: skills.log_practice(
        s, a, "Saying no", 6)),
    "skills.mark_lesson_read": ("me", _nothing, lambda s, a, ids, c: skills.mark_lesson_read(
        s, a, *_EXERCISE)),
    "notice.acknowledge": ("me", _notice_unread, lambda s, a, ids, c: notice.acknowledge(s, a)),
    "mfa.confirm_enrolment": ("me", lambda s, ids: {"secret": pyotp.random_base32()},
                              lambda s, a, ids, c: mfa.confirm_enrolment(
                                  s, a, c["secret"], pyotp.TOTP(c["secret"]).now())),
    "mfa.turn_off": ("me", _two_step_on, lambda s, a, ids, c: mfa.turn_off(
        s, a, pyotp.TOTP(c["secret"]).now())),
    "people.change_own_password": ("me", _nothing, lambda s, a, ids, c:
                                   people.change_own_password(
                                       s, a, "a quiet harbor at dawn 42",
                                       "lantern moss river 7319 oak", "lantern moss river 7319 oak")),
    # the client's therapist
    "aftercare.comment": ("thera", _submitted_plan, lambda s, a, ids, c: aftercare.comment(
        s, a, ids["me"], "routine", "Add a time for the walk?")),
    "aftercare.decide (approve)": ("thera", _submitted_plan, lambda s, a, ids, c:
                                   aftercare.decide(s, a, ids["me"], True)),
    "aftercare.decide (changes)": ("thera", _submitted_plan, lambda s, a, ids, c:
                                   aftercare.decide(s, a, ids["me"], False, "Add a sponsor")),
    "flags.acknowledge": ("thera", _flag, lambda s, a, ids, c: flags.acknowledge(
        s, a, c["flag"], "Called her")),
    "groups.mark_attendance": ("thera", _nothing, lambda s, a, ids, c: groups.mark_attendance(
        s, a, _occ(s, ids, TODAY_GROUP), {ids["me"]: "present"})),
    "skills.assign_module": ("thera", _nothing, lambda s, a, ids, c: skills.assign_module(
        s, a, ids["me"], "boundaries", "For Thursday")),
    "skills.withdraw_assignment": ("thera", _assignment, lambda s, a, ids, c:
                                   skills.withdraw_assignment(s, a, c["assignment"])),
    # an admin
    "groups.schedule_series": ("admin", _nothing, lambda s, a, ids, c: groups.schedule_series(
        s, a, _series_input(ids))),
    "groups.update_series": ("admin", _nothing, lambda s, a, ids, c: groups.update_series(
        s, a, ids["series"], _series_input(ids, title="Renamed", track="morning",
                                           location="north"))),
    "groups.delete_series": ("admin", _nothing, lambda s, a, ids, c: groups.delete_series(
        s, a, ids["series"])),
    "groups.cancel_occurrence": ("admin", _nothing, lambda s, a, ids, c:
                                 groups.cancel_occurrence(s, a, ids["series"], NEXT_GROUP,
                                                          "Clinic closed")),
    "groups.move_occurrence": ("admin", _nothing, lambda s, a, ids, c: groups.move_occurrence(
        s, a, ids["series"], NEXT_GROUP, date(2027, 3, 9), time(11, 30), time(13),
        "Moved to Tuesday")),
    "groups.restore_occurrence": ("admin", _cancelled, lambda s, a, ids, c:
                                  groups.restore_occurrence(s, a, ids["series"], NEXT_GROUP)),
    "people.create_user": ("admin", _nothing, lambda s, a, ids, c: people.create_user(
        s, a, "newbie", "New Person", Role.THERAPIST)),
    "people.assign": ("admin", _nothing, lambda s, a, ids, c: people.assign(
        s, a, ids["me"], therapist_id=ids["other"])),
    "people.discharge": ("admin", _nothing, lambda s, a, ids, c: people.discharge(
        s, a, ids["me"])),
    "people.reset_password": ("admin", _nothing, lambda s, a, ids, c: people.reset_password(
        s, a, ids["thera"])),
    "people.set_active": ("admin", _nothing, lambda s, a, ids, c: people.set_active(
        s, a, ids["other"], False)),
    "mfa.admin_reset": ("admin", _nothing, lambda s, a, ids, c: mfa.admin_reset(
        s, a, ids["thera"])),
    "aftercare.set_coordinator": ("admin", _nothing, lambda s, a, ids, c:
                                  aftercare.set_coordinator(s, a, ids["thera"])),
}


def _idle_limit() -> timedelta:
    return timedelta(minutes=get_settings().idle_timeout_minutes)


def _deactivate(user: User) -> None:
    user.is_active = False  # nothing else: the account's state alone must refuse


def _sign_out_elsewhere(user: User) -> None:
    user.sessions_valid_after = utcnow()  # what signing out in another tab does


def _idle(user: User) -> None:
    user.last_seen_at = utcnow() - _idle_limit() - timedelta(minutes=2)


# how the session ends -> (what it does to the account, the reason the audit row gives)
ENDINGS = {"deactivated": (_deactivate, "account deactivated"),
           "signed out elsewhere": (_sign_out_elsewhere, "sessions ended since sign-in"),
           "idle past the limit": (_idle, "idle past the limit")}


def _session_actor(ids, who: str, ending: str | None) -> Actor:
    """The actor a page built on its last run: signed in a while ago, last run just now
    (or, idle, longer ago than the limit); then the session ends as `ending` says."""
    now = utcnow()
    with session_scope() as session:
        for user in session.exec(select(User)):  # accounts made a while before
            user.sessions_valid_after = now - timedelta(hours=2)
            user.last_seen_at = now - timedelta(seconds=5)
        user = session.get(User, ids[who])
        ran = now - (_idle_limit() + timedelta(minutes=2) if ending == "idle past the limit"
                     else timedelta(seconds=5))
        acting = Actor.of(user, signed_in_at=(now - timedelta(hours=1)).timestamp(),
                          active_at=ran.timestamp())
        if ending is not None:
            ENDINGS[ending][0](user)
    return acting


def _snapshot() -> dict[str, list]:
    """Every table's rows but the audit trail's, to show a refusal changed nothing."""
    import companion.models  # noqa: F401

    with session_scope() as session:
        return {t.name: sorted(map(repr, session.execute(sa.select(t)).all()))
                for t in SQLModel.metadata.sorted_tables
                if t.name not in ("audit_events", "audit_seal")}


def _audit_rows() -> list[tuple]:
    with session_scope() as session:
        return session.exec(select(AuditEvent.actor_id, AuditEvent.action,
                                   AuditEvent.record_kind, AuditEvent.detail)
                            .order_by(AuditEvent.id)).all()


def _prepare(ids, name) -> tuple[str, dict]:
    who, prepare, _ = WRITES[name]
    with session_scope() as session:
        context = prepare(session, ids)
    return who, context


@pytest.mark.parametrize("ending", list(ENDINGS))
@pytest.mark.parametrize("name", list(WRITES))
def test_a_write_from_an_ended_session_is_refused_and_writes_nothing(world, name, ending):
    who, context = _prepare(world, name)
    acting = _session_actor(world, who, ending)
    before, audited = _snapshot(), _audit_rows()
    with pytest.raises(AccessDenied, match=SESSION_ENDED):
        with session_scope() as session:
            WRITES[name][2](session, acting, world, context)
    assert _snapshot() == before, "a refused write changed something"
    assert _audit_rows() == [*audited, (world[who], "denied write", "session",
                                        f"refused: {ENDINGS[ending][1]}")], "audited once"


@pytest.mark.parametrize("name", list(WRITES))
def test_the_same_write_works_while_the_session_stands(world, name):
    who, context = _prepare(world, name)
    acting = _session_actor(world, who, None)
    before = _snapshot()
    with session_scope() as session:
        WRITES[name][2](session, acting, world, context)
    assert _snapshot() != before, "the write wrote nothing: the set-up is wrong"


# --- the rule itself ---------------------------------------------------------------------

@pytest.fixture
def client(users, session):
    user = users.client(users.therapist())
    user.last_seen_at = utcnow()
    user.sessions_valid_after = utcnow() - timedelta(hours=2)  # made a while ago
    session.commit()
    return user


def _refused(session, acting) -> bool:
    session.commit()  # a new transaction: checked afresh
    try:
        require_current(session, acting)
    except AccessDenied:
        return True
    finally:
        session.rollback()
    return False


def test_a_discharge_ends_the_client_session(session, client):
    acting = Actor.of(client)
    client.role = Role.ALUMNI
    session.flush()
    assert _refused(session, acting)
    assert not _refused(session, Actor.of(client))


def test_idle_is_judged_by_the_session_and_by_the_account(session, client):
    now, limit = utcnow(), _idle_limit()
    fresh = dict(signed_in_at=(now - timedelta(hours=1)).timestamp())
    assert not _refused(session, Actor.of(client, **fresh, active_at=now.timestamp()))
    # this tab idle, though the account was active elsewhere (the gate would sign it out)
    assert _refused(session, Actor.of(client, **fresh,
                                      active_at=(now - limit - timedelta(seconds=5)).timestamp()))
    # the account idle: last_seen_at lags activity by up to a minute, which is allowed for
    client.last_seen_at = now - limit - timedelta(seconds=30)
    session.flush()
    assert not _refused(session, Actor.of(client, **fresh, active_at=now.timestamp()))
    client.last_seen_at = now - limit - auth.LAST_SEEN_EVERY - timedelta(seconds=5)
    session.flush()
    assert _refused(session, Actor.of(client, **fresh, active_at=now.timestamp()))


def test_an_ended_session_id_stays_ended_whatever_happens_elsewhere(session, client):
    """The gap left last time: a session is judged by its own row (`UserSession`), so one
    that was signed out in its tab, or sat idle by its own clock, is refused for good, though
    the account goes on being active and signs in again in another tab."""
    now = utcnow()
    stamps = dict(signed_in_at=(now - timedelta(minutes=1)).timestamp(),
                  active_at=now.timestamp())
    tab_a, tab_b = auth.start_session(session, client), auth.start_session(session, client)
    assert not _refused(session, Actor.of(client, **stamps, session_id=tab_a))
    auth.end_session(session, tab_a, "signed out")
    new_tab = auth.start_session(session, client)  # signed in again in another tab
    client.last_seen_at = utcnow()
    session.flush()
    assert _refused(session, Actor.of(client, **stamps, session_id=tab_a))
    assert not _refused(session, Actor.of(client, **stamps, session_id=new_tab))
    # tab B idle by its own clock, while the account was busy in the new tab
    session.get(auth.UserSession, tab_b).active_at = now - _idle_limit() - timedelta(minutes=2)
    session.flush()
    assert _refused(session, Actor.of(client, **stamps, session_id=tab_b))
    assert auth.live_session(session, tab_b, client.id)[1] == "idle past the limit"
    auth.touch_session(session, session.get(auth.UserSession, tab_b))
    assert auth.live_session(session, tab_b, client.id)[1].startswith("session ended")
    assert _refused(session, Actor.of(client, **stamps, session_id="made-up"))


def test_actors_without_a_browser_session_have_no_idle_clock(session, client):
    """The CLI operator, the demo and jobs: signed in as they are built, never idle."""
    client.last_seen_at = utcnow() - timedelta(days=30)
    session.flush()
    assert not _refused(session, Actor.of(client))
    auth.end_sessions(session, client.id)
    session.flush()
    assert not _refused(session, Actor.of(client))


def test_checked_once_per_transaction_and_again_after_a_commit(db_url, client):
    with session_scope() as session:
        acting = Actor.of(session.get(User, client.id))
        require_current(session, acting)
        session.get(User, client.id).is_active = False
        session.flush()
        require_current(session, acting)  # already checked in this transaction
        session.commit()
        with pytest.raises(AccessDenied):
            require_current(session, acting)
