"""The audit trail: append-only rows of staff reads and changes of client records, and of
every account action (who, what, on whom).

Rows name what was opened, never its content. After each transaction that wrote audit rows,
`seal` chains the new rows in order: each sealed row carries a sequence number, the previous
row's hash and an HMAC-SHA256 (under AUDIT_KEY, kept apart from the database) over its own
content and that hash, so `verify` finds the first altered or missing row
(`companion verify-audit`), and no one without the key can re-chain the trail after deleting
a row. `verify` reports the chain's head (`seq:hash`): an operator who keeps it elsewhere can
later check that the trail still runs through it (`verify-audit --expect-head`), which holds
even against someone who has the key.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, select, update

from companion.actors import Actor
from companion.i18n import N_
from companion.core import keys
from companion.core.config import get_settings
from companion.core.errors import AccessDenied, ConfigError, InvalidInput
from companion.models import CLIENT_ROLES, AuditEvent, AuditSeal, Role, User
from companion.core.timeutil import clinic_zone, show, utcnow
from companion.i18n import N_, format_moment

GENESIS = "0" * 64
DIRTY = "audit_dirty"
DENIED = "audit_denied"  # refusals waiting to be written after the rollback
VIA = "audit_via"        # set by the CLI: its rows say "(command line)"
ACCOUNT = "account"      # record kind of account actions
EXPORT = "export"        # a staff download of records (an audit CSV, a brief)
AUDIT_TRAIL = "audit_trail"
OPERATOR = "operator"    # actor role of the server's operator (CLI, no admin account yet)
ANONYMOUS = "not signed in"  # actor role of a refused sign-in
SIGN_IN, SIGN_IN_REFUSED = "sign-in", "sign-in refused"  # actions of sign-in rows
REDISCLOSURE_NOTICE = N_(
    "This information has been disclosed to you from records protected by federal "
    "confidentiality rules (42 CFR part 2). The federal rules prohibit you from making any "
    "further disclosure of information in this record that identifies a patient as having or "
    "having had a substance use disorder either directly, by reference to publicly available "
    "information, or through verification of such identification by another person unless "
    "further disclosure is expressly permitted by the written consent of the individual whose "
    "information is being disclosed or as otherwise permitted by 42 CFR part 2. A general "
    "authorization for the release of medical or other information is NOT sufficient for this "
    "purpose (see § 2.31). The federal rules restrict any use of the information to "
    "investigate or prosecute with regard to a crime any patient with a substance use "
    "disorder, except as provided at §§ 2.12(c)(5) and 2.65.")
# In another language the notice is its translation (the catalog's, reviewed against the
# English word for word) followed by the English as the regulation words it (42 CFR 2.32).
NOTICE_ORIGINAL = N_("The notice as worded in 42 CFR 2.32 (English):")


def redisclosure_notice(language: str | None = None) -> str:
    """The Part 2 notice for a reader of `language` (default: this run's): English alone, or
    the translation and then the English text of the regulation, so nothing is lost."""
    from companion import i18n

    language = i18n.normalise(language) or i18n.current()
    if language == i18n.DEFAULT:
        return REDISCLOSURE_NOTICE
    catalog = i18n.translations(language)
    return (f"{catalog.gettext(REDISCLOSURE_NOTICE)}\n"
            f"{catalog.gettext(NOTICE_ORIGINAL)} {REDISCLOSURE_NOTICE}")


def _detail(session: Session, detail: str) -> str:
    via = session.info.get(VIA)
    return (f"{detail} ({via})" if via and detail else via or detail)[:500]


def record(session: Session, actor: Actor | None, action: str, record_kind: str,
           client_id: int | None, detail: str = "", *, subject_id: int | None = None,
           actor_role: str | None = None) -> None:
    """One row. `subject_id` (the account acted on) defaults to the client; `actor` None is
    the server's operator acting before any admin exists (or, with `actor_role`, someone
    not signed in: `ANONYMOUS`)."""
    role = actor.role.value if actor else actor_role or OPERATOR
    session.add(AuditEvent(actor_id=actor.id if actor else None, actor_role=role, action=action,
                           record_kind=record_kind, client_id=client_id,
                           subject_id=subject_id if subject_id is not None else client_id,
                           detail=_detail(session, detail)))
    session.info[DIRTY] = True


def account_event(session: Session, actor: Actor | None, user: User, what: str) -> None:
    """An account action on `user` (created, password or second factor reset, deactivated…):
    who, what and on whom, for staff accounts as for clients'."""
    client = user.id if user.role in CLIENT_ROLES else None
    record(session, actor, "write", ACCOUNT, client, f"{what}: {user.username}",
           subject_id=user.id)


def sign_in(session: Session, user: User | None, what: str, *, passed: bool) -> None:
    """A sign-in step (password or second factor), passed or refused: on whose account, never
    what was typed (no password or code; a name that matches no account is not kept either,
    in case a password was typed into it). A pass is the account holder's own act; a refusal
    is someone not signed in."""
    on = f"{what}: {user.username}" if user is not None else what
    record(session, Actor.of(user) if passed and user is not None else None,
           SIGN_IN if passed else SIGN_IN_REFUSED, ACCOUNT, None, on,
           subject_id=user.id if user is not None else None, actor_role=ANONYMOUS)


def record_denials(session: Session) -> bool:
    """Write the refusals noted during a rolled-back transaction; True if there were any."""
    denied = session.info.pop(DENIED, [])
    for d in denied:
        record(session, d["actor"], d["action"][:16], d["record_kind"], d["client_id"],
               d.get("detail", "refused"))
    return bool(denied)


def record_many(session: Session, actor: Actor, action: str, record_kind: str,
                client_ids: list[int], detail: str = "") -> None:
    """One statement for many rows (a caseload of 60 is one INSERT, not 60)."""
    if not client_ids:
        return
    record_rows(session, actor, action, [(record_kind, c) for c in client_ids], detail)


def record_rows(session: Session, actor: Actor, action: str,
                rows: list[tuple[str, int] | tuple[str, int, str]], detail: str = "") -> None:
    """One statement for many (record kind, client[, detail]) rows: what a summary page
    revealed (a row's own detail, when it has one, stands for `detail`)."""
    if not rows:
        return
    now = utcnow()
    session.execute(sa.insert(AuditEvent), [
        {"at": now, "actor_id": actor.id, "actor_role": actor.role.value, "action": action,
         "record_kind": row[0], "client_id": row[1], "subject_id": row[1],
         "detail": _detail(session, row[2] if len(row) > 2 else detail)} for row in rows])
    session.info[DIRTY] = True


def _key() -> bytes:
    return keys.fernet_bytes(keys.require("AUDIT_KEY", get_settings().audit_key))


def _key_check(key: bytes) -> str:
    return keys.check_value(key, "audit_key")


# What a row's hash covers, besides its sequence number and the previous hash.
_CHAINED = (AuditEvent.id, AuditEvent.at, AuditEvent.actor_id, AuditEvent.actor_role,
            AuditEvent.action, AuditEvent.record_kind, AuditEvent.client_id,
            AuditEvent.subject_id, AuditEvent.detail)


def _digest(row, prev: str, key: bytes, seq: int | None = None) -> str:
    """HMAC-SHA256 of a row (an AuditEvent, or a result row of `_CHAINED`) at `seq`."""
    at = row.at.astimezone(timezone.utc)
    seq = row.seq if seq is None else seq
    content = "|".join(str(v) for v in (seq, row.id, at.isoformat(), row.actor_id,
                                        row.actor_role, row.action, row.record_kind,
                                        row.client_id, row.subject_id, row.detail, prev))
    return hmac.new(key, content.encode(), hashlib.sha256).hexdigest()


WRONG_KEY = ("the audit trail was not sealed with this AUDIT_KEY: this server has another "
             "key than the one that sealed it, or the trail was rewritten")


def key_problem(session: Session) -> str | None:
    """Why this server must not extend this database's audit chain, or None."""
    head = session.get(AuditSeal, 1)
    if head is not None and head.key_check != _key_check(_key()):
        return WRONG_KEY + " (set the AUDIT_KEY the other replicas use)"
    return None


def seal(engine: sa.Engine) -> int:
    """Chain every unsealed row, in id order. The first statement updates the one seal row,
    which makes concurrent sealers (other replicas) wait their turn. A server with another
    AUDIT_KEY refuses (the rows stay unsealed for a rightly keyed one)."""
    key = _key()
    with Session(engine) as session:
        head = session.execute(  # one statement takes the turn and reads the head
            update(AuditSeal).where(AuditSeal.id == 1).values(turns=AuditSeal.turns + 1)
            .returning(AuditSeal.last_seq, AuditSeal.last_hash, AuditSeal.key_check)).one()
        if head.key_check != _key_check(key):
            session.rollback()
            raise ConfigError(WRONG_KEY + "; nothing was sealed.")
        rows = session.execute(select(*_CHAINED).where(col(AuditEvent.seq).is_(None))
                               .order_by(AuditEvent.id)).all()
        sealed = []  # plain rows and one executemany: a caseload view writes hundreds
        last_seq, last_hash = head.last_seq, head.last_hash
        for row in rows:
            seq, prev = last_seq + 1, last_hash
            last_seq, last_hash = seq, _digest(row, prev, key, seq)
            sealed.append({"_id": row.id, "_seq": seq, "_prev": prev, "_hash": last_hash})
        if sealed:
            table = AuditEvent.__table__
            session.execute(table.update().where(table.c.id == sa.bindparam("_id")).values(
                seq=sa.bindparam("_seq"), prev_hash=sa.bindparam("_prev"),
                row_hash=sa.bindparam("_hash")), sealed)
            session.execute(update(AuditSeal).where(AuditSeal.id == 1)
                            .values(last_seq=last_seq, last_hash=last_hash))
        session.commit()
        return len(rows)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    message: str
    head: str = ""  # "seq:hash" of the newest sealed row, for the operator to keep elsewhere


def parse_head(text: str) -> tuple[int, str]:
    """`42:3f…` (as `verify` prints it) → (42, "3f…")."""
    seq, _, digest = (text or "").strip().partition(":")
    digest = digest.strip().lower()
    if not seq.strip().isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef"
                                                            for c in digest):
        raise InvalidInput("an expected head is the sequence number and hash that "
                           "verify-audit printed, e.g. 42:3f0c… (64 hex digits).")
    return int(seq), digest


def verify(session: Session, expect_head: tuple[int, str] | None = None) -> Verdict:
    """Walk the chain; report the first row that was altered, removed or inserted, and
    (given `expect_head`, a head printed earlier) whether the chain still runs through it."""
    key = _key()
    head = session.get(AuditSeal, 1)
    if head is not None and head.key_check != _key_check(key):
        return Verdict(False, 0, WRONG_KEY + ".")
    prev, expected, kept = GENESIS, 1, None
    stmt = select(AuditEvent).where(col(AuditEvent.seq).is_not(None)).order_by(AuditEvent.seq)
    for row in session.exec(stmt).yield_per(1000):
        if row.seq != expected:
            return Verdict(False, expected - 1, f"audit row #{expected} is missing")
        if row.prev_hash != prev or row.row_hash != _digest(row, prev, key):
            return Verdict(False, expected - 1,
                           f"audit row #{row.seq} (id {row.id}) was altered")
        if expect_head is not None and row.seq == expect_head[0]:
            kept = hmac.compare_digest(row.row_hash, expect_head[1])
        prev, expected = row.row_hash, expected + 1
    checked = expected - 1
    if head is None or head.last_seq != checked or head.last_hash != prev:
        return Verdict(False, checked, f"the newest audit rows after #{checked} are missing")
    if expect_head is not None and kept is None:
        return Verdict(False, checked, f"the trail ends at #{checked}, before the head you "
                       f"kept (#{expect_head[0]}): rows were removed and the chain rewritten")
    if kept is False:
        return Verdict(False, checked, f"audit row #{expect_head[0]} is not the head you kept: "
                       "the trail was rewritten since")
    kept_note = f"; it runs through the head you kept (#{expect_head[0]})" if kept else ""
    return Verdict(True, checked, f"audit trail intact: {checked} rows checked; head "
                   f"{checked}:{prev}{kept_note}", f"{checked}:{prev}")


def _range(start: date | None, end: date | None):
    zone = clinic_zone()
    low = datetime.combine(start, time.min, zone) if start else None
    high = datetime.combine(end + timedelta(days=1), time.min, zone) if end else None
    return low, high


ACTIONS = {"read": N_("Record reads"), "write": N_("Changes"), "denied read": N_("Refused reads"),
           "denied write": N_("Refused changes"), EXPORT: N_("Exports")}  # gettext to show
DEFAULT_ACTIONS = ("read", "write")  # what the admin page shows first: record reads, changes


def record_kinds() -> dict[str, str]:
    """Every record kind a row may name, with the words the admin page shows for it."""
    from companion.access import RecordKind

    kinds = {k.value: KIND_WORDS.get(k.value) or k.value.replace("_", " ").capitalize()
             for k in RecordKind}
    return kinds | {ACCOUNT: KIND_WORDS[ACCOUNT], "calendar_feed": KIND_WORDS["calendar_feed"],
                    AUDIT_TRAIL: KIND_WORDS[AUDIT_TRAIL]}


# The words for each kind of record (English as before; gettext them to show).
KIND_WORDS = {"profile": N_("Profile"), "checkin": N_("Checkin"), "craving": N_("Craving"),
              "safety_plan": N_("Safety plan"), "measure": N_("Measure"),
              "aftercare_plan": N_("Aftercare plan"), "aftercare_review": N_("Aftercare review"),
              "skill_practice": N_("Skill practice"), "skill_assignment": N_("Skill assignment"),
              "attendance": N_("Attendance"), "rsvp": N_("Rsvp"), "flag": N_("Flag"),
              "therapy_session": N_("Therapy session"), ACCOUNT: N_("Account"),
              "calendar_feed": N_("Calendar feed"), AUDIT_TRAIL: N_("Audit trail")}
# The trail's column headings (the frame and the CSV keep these English names).
COLUMN_WORDS = {"#": "#", "When": N_("When"), "Staff": N_("Staff"), "Role": N_("Role"),
                "Action": N_("Action"), "Record": N_("Record"), "Client": N_("Client"),
                "Account": N_("Account"), "Detail": N_("Detail")}


def _person(name, username) -> str | None:
    return f"{name} ({username})" if username is not None else None


def events(session: Session, actor: Actor, *, staff_id: int | None = None,
           client_id: int | None = None, start: date | None = None, end: date | None = None,
           limit: int = 500, actions: list[str] | tuple[str, ...] | None = None,
           kinds: list[str] | tuple[str, ...] | None = None,
           collapse_lists: bool = False) -> pd.DataFrame:
    """The newest audit rows, filtered (empty or None `actions`/`kinds`: all), for admins
    only. `collapse_lists` shows the rows one list view wrote (same moment, staff member,
    action and detail, as `record_many`/`record_rows` write them) as one line: "14 clients"."""
    if actor.role != Role.ADMIN:
        raise AccessDenied("Only admins can see the audit trail.")
    from companion.access import require_sign_in_complete  # access imports this module
    require_sign_in_complete(session, actor)
    conditions = []
    low, high = _range(start, end)
    if staff_id is not None:  # what they did, and what was done to their account
        conditions.append((AuditEvent.actor_id == staff_id) | (AuditEvent.subject_id == staff_id))
    if client_id is not None:
        conditions.append(AuditEvent.client_id == client_id)
    if low is not None:
        conditions.append(AuditEvent.at >= low)
    if high is not None:
        conditions.append(AuditEvent.at < high)
    if actions:
        conditions.append(col(AuditEvent.action).in_(list(actions)))
    if kinds:
        conditions.append(col(AuditEvent.record_kind).in_(list(kinds)))
    grouped = (AuditEvent.at, AuditEvent.actor_id, AuditEvent.actor_role, AuditEvent.action,
               AuditEvent.detail)
    if collapse_lists:
        rows = (select(sa.func.max(AuditEvent.id).label("id"),
                       sa.func.max(AuditEvent.seq).label("seq"), *grouped,
                       sa.func.min(AuditEvent.record_kind).label("kind"),
                       sa.func.count(sa.distinct(AuditEvent.record_kind)).label("kinds"),
                       sa.func.min(AuditEvent.client_id).label("client_id"),
                       sa.func.count(sa.distinct(AuditEvent.client_id)).label("clients"),
                       sa.func.min(AuditEvent.subject_id).label("subject_id"))
                .where(*conditions).group_by(*grouped))
    else:
        rows = select(AuditEvent.id, AuditEvent.seq, *grouped,
                      AuditEvent.record_kind.label("kind"), sa.literal(1).label("kinds"),
                      AuditEvent.client_id, sa.literal(1).label("clients"),
                      AuditEvent.subject_id).where(*conditions)
    rows = rows.order_by(sa.desc("id")).limit(limit).subquery()
    staff = User.__table__.alias("staff")
    client = User.__table__.alias("client")
    subject = User.__table__.alias("subject")
    stmt = (select(rows.c.seq, rows.c.at, staff.c.username, rows.c.actor_role, rows.c.action,
                   rows.c.kind, rows.c.kinds, client.c.display_name, client.c.username,
                   rows.c.clients, subject.c.username, rows.c.detail)
            .join(staff, staff.c.id == rows.c.actor_id, isouter=True)
            .join(client, client.c.id == rows.c.client_id, isouter=True)
            .join(subject, subject.c.id == rows.c.subject_id, isouter=True)
            .order_by(rows.c.id.desc()))
    found = session.exec(stmt).all()
    frame = pd.DataFrame(
        [(seq, show(at, "%Y-%m-%d %H:%M"), who, role, action,
          kind if n_kinds == 1 else f"{n_kinds} kinds",
          _person(name, username) if n_clients <= 1 else f"{n_clients} clients",
          account if n_clients <= 1 else None, detail)
         for (seq, at, who, role, action, kind, n_kinds, name, username, n_clients, account,
              detail) in found],
        columns=["#", "When", "Staff", "Role", "Action", "Record", "Client", "Account",
                 "Detail"])
    return frame


def export_csv(session: Session, actor: Actor, frame: pd.DataFrame, filters: str = "") -> str:
    """The CSV an admin downloads; the export itself is a row of the trail."""
    if actor.role != Role.ADMIN:
        raise AccessDenied("Only admins can export the audit trail.")
    from companion.access import require_sign_in_complete  # access imports this module
    require_sign_in_complete(session, actor)
    rows = f"CSV of {len(frame)} row{'' if len(frame) == 1 else 's'}"
    record(session, actor, EXPORT, AUDIT_TRAIL, None,
           rows + (f" ({filters})" if filters else ""))
    return as_csv(frame)


def as_csv(frame: pd.DataFrame) -> str:
    """CSV for download, led by the Part 2 notice prohibiting re-disclosure (42 CFR 2.32)."""
    return f"# {REDISCLOSURE_NOTICE}\n" + frame.to_csv(index=False)


def views_of_me(session: Session, actor: Actor, limit: int = 200) -> pd.DataFrame:
    """Which staff opened my records, and when: what a client may ask to know."""
    if actor.role not in (Role.CLIENT, Role.ALUMNI):
        raise AccessDenied("This list is for clients.")
    stmt = (select(AuditEvent.at, User.display_name, AuditEvent.actor_role,
                   AuditEvent.action, AuditEvent.record_kind)
            .join(User, User.id == AuditEvent.actor_id)
            .where(AuditEvent.client_id == actor.id,
                   col(AuditEvent.action).in_(("read", "write")))
            .order_by(col(AuditEvent.id).desc()).limit(limit))
    frame = pd.DataFrame(session.exec(stmt).all(),
                         columns=["When", "Who", "Role", "Action", "What"])
    frame["When"] = [format_moment(at) for at in frame["When"]]
    frame["Kind"] = frame["What"]  # the record kind, for a page to name in its language
    frame["What"] = frame["What"].str.replace("_", " ")
    frame["Action"] = frame["Action"].map({"read": "viewed", "write": "changed"})
    return frame


NOTICE_DAYS = 90
# A record kind as a client reads it (My account's "who viewed my records"), marked for the
# catalog and shown with `gettext`.
RECORD_NAMES = {"profile": N_("profile"), "checkin": N_("check-ins"),
                "craving": N_("cravings"), "safety_plan": N_("safety plan"),
                "measure": N_("questionnaires"), "aftercare_plan": N_("aftercare plan"),
                "aftercare_review": N_("aftercare plan review"),
                "skill_practice": N_("skills practice"),
                "skill_assignment": N_("assigned skills"), "attendance": N_("attendance"),
                "rsvp": N_("group replies"), "flag": N_("flags"),
                "therapy_session": N_("sessions held")}


def account_changes_by_others(session: Session, actor: Actor, limit: int = 5) -> list[str]:
    """What others did to my account lately (a password or second-factor reset, say), newest
    first, for the page a reset leads to: so a staff member whose account an admin reset
    and used sees who and when. Plain sentences; the caller shows them as plain text."""
    since = utcnow() - timedelta(days=NOTICE_DAYS)
    who = sa.func.coalesce(User.display_name, "the server's operator")
    stmt = (select(AuditEvent.at, who, AuditEvent.detail)
            .join(User, User.id == AuditEvent.actor_id, isouter=True)
            .where(AuditEvent.subject_id == actor.id, AuditEvent.record_kind == ACCOUNT,
                   (AuditEvent.actor_id != actor.id) | col(AuditEvent.actor_id).is_(None),
                   AuditEvent.at >= since)
            .order_by(col(AuditEvent.id).desc()).limit(limit))
    return [f"{show(at)}: {detail.split(': ', 1)[0]}, by {name}"
            for at, name, detail in session.exec(stmt)]
