"""Every account action is audited with who, what and on whom (staff accounts too), the CLI's
as the command line; the person whose account someone else changed is told who and when."""
from sqlmodel import select

from companion import audit, cli, mfa, people
from companion.models import AuditEvent, Role
from tests.conftest import actor

NEW_PW = "seven lanterns over the bay"


def rows_by(session, actor_id):
    session.flush()
    stmt = select(AuditEvent).where(AuditEvent.actor_id == actor_id).order_by(AuditEvent.id)
    return [(r.record_kind, r.subject_id, r.client_id, r.detail) for r in session.exec(stmt)]


def test_the_way_an_admin_opens_a_door_is_on_the_record(session, users):
    """Was: creating a therapist, resetting their password and second factor, and
    (de)activating them wrote no audit row, so an admin could make or take over a therapist
    account, assign a client to it and sign in as them unrecorded."""
    boss = users.admin()
    admin = actor(boss)
    new = people.create_user(session, admin, "new-therapist", "New Therapist", Role.THERAPIST)
    t = new.user.id
    people.reset_password(session, admin, t)
    mfa.admin_reset(session, admin, t)
    people.set_active(session, admin, t, False)
    people.set_active(session, admin, t, True)
    client = users.client(users.therapist())
    people.assign(session, admin, client.id, therapist_id=t)
    assert rows_by(session, boss.id) == [
        ("account", t, None, "therapist account created: new-therapist"),
        ("account", t, None, "password reset (one-time password issued, every session ended):"
                             " new-therapist"),
        ("account", t, None, "second factor reset (every session ended): new-therapist"),
        ("account", t, None, "deactivated (every session ended): new-therapist"),
        ("account", t, None, "reactivated: new-therapist"),
        ("profile", client.id, client.id, "assignment changed: therapist new-therapist")]
    frame = audit.events(session, admin, staff_id=t)  # the admin page, by staff member
    assert list(frame["Account"]) == ["new-therapist"] * 5


def test_a_clients_account_actions_reach_their_own_list(session, users):
    boss, client = users.admin(), users.client(users.therapist())
    people.reset_password(session, actor(boss), client.id)
    views = audit.views_of_me(session, actor(client))
    assert views[["Who", "Action", "What"]].to_dict("records") == [
        {"Who": boss.display_name, "Action": "changed", "What": "account"}]


def test_operator_commands_are_audited_as_the_command_line(db_url, capsys):
    assert cli.main(["create-user", "boss", "--role", "admin"]) == 0
    assert cli.main(["create-user", "thera", "--role", "therapist"]) == 0
    assert cli.main(["reset-password", "thera"]) == 0
    capsys.readouterr()
    from companion.core.db import session_scope

    with session_scope() as s:
        boss = people.find_user(s, "boss")
        thera = people.find_user(s, "thera")
        rows = s.exec(select(AuditEvent.actor_role, AuditEvent.actor_id, AuditEvent.subject_id,
                             AuditEvent.detail).order_by(AuditEvent.id)).all()
    assert [tuple(r) for r in rows] == [
        ("operator", None, boss.id,
         "first admin account created by the operator: boss (command line)"),
        ("admin", boss.id, thera.id, "therapist account created: thera (command line)"),
        ("admin", boss.id, thera.id, "password reset (one-time password issued, every "
                                     "session ended): thera (command line)")]


def test_a_staff_member_is_told_who_reset_their_account(session, users):
    boss, thera = users.admin(), users.therapist()
    temporary = people.reset_password(session, actor(boss), thera.id)
    mfa.admin_reset(session, actor(boss), thera.id)
    people.change_own_password(session, actor(thera), temporary, NEW_PW, NEW_PW)
    session.flush()
    lines = audit.account_changes_by_others(session, actor(thera))
    assert len(lines) == 2  # their own password change is not "by others"
    assert lines[0].endswith(f": second factor reset (every session ended), by "
                             f"{boss.display_name}")
    assert f"password reset (one-time password issued, every session ended), by " \
           f"{boss.display_name}" in lines[1]
    assert audit.account_changes_by_others(session, actor(boss)) == []
