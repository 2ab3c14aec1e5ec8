"""Second factor: time-based one-time passwords (TOTP, RFC 6238) and recovery codes.

Staff must enrol and give a code at every sign-in. A re-login cookie spares them the code only
if it was issued right after a verified code, and only within `second_factor_trust_hours` of it
(`auth.cookie_passed_second_factor`); any other cookie asks again. Clients and alumni may turn
it on. Everything happens on the clinic's machines: the QR code is drawn here, no e-mail or SMS
service is used. A code is accepted once (the newest
accepted time step is kept), and failures count toward the same 15-minute pause as passwords.
"""
from __future__ import annotations

import hashlib
import io
import secrets

import pyotp
import segno
import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, delete, select

from companion.i18n import _
from companion import audit, auth
from companion.access import require_current, require_role
from companion.actors import Actor
from companion.clinic import get_clinic
from companion.core.errors import InvalidInput, NotFound
from companion.models import STAFF_ROLES, RecoveryCode, Role, User
from companion.core.timeutil import utcnow

RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def required(user: User) -> bool:
    """Staff always; anyone who turned it on."""
    return user.role in STAFF_ROLES or user.totp_secret is not None


def enrolled(user: User) -> bool:
    return user.totp_secret is not None


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username,
                                               issuer_name=get_clinic().name[:40])


def qr_png(uri: str) -> bytes:
    """The enrolment QR code as a PNG, drawn here (nothing leaves the clinic's machines)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="png", scale=6, border=2)
    return out.getvalue()


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").encode()).hexdigest()


def _recovery_codes() -> list[str]:
    return ["-".join("".join(secrets.choice(_ALPHABET) for _ in range(5)) for _ in range(2))
            for _ in range(RECOVERY_CODES)]


def _step_ok(user: User, code: str) -> int | None:
    """The time step `code` belongs to (±1 step for clock drift), if newer than the last used."""
    totp = pyotp.TOTP(user.totp_secret)
    now = utcnow()
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return None
    for drift in (-1, 0, 1):
        step = totp.timecode(now) + drift
        if step > user.totp_last_step and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def confirm_enrolment(session: Session, actor: Actor, secret: str, code: str) -> list[str]:
    """Keep the secret once the person proves their app has it; returns recovery codes to show
    once (only their hashes are stored)."""
    require_current(session, actor)
    user = session.get(User, actor.id)
    if user.totp_secret is not None:
        raise InvalidInput(_("Two-step sign-in is already set up for this account."))
    user.totp_secret, user.totp_last_step = secret, 0
    step = _step_ok(user, code)
    if step is None:
        user.totp_secret = None
        raise InvalidInput(_("That code didn't match. Check the time on your phone and try "
                             "the newest code."))
    user.totp_last_step = step
    codes = _recovery_codes()
    session.exec(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.add_all([RecoveryCode(user_id=user.id, code_hash=_hash(c)) for c in codes])
    session.add(user)
    audit.account_event(session, actor, user, "second factor set up (new recovery codes)")
    return codes


def verify(session: Session, user_id: int, code: str) -> auth.LoginResult:
    """Check a sign-in code or an unused recovery code; failures count toward the lockout.

    The try is claimed before the code is compared (`auth.claim_attempt`, which commits the
    session), so parallel attempts get at most `max_failed_logins` comparisons; a code's time
    step and a recovery code are taken with conditional updates, so one code signs in once
    even when sent from several tabs at the same moment."""
    user = session.get(User, user_id)
    if user is None or not user.is_active or user.totp_secret is None:
        return auth.LoginResult(auth.Outcome.WRONG)
    name = f"2fa:{user.username}"
    claim = auth.claim_attempt(session, name)
    if not claim.allowed:
        audit.sign_in(session, user, "code not checked: sign-in paused", passed=False)
        return auth.LoginResult(auth.Outcome.LOCKED)
    from companion import passkeys

    codes_off = passkeys.code_refused(session, user)  # the clinic asks for the passkey
    step = None if codes_off else _step_ok(user, code)
    taken = step is not None and _take_step(session, user, step)
    if taken:
        how = "second factor passed with a code"
    elif _take_recovery(session, user, code):
        how = "second factor passed with a recovery code"
    else:
        audit.sign_in(session, user, "wrong second-factor code" + (
            " (app codes off: the clinic asks staff for a passkey)" if codes_off else "") + (
            ", sign-in now paused" if claim.last else ""), passed=False)
        return auth.LoginResult(auth.Outcome.LOCKED if claim.last else auth.Outcome.WRONG)
    auth.clear_failures(session, name)
    audit.sign_in(session, user, how, passed=True)
    return auth.LoginResult(auth.Outcome.OK, user)


def _take_step(session: Session, user: User, step: int) -> bool:
    """Record `step` as used unless it (or a newer one) already is: true if this call did."""
    users = User.__table__
    taken = session.execute(sa.update(users).where(
        users.c.id == user.id, users.c.totp_last_step < step).values(totp_last_step=step))
    if taken.rowcount != 1:
        return False
    set_committed_value(user, "totp_last_step", step)
    return True


def _take_recovery(session: Session, user: User, code: str) -> bool:
    """Mark the matching unused recovery code used: true if this call did."""
    codes = RecoveryCode.__table__
    taken = session.execute(sa.update(codes).where(
        codes.c.user_id == user.id, codes.c.used_at.is_(None),
        codes.c.code_hash == _hash(code or "")).values(used_at=utcnow()))
    return taken.rowcount >= 1


def recovery_codes_left(session: Session, user_id: int) -> int:
    stmt = select(RecoveryCode.id).where(RecoveryCode.user_id == user_id,
                                         col(RecoveryCode.used_at).is_(None))
    return len(session.exec(stmt).all())


def turn_off(session: Session, actor: Actor, code: str) -> None:
    """Clients and alumni may turn it off again (with a current code); staff may not."""
    require_current(session, actor, lock=False)  # `verify` commits: locked again below
    user = session.get(User, actor.id)
    if user.role in STAFF_ROLES:
        raise InvalidInput(_("Staff accounts always use two-step sign-in."))
    if user.totp_secret is None:
        return
    if verify(session, user.id, code).outcome is not auth.Outcome.OK:
        raise InvalidInput(_("That code didn't match, so two-step sign-in stays on."))
    require_current(session, actor)
    user.totp_secret, user.totp_last_step = None, 0
    session.exec(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.add(user)
    audit.account_event(session, actor, user, "second factor turned off")


def admin_reset(session: Session, actor: Actor, user_id: int) -> None:
    """For a lost phone: the person enrols again at their next sign-in. Audited as an account
    action on them (staff too), and shown to them on the set-up page that follows."""
    require_role(session, actor, Role.ADMIN)
    require_current(session, actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such account.")
    user.totp_secret, user.totp_last_step = None, 0
    user.sessions_valid_after = utcnow()
    session.exec(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.add(user)
    audit.account_event(session, actor, user, "second factor reset (every session ended)")
    from companion import passkeys

    count = passkeys.revoke_all(session, user.id, "second factor reset by an admin")
    if count:
        audit.account_event(session, actor, user, f"passkeys revoked ({count}): second "
                            "factor reset by an admin")
