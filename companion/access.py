"""Who may read or change which client's records: the one place that decides.

Every service calls `authorize` before touching a client's record. A denial raises
`AccessDenied` and writes nothing; an allowed staff access is written to the audit trail.
Every change also re-checks the acting session in its own transaction (`require_current`,
which `authorize(..., Action.WRITE)` calls): widget callbacks run before the page's login
gate, with the actor of the page's previous run.

Under the clinic's passkey rule for staff, a staff member with no passkey yet gets nothing
of the staff side (`require_sign_in_complete`, called by `authorize`, `assigned_client_ids`
and `require_role`) until they add one: the sign-in gate sends them to do that first, and a
page that ran anyway would be refused here.
"""
from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session, select

from companion import audit, auth, run_context
from companion.actors import Actor
from companion.core.errors import AccessDenied
from companion.i18n import N_
from companion.models import (CLIENT_ROLES, Enrolment, PasskeyCredential, Role, Setting, User,
                              UserSession)


class RecordKind(StrEnum):
    PROFILE = "profile"              # enrolment: therapist, track, location, discharge
    CHECKIN = "checkin"
    CRAVING = "craving"
    SAFETY_PLAN = "safety_plan"
    MEASURE = "measure"              # PHQ-9, GAD-7, BAM answers and scores
    AFTERCARE_PLAN = "aftercare_plan"
    AFTERCARE_REVIEW = "aftercare_review"  # a therapist's comments and decision
    SKILL_PRACTICE = "skill_practice"
    SKILL_ASSIGNMENT = "skill_assignment"  # a module a therapist asks a client to work on
    ATTENDANCE = "attendance"
    RSVP = "rsvp"                    # a client's answer for a group session (groups)
    FLAG = "flag"
    THERAPY_SESSION = "therapy_session"  # that an individual, family or group session was held


class Action(StrEnum):
    READ = "read"
    WRITE = "write"


R, W = frozenset({Action.READ}), frozenset({Action.READ, Action.WRITE})
_CLIENT_OWNED = (RecordKind.CHECKIN, RecordKind.CRAVING, RecordKind.SAFETY_PLAN,
                 RecordKind.MEASURE, RecordKind.AFTERCARE_PLAN, RecordKind.SKILL_PRACTICE,
                 RecordKind.RSVP)

# (role, kind) -> {relation: actions}. Relation: "own" (the client themself), "assigned"
# (the client's therapist), "any" (any client of the clinic). Absent means no access.
_OWN_RULES = {RecordKind.PROFILE: R, RecordKind.AFTERCARE_REVIEW: R, RecordKind.ATTENDANCE: R,
              RecordKind.SKILL_ASSIGNMENT: R, RecordKind.THERAPY_SESSION: R,
              **{kind: W for kind in _CLIENT_OWNED}}
RULES: dict[tuple[Role, RecordKind], dict[str, frozenset[Action]]] = {
    **{(Role.CLIENT, kind): {"own": acts} for kind, acts in _OWN_RULES.items()},
    **{(Role.ALUMNI, kind): {"own": acts} for kind, acts in _OWN_RULES.items()},
    **{(Role.THERAPIST, kind): {"assigned": R} for kind in (RecordKind.PROFILE, *_CLIENT_OWNED)},
    **{(Role.THERAPIST, kind): {"assigned": W} for kind in
       (RecordKind.AFTERCARE_REVIEW, RecordKind.ATTENDANCE, RecordKind.FLAG,
        RecordKind.SKILL_ASSIGNMENT, RecordKind.THERAPY_SESSION)},
    (Role.ADMIN, RecordKind.PROFILE): {"any": W},
}
# The alumni coordinator (a therapist an admin names) reviews alumni's aftercare plans.
for _kind, _acts in ((RecordKind.PROFILE, R), (RecordKind.AFTERCARE_PLAN, R),
                     (RecordKind.AFTERCARE_REVIEW, W)):
    RULES[(Role.THERAPIST, _kind)] = {**RULES[(Role.THERAPIST, _kind)], "coordinator": _acts}

DENIED = "You don't have access to that record."


def _relations(session: Session, actor: Actor, client_id: int) -> set[str]:
    client = run_context.user(session, client_id)  # the signed-in person's: loaded this run
    if client is None or client.role not in CLIENT_ROLES:
        return set()
    relations = {"any"}
    if actor.id == client_id:
        relations.add("own")
    if actor.role == Role.THERAPIST:
        enrolment = session.get(Enrolment, client_id)
        if enrolment is not None and enrolment.therapist_id == actor.id:
            relations.add("assigned")
        if client.role == Role.ALUMNI:
            coordinator = session.get(Setting, "alumni_coordinator_id")
            if coordinator is not None and coordinator.value == str(actor.id):
                relations.add("coordinator")
    return relations


def allowed(session: Session, actor: Actor, client_id: int, kind: RecordKind,
            action: Action = Action.READ) -> bool:
    rule = RULES.get((actor.role, kind), {})
    if not rule:
        return False
    return any(action in rule.get(rel, ()) for rel in _relations(session, actor, client_id))


def authorize(session: Session, actor: Actor, client_id: int, kind: RecordKind,
              action: Action = Action.READ, detail: str = "") -> None:
    """Raise `AccessDenied` unless allowed; audit every allowed staff access. A refusal changes
    nothing, and is itself written to the audit trail once the caller's transaction has been
    rolled back (see `db.session_scope`). A change (`Action.WRITE`) is refused first of all
    when the acting session has ended (`require_current`); any staff access while the
    clinic's passkey rule still waits for this staff member's passkey
    (`require_sign_in_complete`)."""
    if action is Action.WRITE:
        require_current(session, actor)
    require_sign_in_complete(session, actor)
    if not allowed(session, actor, client_id, kind, action):
        target = session.get(User, client_id)
        session.info.setdefault(audit.DENIED, []).append(
            dict(actor=actor, action=f"denied {action.value}", record_kind=kind.value,
                 client_id=client_id if target and target.role in CLIENT_ROLES else None))
        raise AccessDenied(DENIED)
    if actor.is_staff:
        audit.record(session, actor, action.value, kind.value, client_id, detail)


def assigned_client_ids(session: Session, actor: Actor) -> list[int]:
    """The clients a therapist may see (their caseload, alumni included)."""
    if actor.role != Role.THERAPIST:
        raise AccessDenied("Only therapists have a caseload.")
    require_sign_in_complete(session, actor)
    stmt = select(Enrolment.client_id).where(Enrolment.therapist_id == actor.id)
    return list(session.exec(stmt))


def require_role(session: Session, actor: Actor, *roles: Role) -> None:
    """Refuse unless `actor` has one of `roles` and (staff) has passed every sign-in step the
    clinic asks of them (`require_sign_in_complete`)."""
    if actor.role not in roles:
        raise AccessDenied("That is not available to your account.")
    require_sign_in_complete(session, actor)


# The clinic's passkey rule for staff ------------------------------------------------------

STAFF_PASSKEY_RULE = run_context.STAFF_PASSKEY_RULE  # a Setting: "yes" when the rule is on
PASSKEY_FIRST = N_("Please add a passkey first: your clinic asks staff to sign in with one "
                   "before the staff pages open.")
_PASSKEY_CHECKED = "passkey_rule_checked"  # session.info: (transaction, actor id, answer)


def passkey_pending(session: Session, actor: Actor) -> bool:
    """Whether `actor` is a staff member the clinic's rule asks for a passkey who has none
    yet. Clients and alumni never are. The signed-in person's answer is loaded with their row
    at the gate (`run_context`: no statement of its own); otherwise asked once a
    transaction."""
    if not actor.is_staff:
        return False
    ctx = run_context.current()
    if ctx is not None and ctx.user is not None and ctx.user.id == actor.id \
            and ctx.passkey_pending is not None:
        return ctx.passkey_pending
    checked = session.info.get(_PASSKEY_CHECKED)
    if checked is not None and checked[:2] == (session.get_transaction(), actor.id):
        return checked[2]
    rule = session.exec(select(Setting.value).where(Setting.key == STAFF_PASSKEY_RULE)).first()
    pending = rule == "yes" and session.exec(select(PasskeyCredential.id).where(
        PasskeyCredential.user_id == actor.id, PasskeyCredential.revoked_at.is_(None))
        .limit(1)).first() is None
    session.info[_PASSKEY_CHECKED] = (session.get_transaction(), actor.id, pending)
    return pending


def forget_passkey_check(session: Session) -> None:
    """After adding or removing a passkey, or changing the rule: ask again."""
    session.info.pop(_PASSKEY_CHECKED, None)
    ctx = run_context.current()
    if ctx is not None:
        ctx.passkey_pending = None


def require_sign_in_complete(session: Session, actor: Actor) -> None:
    """Refuse a staff member's reads and changes while the clinic's passkey rule waits for
    their passkey (`passkey_pending`). The refusal is written to the audit trail once the
    caller's transaction has been rolled back."""
    if not passkey_pending(session, actor):
        return
    session.info.setdefault(audit.DENIED, []).append(
        dict(actor=actor, action="denied read", record_kind="session", client_id=None,
             detail="refused: the clinic's rule asks for a passkey first"))
    raise AccessDenied(PASSKEY_FIRST)


SESSION_ENDED = auth.SESSION_ENDED
_CHECKED = "current_actor_checked"  # session.info: (transaction, actor) already checked


def _locked_account(session: Session, user_id: int) -> User | None:
    """The acting account's row, read in the caller's transaction and held until it ends, so
    a deactivation or sign-out elsewhere lands wholly before this change or after it.
    PostgreSQL: FOR NO KEY UPDATE (waits for a change to the account in progress). SQLite
    starts a transaction only at the first write: a no-op update starts it here and takes
    the database's write lock."""
    users = User.__table__
    stmt = select(User).where(User.id == user_id).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sa.update(users).where(users.c.id == user_id)
                        .values(is_active=users.c.is_active))
    else:
        stmt = stmt.with_for_update(key_share=True)
    return session.exec(stmt).first()


def require_current(session: Session, actor: Actor, *, lock: bool = True) -> None:
    """Refuse a change unless the acting session still stands: the account active, in the
    same role, its sessions not ended since this one signed in, and (a browser session) not
    idle past the limit (`auth.session_ended`). Every service that changes anything calls
    this, directly or through `authorize(..., Action.WRITE)`, before it writes. A refusal
    raises `AccessDenied` (SESSION_ENDED), writes nothing, and is written to the audit trail
    once the caller's transaction has been rolled back. Checked once per transaction.

    `lock=False`: only look (no lock, nothing remembered), to refuse an ended session before
    slow work (bcrypt) that should not run holding the lock; check again before writing."""
    key = (actor.id, actor.role, actor.signed_in_at, actor.active_at, actor.session_id)
    checked = session.info.get(_CHECKED)
    if lock and checked is not None and checked == (session.get_transaction(), key):
        return
    account = (_locked_account(session, actor.id) if lock else
               session.get(User, actor.id, populate_existing=True))
    row = (session.get(UserSession, actor.session_id, populate_existing=True)
           if actor.session_id else None)
    reason = auth.session_ended(account, actor, session_row=row)
    if reason is not None:
        session.info.setdefault(audit.DENIED, []).append(
            dict(actor=actor, action="denied write", record_kind="session", client_id=None,
                 detail=f"refused: {reason}"))
        raise AccessDenied(SESSION_ENDED)
    if lock:
        session.info[_CHECKED] = (session.get_transaction(), key)
