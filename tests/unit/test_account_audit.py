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
    former = users.therapist()
    client = users.client(former)
    client_therapist = former.username
    people.assign(session, admin, client.id, therapist_id=t)
    assert rows_by(session, boss.id) == [
        ("account", t, None, "therapist account created: new-therapist"),
        ("account", t, None, "password reset (one-time password issued, every session ended):"
                             " new-therapist"),
        ("account", t, None, "second factor reset (every session ended): new-therapist"),
        ("account", t, None, "deactivated (every session ended): new-therapist"),
        ("account", t, None, "reactivated: new-therapist"),
        ("profile", client.id, client.id, "assignment changed: therapist new-therapist "
                                          f"(was therapist {client_therapist})")]
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


def _account_rows(session, subject_id=None):
    session.flush()
    stmt = select(AuditEvent).where(AuditEvent.record_kind == "account").order_by(AuditEvent.id)
    if subject_id is not None:
        stmt = stmt.where(AuditEvent.subject_id == subject_id)
    return [(r.actor_id, r.actor_role, r.action, r.subject_id, r.detail)
            for r in session.exec(stmt)]


def test_sign_ins_passed_and_refused_are_audited_without_what_was_typed(session, users):
    """Was: no sign-in, right or wrong, left a row: a guessing run or a sign-in as a
    colleague after resetting their password was not on the record."""
    from companion.auth import check_login
    from tests.conftest import PASSWORD

    robin = users.client(users.therapist(), name="robin")
    check_login(session, "robin", "guess one two three")
    check_login(session, "robin", PASSWORD)
    check_login(session, "somebody-else hunter2", "another guess")
    rows = _account_rows(session)
    assert rows == [
        (None, "not signed in", "sign-in refused", robin.id, "wrong password: robin"),
        (robin.id, "client", "sign-in", robin.id, "signed in with password: robin"),
        (None, "not signed in", "sign-in refused", None, "no such account")]
    typed = " ".join(r[4] for r in rows)
    assert "guess" not in typed and PASSWORD not in typed and "hunter2" not in typed
    assert audit.views_of_me(session, actor(robin)).empty  # their own sign-ins aren't views


def test_a_paused_sign_in_and_second_factor_codes_are_audited(session, users):
    from companion.auth import check_login
    from tests.conftest import PASSWORD, totp_code

    staff = users.therapist(name="thera")
    for _ in range(5):
        check_login(session, "thera", "wrong wrong wrong")
    check_login(session, "thera", PASSWORD)
    mfa.verify(session, staff.id, "000000")
    mfa.verify(session, staff.id, totp_code(scope="audit"))
    details = [r[4] for r in _account_rows(session, staff.id)]
    assert details[4] == "wrong password, sign-in now paused: thera"
    assert details[5] == "password not checked: sign-in paused: thera"
    assert details[6:] == ["wrong second-factor code: thera",
                           "second factor passed with a code: thera"]


def test_setting_up_and_turning_off_the_second_factor_is_audited(session, users):
    """Was: mfa.confirm_enrolment and mfa.turn_off wrote no audit row."""
    import pyotp

    client = users.client(users.therapist())
    secret = mfa.new_secret()
    totp = pyotp.TOTP(secret)
    mfa.confirm_enrolment(session, actor(client), secret, totp.now())
    next_step = totp.at(totp.timecode(__import__("companion.core.timeutil", fromlist=["x"])
                                      .utcnow()) * 30 + 30)
    mfa.turn_off(session, actor(client), next_step)
    rows = [(a, action, s, d) for a, _, action, s, d in _account_rows(session, client.id)
            if action == "write"]
    assert rows == [
        (client.id, "write", client.id,
         f"second factor set up (new recovery codes): {client.username}"),
        (client.id, "write", client.id, f"second factor turned off: {client.username}")]


def test_assignment_changes_say_from_whom_to_whom_and_the_coordinator_is_audited(session, users):
    """Was: naming (or clearing) the alumni coordinator, who then reviews every alumnus's
    plan, wrote no audit row; a therapist reassignment did not say who had the client."""
    from companion import aftercare

    boss = users.admin()
    admin = actor(boss)
    old, new = users.therapist("old-t"), users.therapist("new-t")
    client = users.client(old)
    people.assign(session, admin, client.id, therapist_id=new.id)
    aftercare.set_coordinator(session, admin, new.id)
    aftercare.set_coordinator(session, admin, new.id)  # no change, no row
    aftercare.set_coordinator(session, admin, old.id)
    aftercare.set_coordinator(session, admin, None)
    assert rows_by(session, boss.id) == [
        ("profile", client.id, client.id,
         "assignment changed: therapist new-t (was therapist old-t)"),
        ("account", new.id, None, "named alumni coordinator (reviews alumni plans): new-t"),
        ("account", new.id, None, "no longer alumni coordinator: new-t"),
        ("account", old.id, None, "named alumni coordinator (reviews alumni plans): old-t"),
        ("account", old.id, None, "no longer alumni coordinator: old-t"),
        ("account", None, None,
         "alumni coordinator cleared: each alumnus's former therapist reviews")]
