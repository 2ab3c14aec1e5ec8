"""Accounts: admin-only enrolment, one-time passwords, password changes, discharge, demo."""
import pytest
from sqlalchemy import func
from sqlmodel import select

from companion import auth, demo, people
from companion.auth import Outcome
from companion.core.errors import AccessDenied, InvalidInput
from companion.models import AuditEvent, Enrolment, LoginThrottle, Role, User
from tests.conftest import PASSWORD, actor

NEW_PW = "seven lanterns over the bay"


def _count(session, model) -> int:
    session.flush()
    return session.exec(select(func.count()).select_from(model)).one()


def test_first_admin_only_while_no_account_exists(session):
    admin = people.create_first_admin(session, "Lead-Admin", "Lead Admin", NEW_PW)
    assert (admin.username, admin.role, admin.must_change_password) == ("lead-admin", "admin",
                                                                       False)
    with pytest.raises(AccessDenied, match="already set up"):
        people.create_first_admin(session, "second", "Second", NEW_PW)


def test_first_admin_password_follows_the_policy(session):
    with pytest.raises(InvalidInput, match="at least 15"):
        people.create_first_admin(session, "lead", "Lead", "short")
    assert _count(session, User) == 0


def test_admin_enrols_a_client_with_a_one_time_password(session, users):
    admin, therapist = users.admin(), users.therapist()
    new = people_create(session, admin, therapist)
    user = new.user
    assert user.must_change_password and user.role == Role.CLIENT
    enrolment = session.get(Enrolment, user.id)
    assert (enrolment.therapist_id, enrolment.track, enrolment.location) == (
        therapist.id, "evening", "telehealth")
    assert auth.check_login(session, "new-client", new.temporary_password).outcome is Outcome.OK
    rows = session.exec(select(AuditEvent).where(AuditEvent.client_id == user.id)
                        .order_by(AuditEvent.id)).all()
    assert [(r.actor_id, r.action, r.record_kind, r.detail) for r in rows] == [
        (admin.id, "write", "account", "client account created: new-client"),
        (admin.id, "write", "profile", f"enrolled: therapist {therapist.username}, "
                                       "track evening, location telehealth")]


def people_create(session, admin, therapist, username="new-client"):
    return people.create_user(session, actor(admin), username, "New Client", Role.CLIENT,
                              therapist_id=therapist.id, track="evening", location="telehealth")


@pytest.mark.parametrize("role", [Role.CLIENT, Role.ALUMNI, Role.THERAPIST])
def test_only_admins_create_accounts_and_denial_writes_nothing(session, users, role):
    therapist = users.therapist()
    acting = {Role.CLIENT: users.client(therapist), Role.ALUMNI: users.alumni(therapist),
              Role.THERAPIST: therapist}[role]
    before = _count(session, User)
    with pytest.raises(AccessDenied):
        people_create(session, acting, therapist)
    assert _count(session, User) == before


@pytest.mark.parametrize("kwargs,why", [
    ({"username": "x"}, "3–40 characters"),
    ({"username": "has space"}, "3–40 characters"),
    ({"therapist_id": None}, "needs a therapist"),
    ({"track": "midnight"}, "Unknown track"),
    ({"location": "moon"}, "Unknown location"),
])
def test_bad_enrolment_input_is_refused_clearly(session, users, kwargs, why):
    admin, therapist = users.admin(), users.therapist()
    args = {"username": "new-client", "therapist_id": therapist.id, "track": "morning",
            "location": "north"} | kwargs
    with pytest.raises(InvalidInput, match=why):
        people.create_user(session, actor(admin), args.pop("username"), "Name", Role.CLIENT,
                           **args)


def test_a_client_cannot_be_given_an_admin_as_therapist(session, users):
    admin = users.admin()
    with pytest.raises(InvalidInput, match="active therapist"):
        people.create_user(session, actor(admin), "new-client", "N", Role.CLIENT,
                           therapist_id=admin.id, track="morning", location="north")


def test_duplicate_username_is_refused(session, users):
    admin, therapist = users.admin(), users.therapist()
    people_create(session, admin, therapist)
    with pytest.raises(InvalidInput, match="taken"):
        people_create(session, admin, therapist, username="NEW-CLIENT")


def test_change_password_checks_current_and_ends_other_sessions(session, users):
    user = users.client()
    me = actor(user)
    with pytest.raises(InvalidInput, match="current password"):
        people.change_own_password(session, me, "wrong", NEW_PW, NEW_PW)
    with pytest.raises(InvalidInput, match="don't match"):
        people.change_own_password(session, me, PASSWORD, NEW_PW, NEW_PW + "x")
    with pytest.raises(InvalidInput, match="at least 15"):
        people.change_own_password(session, me, PASSWORD, "short", "short")
    with pytest.raises(InvalidInput, match="different"):
        people.change_own_password(session, me, PASSWORD, PASSWORD, PASSWORD)
    before = user.sessions_valid_after
    people.change_own_password(session, me, PASSWORD, NEW_PW, NEW_PW)
    assert user.sessions_valid_after > before and not user.must_change_password
    assert auth.check_login(session, user.username, NEW_PW).outcome is Outcome.OK


def test_reset_password_gives_one_time_password_and_unlocks(session, users):
    admin, user = users.admin(), users.client()
    for i in range(5):
        auth.check_login(session, user.username, f"wrong {i}")
    temporary = people.reset_password(session, actor(admin), user.id)
    assert user.must_change_password
    session.flush()
    assert session.get(LoginThrottle, user.username) is None
    assert auth.check_login(session, user.username, temporary).outcome is Outcome.OK
    assert auth.check_login(session, user.username, PASSWORD).outcome is Outcome.WRONG


def test_therapist_cannot_reset_passwords(session, users):
    therapist = users.therapist()
    client = users.client(therapist)
    with pytest.raises(AccessDenied):
        people.reset_password(session, actor(therapist), client.id)


def test_discharge_makes_alumni_and_keeps_the_enrolment(session, users):
    admin, therapist = users.admin(), users.therapist()
    client = users.client(therapist)
    people.discharge(session, actor(admin), client.id)
    people.discharge(session, actor(admin), client.id)  # idempotent
    enrolment = session.get(Enrolment, client.id)
    assert client.role == Role.ALUMNI and enrolment.discharged_at is not None
    assert enrolment.therapist_id == therapist.id


def test_therapist_cannot_discharge_or_reassign(session, users):
    therapist = users.therapist()
    client = users.client(therapist)
    with pytest.raises(AccessDenied):
        people.discharge(session, actor(therapist), client.id)
    with pytest.raises(AccessDenied):
        people.assign(session, actor(therapist), client.id, track="evening")
    assert session.get(Enrolment, client.id).track == "morning"


def test_deactivation_ends_sessions_and_blocks_sign_in(session, users):
    admin, user = users.admin(), users.client()
    people.set_active(session, actor(admin), user.id, False)
    assert auth.check_login(session, user.username, PASSWORD).outcome is Outcome.WRONG
    with pytest.raises(InvalidInput, match="your own"):
        people.set_active(session, actor(admin), admin.id, False)


def test_own_profile_shows_only_my_enrolment(session, users):
    therapist = users.therapist()
    me, other = users.client(therapist), users.client(therapist)
    profile = people.own_profile(session, actor(me))
    assert profile["Name"] == me.display_name and other.display_name not in profile.values()
    assert profile["Therapist"] == therapist.display_name


def test_people_list_is_admin_only_and_audited(session, users):
    admin, therapist = users.admin(), users.therapist()
    client = users.client(therapist)
    with pytest.raises(AccessDenied):
        people.people(session, actor(therapist))
    frame = people.people(session, actor(admin))
    assert set(frame["Username"]) == {admin.username, therapist.username, client.username}
    assert _count(session, AuditEvent) == 1


def test_demo_seeds_the_fictional_clinic_and_is_idempotent(session):
    password = demo.seed(session, NEW_PW)
    assert password == NEW_PW
    demo.seed(session, NEW_PW)
    names = set(session.exec(select(User.username)))
    assert names == {"demo-admin", "demo-therapist1", "demo-therapist2", "demo-alum1",
                     "demo-alum2", *(f"demo-client{i}" for i in range(1, 9))}
    roles = session.exec(select(User.role, func.count()).group_by(User.role)).all()
    assert dict(roles) == {"admin": 1, "therapist": 2, "client": 8, "alumni": 2}
    tracks = set(session.exec(select(Enrolment.track)))
    assert tracks == {"morning", "evening"}
    assert auth.check_login(session, "demo-client3", NEW_PW).outcome is Outcome.OK


def test_demo_refuses_a_database_with_real_accounts(session, users):
    users.admin(name="real-admin")
    with pytest.raises(AccessDenied, match="non-demo"):
        demo.seed(session, NEW_PW)
