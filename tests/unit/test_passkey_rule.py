"""The clinic's passkey rule for staff, in the services: a staff member the rule asks for a
passkey who has none yet gets nothing of the staff side until they add one (the sign-in gate
sends them to add it; `access.require_sign_in_complete` refuses whatever runs anyway). With
the rule off nothing changes, and clients and alumni are never held."""
from datetime import date

import pytest
from sqlalchemy import event
from sqlmodel import select

from companion import access, audit, caseload, checkins, mfa, passkeys, people, run_context
from companion.access import Action, RecordKind
from companion.core.errors import AccessDenied, InvalidInput
from companion.groups import scheduling
from companion.models import AuditEvent
from tests.conftest import actor
from tests.support.soft_authenticator import SoftAuthenticator

RP = passkeys.RelyingParty("localhost", ("http://localhost:8501",))


def _register(session, user, label="My phone"):
    ceremony = passkeys.begin_registration(session, actor(user), rp=RP)
    return passkeys.finish_registration(session, actor(user), ceremony.handle,
                                        SoftAuthenticator().create(ceremony.options), label,
                                        rp=RP)


def _rule_on(session, users):
    """An admin with a passkey turns the rule on (as the People page does)."""
    admin = users.admin()
    _register(session, admin, "Admin's phone")
    passkeys.set_staff_passkeys_required(session, actor(admin), True)
    session.commit()
    return admin


def _staff_reads(session, therapist, client, admin):
    """What the staff pages read first: the caseload, a client's record, the People list,
    the audit trail, the group editor."""
    return [lambda: caseload.view(session, actor(therapist)),
            lambda: access.assigned_client_ids(session, actor(therapist)),
            lambda: access.authorize(session, actor(therapist), client.id, RecordKind.CHECKIN),
            lambda: checkins.history(session, actor(therapist), client.id, date.today()),
            lambda: people.people(session, actor(admin)),
            lambda: audit.events(session, actor(admin)),
            lambda: scheduling.all_series(session, actor(admin))]


def test_under_the_rule_staff_without_a_passkey_get_no_staff_data(session, users):
    _rule_on(session, users)
    therapist, admin = users.therapist(), users.admin()
    client = users.client(therapist)
    session.commit()
    assert access.passkey_pending(session, actor(therapist))
    for read in _staff_reads(session, therapist, client, admin):
        with pytest.raises(AccessDenied, match="add a passkey first"):
            read()
        session.rollback()
    with pytest.raises(AccessDenied, match="add a passkey first"):
        access.authorize(session, actor(therapist), client.id, RecordKind.FLAG, Action.WRITE)
    denied = session.info.get(audit.DENIED, [])
    assert denied and all("asks for a passkey first" in d["detail"] for d in denied)

    _register(session, therapist)  # what the "Add a passkey" step does
    _register(session, admin)
    session.commit()
    assert not access.passkey_pending(session, actor(therapist))
    for read in _staff_reads(session, therapist, client, admin):
        read()


def test_with_the_rule_off_nothing_changes(session, users):
    therapist, admin = users.therapist(), users.admin()
    client = users.client(therapist)
    session.commit()
    assert not passkeys.staff_passkeys_required(session)
    assert not access.passkey_pending(session, actor(therapist))
    for read in _staff_reads(session, therapist, client, admin):
        read()
    assert not session.info.get(audit.DENIED)


@pytest.mark.parametrize("role", ["client", "alumni"])
def test_clients_and_alumni_are_never_held(session, users, role):
    _rule_on(session, users)
    person = users.client() if role == "client" else users.alumni()
    session.commit()
    assert not access.passkey_pending(session, actor(person))
    assert checkins.history(session, actor(person), person.id, date.today()) == []
    context = run_context.load_signed_in(session, person.username)
    assert context.passkey_pending is False


def test_the_gate_loads_the_answer_with_the_person(session, users):
    _rule_on(session, users)
    therapist, client = users.therapist(), users.client()
    session.commit()
    context = run_context.load_signed_in(session, therapist.username)
    assert context.passkey_pending is True
    assert run_context.load_signed_in(session, client.username).passkey_pending is False
    statements = []
    engine = session.get_bind()
    count = lambda *args: statements.append(args[2])  # noqa: E731
    run_context.begin(context)  # as the gate does: the services ask no more of the database
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert access.passkey_pending(session, actor(therapist))
        with pytest.raises(AccessDenied):
            caseload.view(session, actor(therapist))
    finally:
        event.remove(engine, "before_cursor_execute", count)
        run_context.reset()
    assert statements == []
    _register(session, therapist)
    session.commit()
    assert run_context.load_signed_in(session, therapist.username).passkey_pending is False


def test_the_forced_addition_and_the_hold_are_audited(session, users):
    _rule_on(session, users)
    therapist = users.therapist()
    session.commit()
    passkeys.note_held(session, actor(therapist))
    _register(session, therapist, "Work phone")
    passkeys.note_held(session, actor(therapist))  # no longer held: nothing more written
    notes = [e.detail for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))
             if therapist.username in e.detail]
    assert notes == [
        f"asked to add a passkey before any staff page (the clinic's rule): {therapist.username}",
        "passkey added (Work phone), required by the clinic's rule for staff before any staff "
        f"page: {therapist.username}"]


def test_an_admin_reset_holds_the_staff_member_again(session, users):
    admin = _rule_on(session, users)
    therapist = users.therapist()
    _register(session, therapist)
    session.commit()
    assert not access.passkey_pending(session, actor(therapist))
    mfa.admin_reset(session, actor(admin), therapist.id)  # a lost phone
    session.commit()
    assert access.passkey_pending(session, actor(therapist))


def test_under_the_rule_staff_keep_their_last_passkey(session, users):
    _rule_on(session, users)
    therapist, client = users.therapist(), users.client()
    first = _register(session, therapist, "Phone")
    with pytest.raises(InvalidInput, match="last one stays"):
        passkeys.remove(session, actor(therapist), first.id)
    with pytest.raises(InvalidInput, match="last one stays"):
        passkeys.remove_all(session, actor(therapist))
    second = _register(session, therapist, "Laptop")
    passkeys.remove(session, actor(therapist), first.id)  # another stays
    assert [p.id for p in passkeys.own_passkeys(session, actor(therapist))] == [second.id]
    own = _register(session, client)  # a client's passkeys are their own choice
    passkeys.remove(session, actor(client), own.id)
    assert passkeys.own_passkeys(session, actor(client)) == []


def test_an_admin_turns_the_rule_on_only_with_a_passkey_of_their_own(session, users):
    admin = users.admin()
    with pytest.raises(InvalidInput, match="passkey for yourself first"):
        passkeys.set_staff_passkeys_required(session, actor(admin), True)
    assert not passkeys.staff_passkeys_required(session)
    _register(session, admin)
    passkeys.set_staff_passkeys_required(session, actor(admin), True)
    passkeys.set_staff_passkeys_required(session, actor(admin), False)  # lifted by any admin
    assert not passkeys.staff_passkeys_required(session)


def test_an_operator_lifts_the_rule_when_no_admin_can_reach_people(db_url, capsys):
    from companion.cli import main
    from companion.core.db import session_scope
    from companion.models import Role, Setting, User

    assert main(["create-user", "boss", "--role", "admin"]) == 0
    with session_scope() as session:  # the rule on, and the only admin now without a passkey
        session.add(Setting(key=access.STAFF_PASSKEY_RULE, value="yes"))
        boss = session.exec(select(User).where(User.role == Role.ADMIN)).one()
        assert access.passkey_pending(session, actor(boss))
    capsys.readouterr()
    assert main(["staff-passkeys", "off"]) == 0
    assert capsys.readouterr().out.strip() == "Staff may use a passkey or an authenticator code."
    with session_scope() as session:
        assert not passkeys.staff_passkeys_required(session)
        assert "(command line)" in session.exec(select(AuditEvent.detail).where(
            AuditEvent.detail.contains("staff may use"))).one()
    assert main(["staff-passkeys", "on"]) == 2  # on again only by an admin with a passkey
    assert "passkey for yourself first" in capsys.readouterr().err
