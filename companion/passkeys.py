"""Passkeys (WebAuthn, with the kept `webauthn` library): a client's or alumnus's way to sign
in without the password, and a staff member's second factor beside the authenticator app.

Rules, all here (the routes in companion/web/passkey_routes.py only carry JSON):
- A ceremony's challenge is a database row (`WebAuthnChallenge`), so any replica can finish
  what another began. It is single-use (deleted by the call that finishes it, and that delete
  is committed before the response is checked, so a failed try burns it too), expires after
  `CHALLENGE_LIFETIME`, and is bound to its purpose; to register or as a second factor also
  to the signed-in account and its browser session.
- The relying party id and the accepted origins come from the settings (the clinic's host;
  `localhost` for a local run). User verification (fingerprint, face or the phone's PIN) is
  required every time.
- Each use must raise the stored sign count when the authenticator keeps one (a count going
  back means a copied key: refused and audited), and a passkey's backup eligibility may not
  change over its life; its backup state is kept.
- A removed passkey is revoked, not deleted (`revoked_at`), and never signs in again; so are
  all of an account's passkeys when it is deactivated or reset by an admin
  (`revoke_all`). Adding, using (or trying), and removing one are all audited.
- Failed passkey sign-ins count toward a 15-minute pause of their own ("passkey:<name>", like
  the authenticator codes' "2fa:<name>"), so a password lockout by someone else does not
  lock the owner out of their passkey, and the reverse.
- Only clients and alumni sign in with a passkey alone; a staff member's passkey is only ever
  a second factor, after the password.
- An admin may require passkeys for staff (a clinic setting): then a staff member who has one
  cannot pass the second step with an authenticator-app code (a recovery code still works,
  for a lost phone; an admin's reset revokes the passkeys). A staff member without one yet
  passes the second step with their code and must then add one before anything else: the
  sign-in gate opens only the "Add a passkey" page, and every staff service refuses them
  until then (`access.require_sign_in_complete`). Adding it that way is audited as required
  by the rule. An admin turns the rule on only once they have a passkey themself (or they
  would shut themself out of the People page), and can turn it off for someone whose device
  can't make one. Under the rule a staff member cannot remove their last passkey.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select
from webauthn import (base64url_to_bytes, generate_authentication_options,
                      generate_registration_options, options_to_json,
                      verify_authentication_response, verify_registration_response)
from webauthn.helpers import bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (AttestationConveyancePreference,
                                      AuthenticatorSelectionCriteria, AuthenticatorTransport,
                                      CredentialDeviceType, PublicKeyCredentialDescriptor,
                                      ResidentKeyRequirement, UserVerificationRequirement)

from companion import audit, auth
from companion.access import (STAFF_PASSKEY_RULE, forget_passkey_check, passkey_pending,
                              require_current, require_role)
from companion.actors import Actor
from companion.core.config import Settings, get_settings
from companion.core.errors import AccessDenied, InvalidInput, NotFound
from companion.core.timeutil import utcnow
from companion.i18n import N_, ngettext
from companion.models import (CLIENT_ROLES, STAFF_ROLES, PasskeyCredential, Role, Setting,
                              User, WebAuthnChallenge)

REGISTER, SIGN_IN, SECOND_FACTOR = "register", "sign_in", "second_factor"
CHALLENGE_LIFETIME = timedelta(minutes=5)
TIMEOUT_MS = 120_000  # what the browser is told; the server's own limit is the one above
MAX_PASSKEYS = 10
MAX_RESPONSE_CHARS = 64_000
_CHALLENGES = WebAuthnChallenge.__table__
_CREDENTIALS = PasskeyCredential.__table__


@dataclass(frozen=True)
class RelyingParty:
    id: str
    origins: tuple[str, ...]
    name: str = "IOP Companion"


def relying_party(settings: Settings | None = None) -> RelyingParty:
    settings = settings or get_settings()
    return RelyingParty(settings.passkey_rp_id, settings.passkey_expected_origins)


@dataclass(frozen=True)
class Ceremony:
    """What the browser needs to start: the challenge's handle and the options (JSON)."""

    handle: str
    options: dict


def _new_challenge(session: Session, purpose: str, challenge: bytes, now: datetime,
                   user_id: int | None = None, session_id: str | None = None,
                   user_handle: str | None = None) -> str:
    prune_challenges(session, now)
    row = WebAuthnChallenge(id=secrets.token_urlsafe(24),
                            challenge=bytes_to_base64url(challenge),
                            purpose=purpose, user_id=user_id, session_id=session_id,
                            user_handle=user_handle, created_at=now,
                            expires_at=now + CHALLENGE_LIFETIME)
    session.add(row)
    session.flush()
    return row.id


def prune_challenges(session: Session, now: datetime | None = None) -> None:
    """Forget ceremonies that can no longer finish."""
    session.execute(sa.delete(_CHALLENGES).where(_CHALLENGES.c.expires_at <= (now or utcnow())))


def _take_challenge(session: Session, handle: Any, purpose: str, now: datetime,
                    user_id: int | None = None, session_id: str | None = None
                    ) -> WebAuthnChallenge | None:
    """The challenge of a ceremony still open for this purpose (and account and session), or
    None. Whatever the answer, the row is gone, and that is COMMITTED: a challenge is tried
    once, and two requests racing for it get one winner (the delete that took the row)."""
    if not isinstance(handle, str) or not 0 < len(handle) <= 48:
        return None
    row = session.get(WebAuthnChallenge, handle, populate_existing=True)
    taken = row is not None and session.execute(
        sa.delete(_CHALLENGES).where(_CHALLENGES.c.id == handle)).rowcount == 1
    if row is not None:
        session.expunge(row)
    session.commit()
    if not taken:
        return None
    if (row.purpose != purpose or row.expires_at <= now
            or (user_id is not None and row.user_id != user_id)
            or (session_id is not None and row.session_id != session_id)):
        return None
    return row


def _parse(response: str | dict) -> dict:
    if isinstance(response, str):
        if len(response) > MAX_RESPONSE_CHARS:
            raise InvalidInput(N_("That passkey answer is too long."))
        try:
            response = json.loads(response)
        except ValueError:
            raise InvalidInput(N_("That passkey answer could not be read.")) from None
    if not isinstance(response, dict):
        raise InvalidInput(N_("That passkey answer could not be read."))
    return response


def _active(session: Session, user_id: int) -> list[PasskeyCredential]:
    return list(session.exec(select(PasskeyCredential).where(
        PasskeyCredential.user_id == user_id, PasskeyCredential.revoked_at.is_(None))
        .order_by(PasskeyCredential.created_at, PasskeyCredential.id)).all())


def _descriptor(credential: PasskeyCredential) -> PublicKeyCredentialDescriptor:
    transports = []
    for name in filter(None, credential.transports.split(",")):
        try:
            transports.append(AuthenticatorTransport(name))
        except ValueError:
            continue
    return PublicKeyCredentialDescriptor(id=base64url_to_bytes(credential.credential_id),
                                         transports=transports or None)


def _user_handle(session: Session, user: User) -> str:
    """The account's WebAuthn user handle: random (nothing about the person), one per
    account, so a phone keeps one passkey per account however often it registers."""
    known = session.exec(select(PasskeyCredential.user_handle).where(
        PasskeyCredential.user_id == user.id).limit(1)).first()
    return known or bytes_to_base64url(secrets.token_bytes(32))


def _clean_label(label: str, now: datetime) -> str:
    text = " ".join("".join(ch for ch in str(label or "") if ch.isprintable()).split())[:80]
    return text or f"Passkey added {now:%d %b %Y}"


# Registering ------------------------------------------------------------------------------

def begin_registration(session: Session, actor: Actor, *, rp: RelyingParty | None = None,
                       now: datetime | None = None) -> Ceremony:
    """Options to make a passkey for the signed-in `actor` (the page that calls this has
    checked the sign-in is complete: password, second factor, notice)."""
    rp, now = rp or relying_party(), now or utcnow()
    require_current(session, actor)
    user = session.get(User, actor.id)
    existing = _active(session, user.id)
    if len(existing) >= MAX_PASSKEYS:
        raise InvalidInput(ngettext("You have {count} passkey already: remove it first.",
                                    "You have {count} passkeys already: remove one first.",
                                    MAX_PASSKEYS).format(count=MAX_PASSKEYS))
    challenge, user_handle = secrets.token_bytes(32), _user_handle(session, user)
    options = generate_registration_options(
        rp_id=rp.id, rp_name=rp.name, user_name=user.username,
        user_id=base64url_to_bytes(user_handle),
        user_display_name=user.display_name, challenge=challenge, timeout=TIMEOUT_MS,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED),
        exclude_credentials=[_descriptor(c) for c in existing])
    handle = _new_challenge(session, REGISTER, challenge, now, user.id, actor.session_id,
                            user_handle)
    return Ceremony(handle, json.loads(options_to_json(options)))


def finish_registration(session: Session, actor: Actor, handle: str, response: str | dict,
                        label: str = "", *, rp: RelyingParty | None = None,
                        now: datetime | None = None) -> PasskeyCredential:
    """Keep the passkey the browser made, once verified. COMMITS the session first (the
    challenge is used up whatever follows)."""
    rp, now = rp or relying_party(), now or utcnow()
    require_current(session, actor, lock=False)
    data = _parse(response)
    taken = _take_challenge(session, handle, REGISTER, now, actor.id, actor.session_id)
    if taken is None:
        raise InvalidInput(N_("That passkey request has expired. Please try again."))
    try:
        verified = verify_registration_response(
            credential=data, expected_challenge=base64url_to_bytes(taken.challenge),
            expected_rp_id=rp.id, expected_origin=list(rp.origins),
            require_user_verification=True)
    except WebAuthnException as exc:
        raise InvalidInput(N_("That passkey could not be checked, so it was not added.")) from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    require_current(session, actor)
    user = session.get(User, actor.id)
    required = passkey_pending(session, actor)
    if session.exec(select(PasskeyCredential.id).where(
            PasskeyCredential.credential_id == credential_id)).first() is not None:
        raise InvalidInput(N_("That passkey is already registered."))
    transports = (data.get("response") or {}).get("transports") or []
    row = PasskeyCredential(
        user_id=user.id, credential_id=credential_id,
        public_key=verified.credential_public_key, user_handle=taken.user_handle,
        sign_count=verified.sign_count,
        multi_device=verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE,
        backed_up=verified.credential_backed_up,
        transports=",".join(str(t) for t in transports if isinstance(t, str))[:200],
        label=_clean_label(label, now), created_at=now)
    session.add(row)
    session.flush()
    forget_passkey_check(session)
    audit.account_event(session, actor, user, f"passkey added ({row.label})"
                        + (", required by the clinic's rule for staff before any staff page"
                           if required else ""))
    return row


# Using one --------------------------------------------------------------------------------

def begin_sign_in(session: Session, *, rp: RelyingParty | None = None,
                  now: datetime | None = None) -> Ceremony:
    """Options for a sign-in with any passkey this phone holds for the clinic (no name
    typed: the passkey says whose it is)."""
    rp, now = rp or relying_party(), now or utcnow()
    challenge = secrets.token_bytes(32)
    options = generate_authentication_options(
        rp_id=rp.id, challenge=challenge, timeout=TIMEOUT_MS, allow_credentials=[],
        user_verification=UserVerificationRequirement.REQUIRED)
    return Ceremony(_new_challenge(session, SIGN_IN, challenge, now),
                    json.loads(options_to_json(options)))


def begin_second_factor(session: Session, user_id: int, session_id: str | None, *,
                        rp: RelyingParty | None = None, now: datetime | None = None
                        ) -> Ceremony:
    """Options for the second step of a signed-in (password passed) account's session."""
    rp, now = rp or relying_party(), now or utcnow()
    existing = _active(session, user_id)
    if not existing:
        raise NotFound(N_("This account has no passkey yet."))
    challenge = secrets.token_bytes(32)
    options = generate_authentication_options(
        rp_id=rp.id, challenge=challenge, timeout=TIMEOUT_MS,
        allow_credentials=[_descriptor(c) for c in existing],
        user_verification=UserVerificationRequirement.REQUIRED)
    return Ceremony(_new_challenge(session, SECOND_FACTOR, challenge, now, user_id, session_id),
                    json.loads(options_to_json(options)))


REFUSED = N_("That passkey didn't work here. Please try again, or sign in with your "
             "password.")
STAFF_USE_PASSWORD = N_("Staff accounts sign in with their password first; a passkey is their "
                        "second step.")
EXPIRED = N_("That took a little too long. Please try again.")


@dataclass(frozen=True)
class PasskeyResult:
    outcome: auth.Outcome
    user: User | None = None
    message: str = ""


def _refuse(session: Session, user: User | None, why: str, message: str = REFUSED,
            outcome: auth.Outcome = auth.Outcome.WRONG) -> PasskeyResult:
    audit.sign_in(session, user, why, passed=False)
    return PasskeyResult(outcome, None, message)


def finish_sign_in(session: Session, handle: str, response: str | dict, *,
                   rp: RelyingParty | None = None, now: datetime | None = None
                   ) -> PasskeyResult:
    """Check a passkey sign-in; the user on success. COMMITS the session (the challenge and
    the try are counted whatever follows)."""
    return _finish_use(session, SIGN_IN, handle, response, rp=rp, now=now)


def finish_second_factor(session: Session, user_id: int, session_id: str | None, handle: str,
                         response: str | dict, *, rp: RelyingParty | None = None,
                         now: datetime | None = None) -> PasskeyResult:
    """Check a passkey as the second step of `user_id`'s session `session_id`."""
    return _finish_use(session, SECOND_FACTOR, handle, response, rp=rp, now=now,
                       user_id=user_id, session_id=session_id)


def _finish_use(session: Session, purpose: str, handle: str, response: str | dict, *,
                rp: RelyingParty | None, now: datetime | None, user_id: int | None = None,
                session_id: str | None = None) -> PasskeyResult:
    rp, now = rp or relying_party(), now or utcnow()
    step = "sign-in" if purpose == SIGN_IN else "second factor"
    taken = _take_challenge(session, handle, purpose, now, user_id, session_id)
    try:
        data = _parse(response)
        parsed = parse_authentication_credential_json(data)
    except (InvalidInput, WebAuthnException):
        return _refuse(session, None, f"passkey {step}: answer could not be read")
    if taken is None:
        return _refuse(session, None, f"passkey {step}: challenge expired, used or not "
                       "this one's", EXPIRED)
    credential = session.exec(select(PasskeyCredential).where(
        PasskeyCredential.credential_id == bytes_to_base64url(parsed.raw_id))).first()
    user = session.get(User, credential.user_id) if credential is not None else None
    if credential is None:
        return _refuse(session, None, f"passkey {step}: passkey not known")
    if credential.revoked_at is not None:
        return _refuse(session, user, f"passkey {step}: removed passkey tried")
    if user is None or not user.is_active:
        return _refuse(session, user, f"passkey {step}: account deactivated")
    if purpose == SIGN_IN and user.role not in CLIENT_ROLES:
        return _refuse(session, user, "passkey sign-in: staff passkey (second factor only)",
                       STAFF_USE_PASSWORD)
    if purpose == SECOND_FACTOR and user.id != user_id:
        return _refuse(session, user, "passkey second factor: another account's passkey")
    handle_given = parsed.response.user_handle
    if handle_given and bytes_to_base64url(handle_given) != credential.user_handle:
        return _refuse(session, user, f"passkey {step}: user handle does not match")
    name = f"passkey:{user.username}"
    claim = auth.claim_attempt(session, name)  # commits
    if not claim.allowed:
        return _refuse(session, user, f"passkey {step} not checked: paused",
                       auth.LOCKED, auth.Outcome.LOCKED)
    credential = session.get(PasskeyCredential, credential.id, populate_existing=True)
    try:
        verified = verify_authentication_response(
            credential=parsed, expected_challenge=base64url_to_bytes(taken.challenge),
            expected_rp_id=rp.id, expected_origin=list(rp.origins),
            credential_public_key=credential.public_key,
            credential_current_sign_count=credential.sign_count,
            require_user_verification=True)
    except WebAuthnException as exc:
        why = ("sign count went back (a copied passkey?)" if "sign count" in str(exc).lower()
               else "check failed")
        return _refuse(session, user, f"passkey {step}: {why}"
                       + (", now paused" if claim.last else ""),
                       auth.LOCKED if claim.last else REFUSED,
                       auth.Outcome.LOCKED if claim.last else auth.Outcome.WRONG)
    multi = verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE
    if multi != credential.multi_device:
        return _refuse(session, user, f"passkey {step}: backup eligibility changed")
    updated = session.execute(sa.update(_CREDENTIALS).where(
        _CREDENTIALS.c.id == credential.id, _CREDENTIALS.c.revoked_at.is_(None),
        _CREDENTIALS.c.sign_count == credential.sign_count).values(
        sign_count=verified.new_sign_count, backed_up=verified.credential_backed_up,
        last_used_at=now))
    if updated.rowcount != 1:  # removed or used elsewhere in the meantime
        return _refuse(session, user, f"passkey {step}: changed while being checked")
    auth.clear_failures(session, name)
    if purpose == SIGN_IN:
        auth.clear_failures(session, user.username)
        if auth.idle_expired(user):  # as after a password: older cookies end
            auth.end_sessions(session, user.id)
    audit.sign_in(session, user, "signed in with a passkey" if purpose == SIGN_IN
                  else "second factor passed with a passkey", passed=True)
    return PasskeyResult(auth.Outcome.OK, user)


# Listing and removing ---------------------------------------------------------------------

def own_passkeys(session: Session, actor: Actor) -> list[PasskeyCredential]:
    return _active(session, actor.id)


def has_passkey(session: Session, user_id: int) -> bool:
    return bool(_active(session, user_id))


def remove(session: Session, actor: Actor, passkey_id: int) -> None:
    """Remove one of one's own passkeys (revoked: it never signs in again)."""
    require_current(session, actor)
    row = session.get(PasskeyCredential, passkey_id)
    if row is None or row.user_id != actor.id or row.revoked_at is not None:
        raise NotFound(N_("That passkey is not on your account."))
    if len(_active(session, actor.id)) == 1:
        _keep_the_last(session, actor)
    row.revoked_at, row.revoke_reason = utcnow(), "removed by the account holder"
    session.add(row)
    forget_passkey_check(session)
    audit.account_event(session, actor, session.get(User, actor.id),
                        f"passkey removed ({row.label})")


LAST_ONE_KEPT = N_("Your clinic asks staff to sign in with a passkey, so your last one stays. "
                   "Add another first, then remove this one.")


def _keep_the_last(session: Session, actor: Actor) -> None:
    if actor.is_staff and staff_passkeys_required(session):
        raise InvalidInput(LAST_ONE_KEPT)


def remove_all(session: Session, actor: Actor) -> int:
    """Remove every passkey of one's own account (not a staff member's, under the rule)."""
    require_current(session, actor)
    if _active(session, actor.id):
        _keep_the_last(session, actor)
    count = revoke_all(session, actor.id, "all removed by the account holder")
    forget_passkey_check(session)
    if count:
        audit.account_event(session, actor, session.get(User, actor.id),
                            f"all passkeys removed ({count})")
    return count


def revoke_all(session: Session, user_id: int, reason: str) -> int:
    """Revoke every passkey of an account (deactivation, admin reset): the caller audits
    the account action this is part of. Returns how many were standing."""
    count = session.execute(sa.update(_CREDENTIALS).where(
        _CREDENTIALS.c.user_id == user_id, _CREDENTIALS.c.revoked_at.is_(None)).values(
        revoked_at=utcnow(), revoke_reason=reason[:64])).rowcount
    forget_passkey_check(session)
    return count


# The clinic's rule for staff ---------------------------------------------------------------

STAFF_RULE_KEY = STAFF_PASSKEY_RULE
OWN_PASSKEY_FIRST = N_("Add a passkey for yourself first (My account, under Passkeys): the rule "
                       "applies to admins too, so without one the People page would close to "
                       "you.")


def staff_passkeys_required(session: Session) -> bool:
    setting = session.get(Setting, STAFF_RULE_KEY)
    return setting is not None and setting.value == "yes"


def set_staff_passkeys_required(session: Session, actor: Actor, required: bool) -> None:
    """An admin's choice: staff give a passkey (not a code) for the second step, and a staff
    member without one adds one before anything else. Turned on only by an admin who has a
    passkey (the rule applies to them too). Turned off by any admin, one the rule holds too
    (from the command line, when no admin can reach the People page)."""
    if required:
        require_role(session, actor, Role.ADMIN)
    elif actor.role != Role.ADMIN:
        raise AccessDenied("That is not available to your account.")
    require_current(session, actor)
    setting = session.get(Setting, STAFF_RULE_KEY) or Setting(key=STAFF_RULE_KEY)
    value = "yes" if required else ""
    if setting.value == value:
        return
    if required and not has_passkey(session, actor.id):
        raise InvalidInput(OWN_PASSKEY_FIRST)
    setting.value, setting.updated_at = value, utcnow()
    session.add(setting)
    forget_passkey_check(session)
    audit.record(session, actor, "write", audit.ACCOUNT, None,
                 "staff must use a passkey for the second step" if required
                 else "staff may use a passkey or an authenticator code")


def code_refused(session: Session, user: User) -> bool:
    """Under the clinic's rule, this staff member gives their passkey, not an app code."""
    return (user.role in STAFF_ROLES and staff_passkeys_required(session)
            and has_passkey(session, user.id))


def passkey_wanted(session: Session, user: User) -> bool:
    """Under the clinic's rule, this staff member must add a passkey before anything else
    (`access.passkey_pending`, as the gate and every staff service ask it)."""
    return (user.role in STAFF_ROLES and staff_passkeys_required(session)
            and not has_passkey(session, user.id))


def note_held(session: Session, actor: Actor) -> None:
    """The sign-in gate held this staff member at "Add a passkey" (the page notes it once a
    browser session): the trail shows who was asked, and when they added one."""
    if not passkey_pending(session, actor):
        return
    audit.account_event(session, actor, session.get(User, actor.id),
                        "asked to add a passkey before any staff page (the clinic's rule)")
