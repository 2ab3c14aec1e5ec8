"""`python -m companion …` (also `companion …`): the operator's commands.

Every command is idempotent and fails with one clear line (exit code 2) on bad input.
"""
from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager

from companion import people
from companion.core.errors import CompanionError
from companion.models import Role


@contextmanager
def _session():
    """A session whose audit rows say they came from the command line."""
    from companion import audit
    from companion.core.db import session_scope

    with session_scope() as session:
        session.info[audit.VIA] = "command line"
        yield session


def cmd_migrate(_args) -> str:
    from companion.core.db import migrate

    migrate()
    return "Database is up to date."


def cmd_check(args) -> str:
    from companion.core.config import ROOT, get_settings
    from companion.core.safety_check import (config_file_options, performance_notes, problems,
                                             repair_at_rest)

    settings = get_settings()
    repaired = repair_at_rest(settings) if args.repair else []
    options = config_file_options(ROOT / ".streamlit" / "config.toml")
    found = problems(options, settings)
    found = found or _stored_key_problems()
    if found:
        raise CompanionError("unsafe settings: " + "; ".join(found))
    notes = performance_notes(options)
    return ("Settings are safe to serve." + (f" Repaired: {'; '.join(repaired)}."
                                             if repaired else "")
            + (f" Note: {'; '.join(notes)}." if notes else ""))


def _stored_key_problems() -> list[str]:
    """Keys that differ from the ones this database was written with (other replicas'):
    checked when the database is reachable and migrated; a replica still starts without it,
    so crisis help is served while the database is down."""
    import sqlalchemy as sa
    from sqlmodel import SQLModel

    from companion import audit, tags
    from companion.core.crypto import stored_text_opens

    try:
        with _session() as session:
            found = [p for p in (tags.key_problem(session), audit.key_problem(session)) if p]
            if stored_text_opens(session.connection(), SQLModel.metadata) is False:
                found.append("ENCRYPTION_KEY (with OLD_ENCRYPTION_KEYS) does not open the text "
                             "stored in this database: set the key the other replicas use")
            return found
    except sa.exc.SQLAlchemyError:
        return []


def cmd_create_user(args) -> str:
    with _session() as session:
        try:
            existing = people.find_user(session, args.username)
        except CompanionError:
            existing = None
        if existing is not None:
            if existing.role != args.role:
                raise CompanionError(f"{existing.username} already exists as {existing.role}.")
            return f"{existing.username} already exists; nothing changed."
        if args.role == Role.ADMIN and not _has_admin(session):
            new = people.bootstrap_admin(session, args.username, args.name or args.username)
        else:
            actor = people.operator_actor(session, args.as_admin)
            therapist_id = people.find_user(session, args.therapist).id if args.therapist else None
            new = people.create_user(session, actor, args.username, args.name or args.username,
                                     Role(args.role), therapist_id=therapist_id,
                                     track=args.track, location=args.location)
    return (f"Created {new.user.role} {new.user.username}. "
            f"One-time password: {new.temporary_password}")


def _has_admin(session) -> bool:
    try:
        people.operator_actor(session)
        return True
    except CompanionError:
        return False


def cmd_assign(args) -> str:
    with _session() as session:
        actor = people.operator_actor(session, args.as_admin)
        client = people.find_user(session, args.username)
        therapist_id = people.find_user(session, args.therapist).id if args.therapist else None
        people.assign(session, actor, client.id, therapist_id=therapist_id, track=args.track,
                      location=args.location)
    return f"Assignment saved for {client.username}."


def cmd_discharge(args) -> str:
    with _session() as session:
        actor = people.operator_actor(session, args.as_admin)
        client = people.find_user(session, args.username)
        people.discharge(session, actor, client.id)
    return f"{client.username} is now alumni."


def cmd_reset_password(args) -> str:
    with _session() as session:
        actor = people.operator_actor(session, args.as_admin)
        user = people.find_user(session, args.username)
        temporary = people.reset_password(session, actor, user.id)
    return f"One-time password for {user.username}: {temporary}"


def cmd_staff_passkeys(args) -> str:
    """The clinic's passkey rule for staff, for an operator: lift it when no admin can reach
    the People page (say, the only admin's device can't make a passkey)."""
    from companion import passkeys

    with _session() as session:
        actor = people.operator_actor(session, args.as_admin)
        passkeys.set_staff_passkeys_required(session, actor, args.rule == "on")
    return ("Staff must now use a passkey." if args.rule == "on"
            else "Staff may use a passkey or an authenticator code.")


def cmd_demo(args) -> str:
    import pyotp

    from companion import demo
    from companion.core.db import migrate

    migrate()  # the demo is meant for a fresh database: make sure it has its tables
    secret = (args.totp_secret or pyotp.random_base32()).strip().upper()
    try:
        pyotp.TOTP(secret).now()
    except Exception as exc:
        raise CompanionError("--totp-secret must be a base32 key (A–Z, 2–7)") from exc
    with _session() as session:
        password = demo.seed(session, args.password, secret)
    return ("Demo clinic ready (all fictional). Accounts: demo-admin, demo-therapist1, "
            "demo-therapist2, demo-client1 … demo-client8, demo-alum1, demo-alum2.\n"
            f"Shared password: {password}\n"
            f"Staff second factor: add this key to an authenticator app: {secret}\n"
            "  (or print the current code with: companion demo-code)")


def cmd_verify_audit(args) -> str:
    from companion import audit

    expected = audit.parse_head(args.expect_head) if args.expect_head else None
    with _session() as session:
        verdict = audit.verify(session, expected)
    if not verdict.ok:
        raise CompanionError(verdict.message)
    return (f"{verdict.message}\nKeep this head apart from the server (e.g. print it); later, "
            f"`companion verify-audit --expect-head {verdict.head}` shows the trail still "
            "runs through it.")


def cmd_demo_code(_args) -> str:
    """The current sign-in code of the demo staff (demo databases only)."""
    import pyotp
    from sqlmodel import select

    from companion.models import User

    with _session() as session:
        staff = session.exec(select(User).where(User.username == "demo-admin")).first()
        others = session.exec(select(User.username).where(
            ~User.username.startswith("demo-"))).first()
        if staff is None or staff.totp_secret is None or others is not None:
            raise CompanionError("only for the demo clinic (run `companion demo` first)")
        return pyotp.TOTP(staff.totp_secret).now()


def cmd_new_key(_args) -> str:
    from companion.core.crypto import new_key

    return new_key()


def cmd_rotate_key(_args) -> str:
    from sqlmodel import SQLModel

    import companion.models  # noqa: F401
    from companion.core.crypto import rotate
    from companion.core.db import get_engine

    rows = rotate(get_engine(), SQLModel.metadata)
    return (f"Re-encrypted {rows} rows under the new key. Remove the old key from "
            "OLD_ENCRYPTION_KEYS once every replica runs with the new ENCRYPTION_KEY.")


def cmd_backup(args) -> str:
    from companion.core import backup

    return backup.describe(backup.backup(args.path), "Backed up to")


def cmd_restore(args) -> str:
    from companion.core import backup

    copied = backup.restore(args.path)
    return backup.describe(copied, f"Restored {args.path} into")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="companion", description="IOP Companion operator commands")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(fn=cmd_migrate)
    ck = sub.add_parser("check", help="refuse unsafe server settings, keys or file modes")
    ck.add_argument("--repair", action="store_true",
                    help="first make the database, keys and secrets 0600 in 0700 folders")
    ck.set_defaults(fn=cmd_check)

    def with_admin(sp):
        sp.add_argument("--as-admin", help="admin username to act as (default: the first)")
        return sp

    c = with_admin(sub.add_parser("create-user", help="create an account"))
    c.add_argument("username")
    c.add_argument("--name", help="display name")
    c.add_argument("--role", choices=[r.value for r in Role], default=Role.CLIENT.value)
    c.add_argument("--therapist", help="therapist username (clients)")
    c.add_argument("--track", help="morning or evening (clients)")
    c.add_argument("--location", help="site key or telehealth (clients)")
    c.set_defaults(fn=cmd_create_user)
    a = with_admin(sub.add_parser("assign", help="assign a client"))
    a.add_argument("username")
    a.add_argument("--therapist")
    a.add_argument("--track")
    a.add_argument("--location")
    a.set_defaults(fn=cmd_assign)
    d = with_admin(sub.add_parser("discharge", help="client → alumni"))
    d.add_argument("username")
    d.set_defaults(fn=cmd_discharge)
    r = with_admin(sub.add_parser("reset-password", help="give a one-time password"))
    r.add_argument("username")
    r.set_defaults(fn=cmd_reset_password)
    sp = with_admin(sub.add_parser("staff-passkeys", help="turn the clinic's passkey rule for "
                                   "staff on or off (off: when no admin can reach People)"))
    sp.add_argument("rule", choices=["on", "off"])
    sp.set_defaults(fn=cmd_staff_passkeys)
    va = sub.add_parser("verify-audit", help="check the audit trail's keyed hash chain; print "
                        "its head")
    va.add_argument("--expect-head", metavar="SEQ:HASH",
                    help="a head printed earlier: fail unless the trail still runs through it")
    va.set_defaults(fn=cmd_verify_audit)
    sub.add_parser("new-key", help="print a new encryption key").set_defaults(fn=cmd_new_key)
    sub.add_parser("demo-code", help="the demo staff's current sign-in code").set_defaults(
        fn=cmd_demo_code)
    sub.add_parser("rotate-key", help="re-encrypt stored text under ENCRYPTION_KEY "
                   "(old keys in OLD_ENCRYPTION_KEYS)").set_defaults(fn=cmd_rotate_key)
    b = sub.add_parser("backup", help="copy the SQLite database to PATH while the app runs "
                       "(PostgreSQL: use pg_dump)")
    b.add_argument("path")
    b.set_defaults(fn=cmd_backup)
    rs = sub.add_parser("restore", help="restore a backup into an empty database, then "
                        "migrate it")
    rs.add_argument("path")
    rs.set_defaults(fn=cmd_restore)
    m = sub.add_parser("demo", help="seed the fictional demo clinic")
    m.add_argument("--password", help="shared password for every demo account")
    m.add_argument("--totp-secret", help="base32 authenticator key for the demo staff")
    m.set_defaults(fn=cmd_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    from companion.core.files import private_umask

    private_umask()  # whatever this command writes (database, keys, backups) is ours only
    args = parser().parse_args(argv)
    try:
        print(args.fn(args))
    except CompanionError as exc:
        print(f"companion {args.command}: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a clear line, not a traceback, for an operator
        print(f"companion {args.command}: failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0
