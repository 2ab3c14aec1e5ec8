"""Passkeys: registration, sign-in and second factor against a software authenticator."""
from datetime import timedelta

import pyotp
import pytest
from sqlmodel import select
from webauthn.helpers import bytes_to_base64url

from companion import auth, mfa, passkeys, people
from companion.core.errors import AccessDenied, InvalidInput, NotFound
from companion.core.timeutil import utcnow
from companion.models import AuditEvent, LoginThrottle, PasskeyCredential, WebAuthnChallenge
from tests.conftest import actor, totp_code
from tests.support.soft_authenticator import SoftAuthenticator

RP = passkeys.RelyingParty("localhost", ("http://localhost:8501",))


def _register(session, user, device=None, *, now=None, label="My phone"):
    device = device or SoftAuthenticator()
    ceremony = passkeys.begin_registration(session, actor(user), rp=RP, now=now)
    passkeys.finish_registration(session, actor(user), ceremony.handle,
                                 device.create(ceremony.options), label, rp=RP, now=now)
    return device


def _sign_in(session, device, **kw):
    ceremony = passkeys.begin_sign_in(session, rp=RP)
    return passkeys.finish_sign_in(session, ceremony.handle, device.get(ceremony.options, **kw),
                                   rp=RP)


def _notes(session):
    return [e.detail for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]


def test_a_client_registers_a_passkey_and_signs_in_with_it(session, users):
    client = users.client()
    device = _register(session, client)
    [row] = passkeys.own_passkeys(session, actor(client))
    assert row.label == "My phone" and row.sign_count == 0 and row.transports == "internal"
    result = _sign_in(session, device)
    assert result.outcome is auth.Outcome.OK and result.user.id == client.id, _notes(session)
    session.refresh(row)
    assert row.sign_count == 1 and row.last_used_at is not None
    notes = _notes(session)
    assert any("passkey added (My phone)" in n for n in notes)
    assert any("signed in with a passkey" in n for n in notes)
    assert session.exec(select(WebAuthnChallenge)).all() == []  # each one used up


def test_options_require_user_verification_and_a_discoverable_passkey(session, users):
    client = users.client()
    ceremony = passkeys.begin_registration(session, actor(client), rp=RP)
    selection = ceremony.options["authenticatorSelection"]
    assert selection["userVerification"] == "required"
    assert selection["residentKey"] == "required"
    assert ceremony.options["rp"]["id"] == "localhost"
    handle = ceremony.options["user"]["id"]  # random: 32 bytes, nothing about the person
    other = passkeys.begin_registration(session, actor(users.client()), rp=RP)
    assert len(handle) == 43 and other.options["user"]["id"] != handle
    assert passkeys.begin_sign_in(session, rp=RP).options["userVerification"] == "required"


def test_without_user_verification_nothing_is_added_or_signed_in(session, users):
    client = users.client()
    device = SoftAuthenticator()
    ceremony = passkeys.begin_registration(session, actor(client), rp=RP)
    with pytest.raises(InvalidInput, match="could not be checked"):
        passkeys.finish_registration(session, actor(client), ceremony.handle,
                                     device.create(ceremony.options, uv=False), rp=RP)
    assert passkeys.own_passkeys(session, actor(client)) == []
    device = _register(session, client)
    assert _sign_in(session, device, uv=False).outcome is auth.Outcome.WRONG


def test_a_challenge_works_once(session, users):
    client = users.client()
    device = _register(session, client)
    ceremony = passkeys.begin_sign_in(session, rp=RP)
    answer = device.get(ceremony.options)
    assert passkeys.finish_sign_in(session, ceremony.handle, answer, rp=RP).outcome is (
        auth.Outcome.OK)
    replay = passkeys.finish_sign_in(session, ceremony.handle, answer, rp=RP)
    assert replay.outcome is auth.Outcome.WRONG and replay.user is None
    assert replay.message == passkeys.EXPIRED


def test_a_failed_try_uses_the_challenge_up_too(session, users):
    client = users.client()
    device = _register(session, client)
    ceremony = passkeys.begin_sign_in(session, rp=RP)
    wrong = device.get(ceremony.options, origin="https://evil.example")
    assert passkeys.finish_sign_in(session, ceremony.handle, wrong, rp=RP).outcome is (
        auth.Outcome.WRONG)
    right = device.get(ceremony.options)
    assert passkeys.finish_sign_in(session, ceremony.handle, right, rp=RP).message == (
        passkeys.EXPIRED)


def test_a_challenge_expires_after_five_minutes(session, users):
    client = users.client()
    device = _register(session, client)
    start = utcnow()
    ceremony = passkeys.begin_sign_in(session, rp=RP, now=start)
    late = start + passkeys.CHALLENGE_LIFETIME + timedelta(seconds=1)
    result = passkeys.finish_sign_in(session, ceremony.handle, device.get(ceremony.options),
                                     rp=RP, now=late)
    assert result.outcome is auth.Outcome.WRONG and result.message == passkeys.EXPIRED
    ceremony = passkeys.begin_sign_in(session, rp=RP, now=start)
    in_time = start + passkeys.CHALLENGE_LIFETIME - timedelta(seconds=1)
    assert passkeys.finish_sign_in(session, ceremony.handle, device.get(ceremony.options),
                                   rp=RP, now=in_time).outcome is auth.Outcome.OK


def test_an_expired_registration_adds_nothing(session, users):
    client = users.client()
    start = utcnow()
    device = SoftAuthenticator()
    ceremony = passkeys.begin_registration(session, actor(client), rp=RP, now=start)
    with pytest.raises(InvalidInput, match="expired"):
        passkeys.finish_registration(session, actor(client), ceremony.handle,
                                     device.create(ceremony.options), rp=RP,
                                     now=start + timedelta(minutes=6))
    assert passkeys.own_passkeys(session, actor(client)) == []


def test_challenges_are_bound_to_their_purpose_and_account(session, users):
    client, other = users.client(), users.client()
    device = _register(session, client)
    sign_in = passkeys.begin_sign_in(session, rp=RP)
    with pytest.raises(InvalidInput, match="expired"):  # a sign-in challenge can't register
        passkeys.finish_registration(session, actor(client), sign_in.handle,
                                     SoftAuthenticator().create(
                                         {**sign_in.options, "user": {"id": "AA"}}), rp=RP)
    registering = passkeys.begin_registration(session, actor(client), rp=RP)
    with pytest.raises(InvalidInput, match="expired"):  # nor another account's
        passkeys.finish_registration(session, actor(other), registering.handle,
                                     SoftAuthenticator().create(registering.options), rp=RP)
    registering = passkeys.begin_registration(session, actor(client), rp=RP)
    assert passkeys.finish_sign_in(session, registering.handle,
                                   device.get(registering.options), rp=RP).message == (
        passkeys.EXPIRED)


def test_a_sign_count_that_goes_back_is_refused_and_audited(session, users):
    client = users.client()
    device = _register(session, client)
    assert _sign_in(session, device, count=5).outcome is auth.Outcome.OK
    copied = _sign_in(session, device, count=5)
    assert copied.outcome is auth.Outcome.WRONG
    assert _sign_in(session, device, count=3).outcome is auth.Outcome.WRONG
    assert any("sign count went back" in n for n in _notes(session))
    [row] = passkeys.own_passkeys(session, actor(client))
    assert row.sign_count == 5
    assert _sign_in(session, device, count=6).outcome is auth.Outcome.OK


def test_an_authenticator_without_a_counter_stays_usable(session, users):
    client = users.client()
    device = _register(session, client)  # synced passkeys often send 0 every time
    assert _sign_in(session, device, count=0).outcome is auth.Outcome.OK
    assert _sign_in(session, device, count=0).outcome is auth.Outcome.OK


def test_backup_flags_are_kept(session, users):
    client = users.client()
    device = _register(session, client, SoftAuthenticator(synced=True))
    [row] = passkeys.own_passkeys(session, actor(client))
    assert row.multi_device and row.backed_up
    device.synced = False  # backup eligibility may not change over a passkey's life
    assert _sign_in(session, device).outcome is auth.Outcome.WRONG
    assert any("backup eligibility changed" in n for n in _notes(session))


@pytest.mark.parametrize("where", ["rp_id", "origin"])
def test_another_relying_party_or_origin_is_refused(session, users, where):
    client = users.client()
    wrong = {"rp_id": "evil.example"} if where == "rp_id" else {"origin": "http://localhost:9"}
    ceremony = passkeys.begin_registration(session, actor(client), rp=RP)
    with pytest.raises(InvalidInput):
        passkeys.finish_registration(session, actor(client), ceremony.handle,
                                     SoftAuthenticator().create(ceremony.options, **wrong),
                                     rp=RP)
    device = _register(session, client)
    assert _sign_in(session, device, **wrong).outcome is auth.Outcome.WRONG
    other_rp = passkeys.RelyingParty("clinic.example", ("https://clinic.example",))
    ceremony = passkeys.begin_sign_in(session, rp=other_rp)
    assert passkeys.finish_sign_in(session, ceremony.handle, device.get(ceremony.options),
                                   rp=other_rp).outcome is auth.Outcome.WRONG


def test_a_removed_passkey_never_signs_in_again(session, users):
    client = users.client()
    device = _register(session, client)
    [row] = passkeys.own_passkeys(session, actor(client))
    passkeys.remove(session, actor(client), row.id)
    assert passkeys.own_passkeys(session, actor(client)) == []
    assert _sign_in(session, device).outcome is auth.Outcome.WRONG
    notes = _notes(session)
    assert any("passkey removed (My phone)" in n for n in notes)
    assert any("removed passkey tried" in n for n in notes)


def test_one_may_remove_only_ones_own(session, users):
    client, other = users.client(), users.client()
    _register(session, client)
    [row] = passkeys.own_passkeys(session, actor(client))
    with pytest.raises(NotFound):
        passkeys.remove(session, actor(other), row.id)


def test_several_passkeys_and_remove_all(session, users):
    client = users.client()
    phone, tablet = _register(session, client), _register(session, client, label="Tablet")
    rows = passkeys.own_passkeys(session, actor(client))
    assert [r.label for r in rows] == ["My phone", "Tablet"]
    assert len({r.user_handle for r in rows}) == 1  # one handle per account
    assert passkeys.remove_all(session, actor(client)) == 2
    assert _sign_in(session, phone).outcome is _sign_in(session, tablet).outcome is (
        auth.Outcome.WRONG)


def test_the_most_passkeys_an_account_keeps_is_said_in_its_language(session, users, monkeypatch):
    from companion import i18n

    client = users.client()
    monkeypatch.setattr(passkeys, "MAX_PASSKEYS", 2)
    _register(session, client)
    _register(session, client, label="Tablet")
    with pytest.raises(InvalidInput, match="^You have 2 passkeys already: remove one first.$"):
        passkeys.begin_registration(session, actor(client), rp=RP)
    with i18n.speaking("es"), pytest.raises(InvalidInput) as err:
        passkeys.begin_registration(session, actor(client), rp=RP)
    assert str(err.value) == "Ya tienes 2 llaves de acceso: quita una primero."


@pytest.mark.parametrize("how", ["deactivate", "password reset", "second factor reset"])
def test_admin_actions_revoke_the_accounts_passkeys(session, users, how):
    admin, client = users.admin(), users.client()
    device = _register(session, client)
    if how == "deactivate":
        people.set_active(session, actor(admin), client.id, False)
    elif how == "password reset":
        people.reset_password(session, actor(admin), client.id)
    else:
        mfa.admin_reset(session, actor(admin), client.id)
    assert session.exec(select(PasskeyCredential).where(
        PasskeyCredential.revoked_at.is_(None))).all() == []
    if how == "deactivate":
        people.set_active(session, actor(admin), client.id, True)
    assert _sign_in(session, device).outcome is auth.Outcome.WRONG
    assert any("passkeys revoked (1)" in n for n in _notes(session))


def test_an_ended_session_cannot_register(session, users):
    client = users.client()
    me = actor(client)
    auth.end_sessions(session, client.id)
    with pytest.raises(AccessDenied):
        passkeys.begin_registration(session, me, rp=RP)


def test_staff_passkeys_are_a_second_factor_only(session, users):
    staff = users.therapist()
    device = _register(session, staff)
    result = _sign_in(session, device)
    assert result.outcome is auth.Outcome.WRONG and result.message == passkeys.STAFF_USE_PASSWORD
    ceremony = passkeys.begin_second_factor(session, staff.id, "s1", rp=RP)
    assert [c["id"] for c in ceremony.options["allowCredentials"]] == [
        bytes_to_base64url(device.credential_id)]
    result = passkeys.finish_second_factor(session, staff.id, "s1", ceremony.handle,
                                           device.get(ceremony.options), rp=RP)
    assert result.outcome is auth.Outcome.OK and result.user.id == staff.id
    assert any("second factor passed with a passkey" in n for n in _notes(session))


def test_a_second_factor_challenge_is_bound_to_its_account_and_session(session, users):
    staff, other = users.therapist(), users.therapist()
    mine, theirs = _register(session, staff), _register(session, other)
    ceremony = passkeys.begin_second_factor(session, staff.id, "s1", rp=RP)
    assert passkeys.finish_second_factor(session, staff.id, "s2", ceremony.handle,
                                         mine.get(ceremony.options), rp=RP).message == (
        passkeys.EXPIRED)
    ceremony = passkeys.begin_second_factor(session, staff.id, "s1", rp=RP)
    assert passkeys.finish_second_factor(session, staff.id, "s1", ceremony.handle,
                                         theirs.get(ceremony.options), rp=RP).outcome is (
        auth.Outcome.WRONG)
    with pytest.raises(NotFound):
        passkeys.begin_second_factor(session, users.therapist().id, "s3", rp=RP)


def test_failed_passkey_tries_pause_passkey_sign_in(session, users, monkeypatch):
    client = users.client()
    device = _register(session, client)
    for _ in range(5):
        assert _sign_in(session, device, origin="http://localhost:9").outcome in (
            auth.Outcome.WRONG, auth.Outcome.LOCKED)
    result = _sign_in(session, device)
    assert result.outcome is auth.Outcome.LOCKED
    assert session.get(LoginThrottle, f"passkey:{client.username}").locked_until is not None
    assert session.get(LoginThrottle, client.username) is None  # the password is not paused


def test_a_deactivated_account_cannot_use_its_passkey(session, users):
    client = users.client()
    device = _register(session, client)
    client.is_active = False
    session.add(client)
    session.flush()
    assert _sign_in(session, device).outcome is auth.Outcome.WRONG


def test_hostile_answers_are_refused_quietly(session, users):
    ceremony = passkeys.begin_sign_in(session, rp=RP)
    for answer in ("not json", "[]", "{}", "x" * 70_000, {"id": 1}):
        assert passkeys.finish_sign_in(session, ceremony.handle, answer, rp=RP).outcome is (
            auth.Outcome.WRONG)
    assert passkeys.finish_sign_in(session, None, "{}", rp=RP).outcome is auth.Outcome.WRONG


def test_the_clinic_may_require_passkeys_for_staff(session, users):
    admin, staff, newcomer = users.admin(), users.therapist(), users.therapist()
    _register(session, staff)
    with pytest.raises(AccessDenied):
        passkeys.set_staff_passkeys_required(session, actor(staff), True)
    with pytest.raises(InvalidInput, match="passkey for yourself first"):
        passkeys.set_staff_passkeys_required(session, actor(admin), True)
    assert not passkeys.staff_passkeys_required(session)
    _register(session, admin)
    assert mfa.verify(session, staff.id, totp_code(scope=f"{staff.username}")).outcome is (
        auth.Outcome.OK)  # codes still work while the rule is off
    passkeys.set_staff_passkeys_required(session, actor(admin), True)
    assert passkeys.staff_passkeys_required(session)
    assert mfa.verify(session, staff.id, totp_code(scope=f"{staff.username}")).outcome is (
        auth.Outcome.WRONG)
    assert any("app codes off" in n for n in _notes(session))
    assert any("staff must use a passkey" in n for n in _notes(session))
    # Staff without a passkey yet still pass with a code (and must then add one).
    assert passkeys.passkey_wanted(session, newcomer)
    assert mfa.verify(session, newcomer.id, totp_code(scope=newcomer.username)).outcome is (
        auth.Outcome.OK)


def test_under_the_rule_a_recovery_code_still_works_for_a_lost_phone(session, users):
    admin, staff = users.admin(), users.therapist()
    staff.totp_secret = None
    session.flush()
    secret = mfa.new_secret()
    codes = mfa.confirm_enrolment(session, actor(staff), secret, pyotp.TOTP(secret).now())
    _register(session, staff)
    _register(session, admin)
    passkeys.set_staff_passkeys_required(session, actor(admin), True)
    assert mfa.verify(session, staff.id, codes[0]).outcome is auth.Outcome.OK
