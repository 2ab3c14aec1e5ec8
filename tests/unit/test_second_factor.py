"""TOTP for staff: enrolment, one use per code, recovery codes, lockout, admin reset."""
import pyotp
import pytest
from sqlmodel import select

from companion import mfa
from companion.auth import Outcome
from companion.core.errors import AccessDenied, InvalidInput
from companion.models import AuditEvent, RecoveryCode, User
from tests.conftest import actor, totp_code


@pytest.fixture
def fresh_staff(users, session):
    user = users.therapist(name="new-staff")
    user.totp_secret = None
    session.flush()
    return user


def test_staff_must_use_it_clients_may(users):
    assert mfa.required(users.therapist()) and mfa.required(users.admin())
    assert not mfa.required(users.client(users.therapist()))


def test_enrolment_needs_a_code_from_the_app(session, fresh_staff):
    secret = mfa.new_secret()
    with pytest.raises(InvalidInput, match="didn't match"):
        mfa.confirm_enrolment(session, actor(fresh_staff), secret, "000000")
    assert fresh_staff.totp_secret is None
    codes = mfa.confirm_enrolment(session, actor(fresh_staff), secret, pyotp.TOTP(secret).now())
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = session.exec(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not any(c.replace("-", "") in h for c in codes for h in stored)
    assert "otpauth://totp/" in mfa.provisioning_uri(fresh_staff, secret)
    assert mfa.qr_png(mfa.provisioning_uri(fresh_staff, secret)).startswith(b"\x89PNG")


def test_a_code_works_once(session, users):
    staff = users.therapist()
    code = totp_code(scope="once")
    assert mfa.verify(session, staff.id, code).outcome is Outcome.OK
    assert mfa.verify(session, staff.id, code).outcome is Outcome.WRONG  # replayed


def test_recovery_code_works_once(session, fresh_staff):
    secret = mfa.new_secret()
    codes = mfa.confirm_enrolment(session, actor(fresh_staff), secret, pyotp.TOTP(secret).now())
    assert mfa.verify(session, fresh_staff.id, codes[3].upper()).outcome is Outcome.OK
    assert mfa.verify(session, fresh_staff.id, codes[3]).outcome is Outcome.WRONG
    assert mfa.recovery_codes_left(session, fresh_staff.id) == 9


def test_five_wrong_codes_pause_the_account(session, users):
    staff = users.therapist()
    outcomes = [mfa.verify(session, staff.id, "123456").outcome for _ in range(5)]
    assert outcomes[-1] is Outcome.LOCKED
    assert mfa.verify(session, staff.id, totp_code(scope="lock")).outcome is Outcome.LOCKED


def test_admin_reset_is_audited_and_ends_sessions(session, users):
    admin, staff = users.admin(), users.therapist()
    before = staff.sessions_valid_after
    mfa.admin_reset(session, actor(admin), staff.id)
    assert staff.totp_secret is None and staff.sessions_valid_after > before
    row = session.exec(select(AuditEvent)).one()
    assert (row.actor_id, row.record_kind, row.subject_id) == (admin.id, "account", staff.id)
    with pytest.raises(AccessDenied):
        mfa.admin_reset(session, actor(users.therapist()), staff.id)


def test_clients_can_turn_it_on_and_off_staff_cannot_turn_it_off(session, users):
    client = users.client(users.therapist())
    secret = mfa.new_secret()
    mfa.confirm_enrolment(session, actor(client), secret, pyotp.TOTP(secret).now())
    assert mfa.required(session.get(User, client.id))
    with pytest.raises(InvalidInput):
        mfa.turn_off(session, actor(client), "000000")
    mfa.turn_off(session, actor(client), pyotp.TOTP(secret).at(pyotp.TOTP(secret).timecode(
        __import__("companion.core.timeutil", fromlist=["utcnow"]).utcnow()) * 30 + 30))
    assert client.totp_secret is None
    with pytest.raises(InvalidInput, match="always"):
        mfa.turn_off(session, actor(users.therapist()), "123456")


def test_wrong_codes_count_even_when_the_change_they_were_for_is_refused(db_url, users,
                                                                       session):
    """Turning two-step sign-in off with a wrong code rolls the change back; the failed try
    must still count, or guessing through that form would never pause."""
    from datetime import timedelta

    from companion.core.db import session_scope
    from companion.core.timeutil import utcnow

    client = users.client(users.therapist())
    secret = mfa.new_secret()
    mfa.confirm_enrolment(session, actor(client), secret, pyotp.TOTP(secret).now())
    session.commit()
    for _ in range(5):
        with pytest.raises(InvalidInput), session_scope() as s:
            mfa.turn_off(s, actor(client), "000000")
    next_code = pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30))
    with session_scope() as s:
        assert mfa.verify(s, client.id, next_code).outcome is Outcome.LOCKED
