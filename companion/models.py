"""SQLModel tables. Every table holding a client's data carries `client_id` and UTC times.

The schema itself is created by the Alembic migrations in `migrations/`, never by
`create_all`, so the schema under test is the one users get.
"""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from companion.core.crypto import EncryptedJSON, EncryptedLabel, EncryptedText, label_hash_default
from companion.core.timeutil import UTCDateTime, utcnow


class Role(StrEnum):
    CLIENT = "client"
    THERAPIST = "therapist"
    ADMIN = "admin"
    ALUMNI = "alumni"


STAFF_ROLES = frozenset({Role.THERAPIST, Role.ADMIN})
CLIENT_ROLES = frozenset({Role.CLIENT, Role.ALUMNI})


def _utc(**kw) -> sa.Column:
    return sa.Column(UTCDateTime(), **kw)


def _secret() -> sa.Column:
    """Free text a person wrote: encrypted at rest (companion.core.crypto)."""
    return sa.Column(EncryptedText(), nullable=False, default="")


def _secret_json() -> sa.Column:
    return sa.Column(EncryptedJSON(), nullable=False)


def _label() -> sa.Column:
    """A label a client picked or typed: encrypted, normalised (companion.core.crypto)."""
    return sa.Column(EncryptedLabel(), nullable=False)


def _label_hash() -> sa.Column:
    """The label's keyed hash, filled in on every insert: what SQL groups and matches by."""
    return sa.Column(sa.String(64), nullable=False, default=label_hash_default)


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: Optional[int] = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, sa_column_kwargs={"unique": True}, index=True)
    display_name: str = Field(max_length=120)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=128)
    must_change_password: bool = True
    is_active: bool = True
    # Re-login cookies issued before this moment are refused (logout, password change, deactivation).
    sessions_valid_after: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    last_seen_at: Optional[datetime] = Field(default=None, sa_column=_utc(nullable=True))
    # Second factor (TOTP, RFC 6238): required for staff, optional for clients and alumni.
    totp_secret: Optional[str] = Field(default=None, sa_column=sa.Column(EncryptedText(),
                                                                         nullable=True))
    totp_last_step: int = 0  # the newest time step accepted: a code works only once
    # The re-login cookie issued right after the second factor (its expiry identifies it):
    # that cookie, and no other, signs staff back in without a new code until it expires.
    mfa_cookie_exp: Optional[float] = None
    # 42 CFR 2.22: when the client read and acknowledged the confidentiality notice.
    notice_acknowledged_at: Optional[datetime] = Field(default=None,
                                                       sa_column=_utc(nullable=True))
    # The language the app speaks to this person (companion.i18n.LANGUAGES), issue #20.
    language: str = Field(default="en", max_length=8, sa_column_kwargs={"server_default": "en"})
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class UserSession(SQLModel, table=True):
    """One signed-in browser: a password sign-in starts one; its re-login cookie (known by
    its expiry) lets other tabs of that browser join it. Once ended (signed out, idle past
    the limit, refused) it stays ended: a new sign-in is a new session with a new id."""

    __tablename__ = "user_sessions"

    id: str = Field(max_length=32, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    started_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    active_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    cookie_exp: Optional[float] = Field(default=None, index=True)
    ended_at: Optional[datetime] = Field(default=None, sa_column=_utc(nullable=True))
    end_reason: str = Field(default="", max_length=64)


class RecoveryCode(SQLModel, table=True):
    """Single-use codes for a lost authenticator, stored as SHA-256 hashes."""

    __tablename__ = "recovery_codes"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    code_hash: str = Field(max_length=64)
    used_at: Optional[datetime] = Field(default=None, sa_column=_utc(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class PasskeyCredential(SQLModel, table=True):
    """A passkey (WebAuthn credential) of one account: a client's way to sign in, a staff
    member's second factor. Removing one, deactivating or resetting the account revokes it
    (`revoked_at`); a revoked one never signs in again. Never overwritten: the sign count and
    backup state are updated on each use, checked first (companion/passkeys.py)."""

    __tablename__ = "passkey_credentials"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    credential_id: str = Field(max_length=1400, sa_column_kwargs={"unique": True})
    public_key: bytes = Field(sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    user_handle: str = Field(max_length=88)  # base64url, random, the same for one account
    sign_count: int = 0
    multi_device: bool = False  # backup eligible (synced passkey); fixed for its lifetime
    backed_up: bool = False
    transports: str = Field(default="", max_length=200)
    label: str = Field(default="", max_length=80)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    last_used_at: Optional[datetime] = Field(default=None, sa_column=_utc(nullable=True))
    revoked_at: Optional[datetime] = Field(default=None, sa_column=_utc(nullable=True))
    revoke_reason: str = Field(default="", max_length=64)


class WebAuthnChallenge(SQLModel, table=True):
    """One passkey ceremony in progress: single-use, short-lived, bound to its purpose (and,
    to register or as a second factor, to the signed-in account and session). In the
    database, so any replica can finish what another began."""

    __tablename__ = "webauthn_challenges"

    id: str = Field(max_length=48, primary_key=True)
    challenge: str = Field(max_length=128)
    purpose: str = Field(max_length=16)
    user_id: Optional[int] = Field(default=None, foreign_key="users.id")
    session_id: Optional[str] = Field(default=None, max_length=32)
    user_handle: Optional[str] = Field(default=None, max_length=88)  # to register: offered
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    expires_at: datetime = Field(sa_column=_utc(nullable=False, index=True))


class Enrolment(SQLModel, table=True):
    """A client's place in the program: therapist, track and location; discharge makes alumni."""

    __tablename__ = "enrolments"

    client_id: int = Field(foreign_key="users.id", primary_key=True)
    therapist_id: Optional[int] = Field(default=None, foreign_key="users.id", index=True)
    track: str = Field(max_length=16)
    location: str = Field(max_length=32)
    enrolled_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    discharged_at: Optional[datetime] = Field(default=None, sa_column=_utc(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class LoginThrottle(SQLModel, table=True):
    """Failed sign-ins per typed username (existing or not, so lockout reveals nothing).

    Rows without a failure in the last pause-length and without an active pause are pruned
    (`auth.claim_attempt`), so the table holds only recently tried names."""

    __tablename__ = "login_throttle"
    __table_args__ = (sa.Index("ix_login_throttle_updated_at", "updated_at"),)

    username: str = Field(max_length=200, primary_key=True)
    failed_count: int = 0
    locked_until: Optional[datetime] = Field(default=None, sa_column=_utc(nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class AuditEvent(SQLModel, table=True):
    """Append-only: who did what to which client's record or account, when."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_client_at", "client_id", "at"),
                      sa.Index("ux_audit_seq", "seq", unique=True))

    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False, index=True))
    actor_id: Optional[int] = Field(default=None, foreign_key="users.id")
    actor_role: str = Field(max_length=16)
    action: str = Field(max_length=16)
    record_kind: str = Field(max_length=32)
    client_id: Optional[int] = Field(default=None, foreign_key="users.id")
    # The account acted on (staff included): "on whom" for account actions.
    subject_id: Optional[int] = Field(default=None, foreign_key="users.id")
    detail: str = Field(default="", max_length=500)
    # Tamper evidence: rows are sealed in order into an HMAC chain (see companion.audit).
    seq: Optional[int] = None
    prev_hash: Optional[str] = Field(default=None, max_length=64)
    row_hash: Optional[str] = Field(default=None, max_length=64)


class AuditSeal(SQLModel, table=True):
    """The head of the audit hash chain; its one row is also the lock sealers queue on."""

    __tablename__ = "audit_seal"

    id: int = Field(default=1, primary_key=True)
    last_seq: int = 0
    last_hash: str = Field(default="0" * 64, max_length=64)
    turns: int = 0
    key_check: Optional[str] = Field(default=None, max_length=32)  # names a wrong AUDIT_KEY


class CheckIn(SQLModel, table=True):
    """One daily check-in version. Each save adds a row; the current one has `is_current`."""

    __tablename__ = "checkins"
    __table_args__ = (sa.UniqueConstraint("client_id", "day", "version"),
                      sa.Index("ix_checkins_client_day", "client_id", "day", "is_current"))

    id: Optional[int] = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="users.id")
    day: date  # the clinic's calendar day
    version: int = 1
    is_current: bool = True
    mood: int
    craving: int
    stress: int
    sleep_hours: float
    sleep_quality: int  # 1 (poor) – 5 (great)
    used: str = Field(max_length=16)  # no / yes / prefer_not
    use_details: str = Field(default="", sa_column=_secret())
    medication: Optional[str] = Field(default=None, max_length=16)  # yes / no / None (n/a)
    note: str = Field(default="", sa_column=_secret())
    bring_to_group: str = Field(default="", sa_column=_secret())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class Craving(SQLModel, table=True):
    """A craving episode, logged any time. Local day/hour are kept for the heat map."""

    __tablename__ = "cravings"
    __table_args__ = (sa.Index("ix_cravings_client_at", "client_id", "at"),
                      sa.Index("ix_cravings_client_local_day", "client_id", "local_day"))

    id: Optional[int] = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="users.id")
    at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    local_day: date
    local_hour: int
    local_weekday: int  # 0 = Monday
    intensity: int
    where: str = Field(default="", sa_column=_secret())
    with_whom: str = Field(default="", sa_column=_secret())
    outcome: Optional[str] = Field(default=None, max_length=16)  # passed / used / still_there
    duration_minutes: Optional[int] = None
    surf_seconds: Optional[int] = None  # from the urge-surfing timer
    note: str = Field(default="", sa_column=_secret())
    followup_intensity: Optional[int] = None
    followup_at: Optional[datetime] = Field(default=None, sa_column=_utc(nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class EntryTag(SQLModel, table=True):
    """Triggers, skills, substances and coping strategies of an entry, one row each, so
    frequencies are counted in SQL (grouped by `label_hash`; the label itself is encrypted)."""

    __tablename__ = "entry_tags"
    __table_args__ = (sa.Index("ix_entry_tags_client_type", "client_id", "tag_type", "day"),
                      sa.Index("ix_entry_tags_entry", "entry_kind", "entry_id"))

    id: Optional[int] = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="users.id")
    entry_kind: str = Field(max_length=16)  # checkin / craving
    entry_id: int
    tag_type: str = Field(max_length=16)  # trigger / skill / substance / coping
    label: str = Field(sa_column=_label())
    label_hash: Optional[str] = Field(default=None, sa_column=_label_hash())
    day: date


class PersonalTrigger(SQLModel, table=True):
    """A trigger a client named themself; offered in their lists from then on."""

    __tablename__ = "personal_triggers"
    __table_args__ = (sa.UniqueConstraint("client_id", "label_hash",
                                          name="uq_personal_triggers_client_label_hash"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="users.id", index=True)
    label: str = Field(sa_column=_label())
    label_hash: Optional[str] = Field(default=None, sa_column=_label_hash())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class Flag(SQLModel, table=True):
    """Something a therapist should look at, raised by `companion.flags` rules."""

    __tablename__ = "flags"
    __table_args__ = (sa.Index("ix_flags_client_open", "client_id", "acknowledged_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="users.id")
    rule: str = Field(max_length=32)
    reason: str = Field(max_length=300)
    # The reason as a code and its parameters ({"code": "checkin_craving", "value": 9}):
    # drawn in the reader's language by `companion.flags.reason_of`. `reason` keeps the
    # English as written (exports, the audit's readers); rows older than this have none.
    reason_params: Optional[dict] = Field(default=None, sa_column=sa.Column(sa.JSON,
                                                                            nullable=True))
    source_kind: Optional[str] = Field(default=None, max_length=16)
    source_id: Optional[int] = None
    raised_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    # How soon to act: "urgent", "same_day" or "routine", set by `companion.flags` when the
    # flag is raised (its one source of truth; the rules and their tiers are listed there).
    tier: str = Field(default="routine", max_length=16)
    acknowledged_by: Optional[int] = Field(default=None, foreign_key="users.id")
    acknowledged_at: Optional[datetime] = Field(default=None, sa_column=_utc(nullable=True))
    ack_note: str = Field(default="", sa_column=_secret())

    def __init__(self, **data):
        if "urgent" in data:  # the old boolean: honoured, never silently dropped
            urgent = data.pop("urgent")
            data.setdefault("tier", "urgent" if urgent else "routine")
        super().__init__(**data)

    @property
    def urgent(self) -> bool:
        """Read-only, for older readers: the tier is what is kept."""
        return self.tier == "urgent"


class MeasureResponse(SQLModel, table=True):
    """One completed questionnaire (PHQ-9, GAD-7, BAM): item answers and scale scores."""

    __tablename__ = "measure_responses"
    __table_args__ = (sa.Index("ix_measures_client_instrument", "client_id", "instrument",
                               "completed_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="users.id")
    instrument: str = Field(max_length=16)
    form: str = Field(default="", max_length=8)
    answers: dict = Field(sa_column=sa.Column(sa.JSON, nullable=False))  # item -> score|None
    scores: dict = Field(sa_column=sa.Column(sa.JSON, nullable=False))   # scale -> value|None
    completed_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    local_day: date


class SafetyPlan(SQLModel, table=True):
    """One version of a client's safety plan; each save adds a version."""

    __tablename__ = "safety_plans"
    __table_args__ = (sa.UniqueConstraint("client_id", "version"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="users.id", index=True)
    version: int = 1
    is_current: bool = True
    sections: dict = Field(sa_column=_secret_json())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class ChainAnalysis(SQLModel, table=True):
    """A look back at a use, offered (never forced) after a check-in that reports one."""

    __tablename__ = "chain_analyses"

    id: Optional[int] = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="users.id", index=True)
    checkin_id: Optional[int] = Field(default=None, foreign_key="checkins.id")
    answers: dict = Field(sa_column=_secret_json())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class AftercarePlan(SQLModel, table=True):
    """A client's aftercare plan: its review status; the content lives in its versions."""

    __tablename__ = "aftercare_plans"

    id: Optional[int] = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="users.id", sa_column_kwargs={"unique": True})
    status: str = Field(default="draft", max_length=24)
    current_version: int = 0
    approved_version: Optional[int] = None
    submitted_to: Optional[int] = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class AftercareVersion(SQLModel, table=True):
    """Every save of an aftercare plan: nothing is overwritten."""

    __tablename__ = "aftercare_versions"
    __table_args__ = (sa.UniqueConstraint("plan_id", "version"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="aftercare_plans.id")
    client_id: int = Field(foreign_key="users.id", index=True)
    version: int
    sections: dict = Field(sa_column=_secret_json())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class AftercareComment(SQLModel, table=True):
    """A reviewer's comment on one section of one version."""

    __tablename__ = "aftercare_comments"

    id: Optional[int] = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="aftercare_plans.id", index=True)
    client_id: int = Field(foreign_key="users.id")
    version: int
    section: str = Field(max_length=32)
    author_id: int = Field(foreign_key="users.id")
    text: str = Field(sa_column=_secret())  # the current wording (its versions: below)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    edited_at: Optional[datetime] = Field(default=None, sa_column=_utc(nullable=True))


class AftercareCommentVersion(SQLModel, table=True):
    """Every wording a comment had, once its author first edits it (version 1 is the
    original); the highest version is the comment's current text."""

    __tablename__ = "aftercare_comment_versions"
    __table_args__ = (sa.UniqueConstraint("comment_id", "version"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="aftercare_comments.id", index=True)
    version: int
    text: str = Field(sa_column=_secret())
    created_at: datetime = Field(sa_column=_utc(nullable=False))


class AftercareEvent(SQLModel, table=True):
    """The plan's review history: submitted, changes requested, approved."""

    __tablename__ = "aftercare_events"

    id: Optional[int] = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="aftercare_plans.id", index=True)
    client_id: int = Field(foreign_key="users.id")
    version: int
    actor_id: int = Field(foreign_key="users.id")
    event: str = Field(max_length=24)
    note: str = Field(default="", sa_column=_secret())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class Setting(SQLModel, table=True):
    """Clinic-wide settings an admin changes in the app (e.g. the alumni coordinator)."""

    __tablename__ = "settings"

    key: str = Field(max_length=64, primary_key=True)
    value: str = Field(default="", max_length=500)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class SkillAnswer(SQLModel, table=True):
    """One saved version of a client's answers to a skills exercise; each save adds a row
    and the newest has `is_current` (content lives in `data/skills/`)."""

    __tablename__ = "skill_answers"
    __table_args__ = (sa.UniqueConstraint("client_id", "module_id", "exercise_id", "version"),
                      sa.Index("ix_skill_answers_client_current", "client_id", "is_current"))

    id: Optional[int] = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="users.id")
    module_id: str = Field(max_length=48)
    exercise_id: str = Field(max_length=48)
    version: int = 1
    is_current: bool = True
    answers: dict = Field(sa_column=_secret_json())  # field id -> value, encrypted
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class SkillLessonRead(SQLModel, table=True):
    """A lesson a client marked as read (once per lesson)."""

    __tablename__ = "skill_lessons_read"
    __table_args__ = (sa.UniqueConstraint("client_id", "module_id", "lesson_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="users.id")
    module_id: str = Field(max_length=48)
    lesson_id: str = Field(max_length=48)
    read_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class SkillPractice(SQLModel, table=True):
    """The practice log: a skill used in daily life and how much it helped (0–10)."""

    __tablename__ = "skill_practice"
    __table_args__ = (sa.Index("ix_skill_practice_client_day", "client_id", "local_day"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="users.id")
    module_id: str = Field(max_length=48)
    skill: str = Field(max_length=80)
    helped: int  # 0 (not at all) – 10 (a lot)
    note: str = Field(default="", sa_column=_secret())  # up to 280 characters
    at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    local_day: date  # the clinic's calendar day


class SkillAssignment(SQLModel, table=True):
    """A module a therapist asked a client to work on, with a short note."""

    __tablename__ = "skill_assignments"
    __table_args__ = (sa.Index("ix_skill_assignments_client", "client_id", "withdrawn_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="users.id")
    module_id: str = Field(max_length=48)
    therapist_id: int = Field(foreign_key="users.id")
    note: str = Field(default="", sa_column=_secret())  # up to 280 characters
    assigned_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    withdrawn_at: Optional[datetime] = Field(default=None, sa_column=_utc(nullable=True))


# --- Group sessions (groups issue) -----------------------------------------------------------


class GroupSeries(SQLModel, table=True):
    """A weekly group: its first start (UTC), length and an iCalendar RRULE. The rule is
    expanded in the clinic's local time (`tzid`), so daylight-saving changes never move it."""

    __tablename__ = "group_series"

    id: Optional[int] = Field(default=None, primary_key=True)
    title: str = Field(max_length=120)
    topic: str = Field(default="", max_length=500)
    track: str = Field(max_length=16)
    location: str = Field(max_length=32)   # a site key, or telehealth
    link: str = Field(default="", max_length=300)  # the telehealth join link
    facilitator_id: int = Field(foreign_key="users.id", index=True)
    capacity: int
    starts_at: datetime = Field(sa_column=_utc(nullable=False))  # first occurrence (DTSTART)
    duration_minutes: int
    rrule: str = Field(max_length=300)     # e.g. FREQ=WEEKLY;BYDAY=MO;UNTIL=20270301T235959
    tzid: str = Field(max_length=64)       # the zone the rule is expanded in
    created_by: Optional[int] = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    # The admin who made `facilitator_id` this group's facilitator, and when. Only then does
    # the facilitator see the clients expected at it (companion.groups.attendance); None:
    # not (yet) confirmed by an admin.
    facilitator_assigned_by: Optional[int] = Field(default=None, foreign_key="users.id")
    facilitator_assigned_at: Optional[datetime] = Field(default=None,
                                                        sa_column=_utc(nullable=True))


class GroupException(SQLModel, table=True):
    """One occurrence cancelled or moved, with a note shown to clients. `occurrence_at` is
    the occurrence's original start (its RECURRENCE-ID)."""

    __tablename__ = "group_exceptions"
    __table_args__ = (sa.UniqueConstraint("series_id", "occurrence_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    series_id: int = Field(foreign_key="group_series.id")
    occurrence_at: datetime = Field(sa_column=_utc(nullable=False))
    status: str = Field(max_length=16)     # cancelled / moved
    starts_at: Optional[datetime] = Field(default=None, sa_column=_utc(nullable=True))
    ends_at: Optional[datetime] = Field(default=None, sa_column=_utc(nullable=True))
    note: str = Field(default="", max_length=300)
    created_by: Optional[int] = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class GroupRsvp(SQLModel, table=True):
    """A client's answer for one occurrence: going, or can't make it (with a reason)."""

    __tablename__ = "group_rsvps"
    __table_args__ = (sa.UniqueConstraint("series_id", "occurrence_at", "client_id"),
                      sa.Index("ix_group_rsvps_client_at", "client_id", "occurrence_at"))

    id: Optional[int] = Field(default=None, primary_key=True)
    series_id: int = Field(foreign_key="group_series.id")
    occurrence_at: datetime = Field(sa_column=_utc(nullable=False))
    client_id: int = Field(foreign_key="users.id")
    status: str = Field(max_length=16)     # going / not_going
    reason: str = Field(default="", sa_column=_secret())  # a client's own words
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class GroupAttendance(SQLModel, table=True):
    """A client's attendance at one occurrence. A correction adds a version; the current
    one has `is_current`. `starts_at` and `minutes` are the session as held (moves included)."""

    __tablename__ = "group_attendance"
    __table_args__ = (sa.UniqueConstraint("series_id", "occurrence_at", "client_id", "version"),
                      sa.Index("ix_group_attendance_client_at", "client_id", "starts_at",
                               "is_current"))

    id: Optional[int] = Field(default=None, primary_key=True)
    series_id: int = Field(foreign_key="group_series.id")
    occurrence_at: datetime = Field(sa_column=_utc(nullable=False))
    client_id: int = Field(foreign_key="users.id")
    version: int = 1
    is_current: bool = True
    status: str = Field(max_length=16)     # present / absent / excused
    starts_at: datetime = Field(sa_column=_utc(nullable=False))
    minutes: int
    marked_by: int = Field(foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class CheckInReminder(SQLModel, table=True):
    """The daily check-in time a client chose (a local wall-clock time, minutes after
    midnight), carried as a daily event with an alarm in their calendar file."""

    __tablename__ = "checkin_reminders"

    client_id: int = Field(foreign_key="users.id", primary_key=True)
    minute_of_day: int
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class HomeMilestone(SQLModel, table=True):
    """The line on a client's home they chose to see (issue 18 item 11): days without use in
    the last two weeks, or days since a date of their own. Off unless they turn it on."""

    __tablename__ = "home_milestones"

    client_id: int = Field(foreign_key="users.id", primary_key=True)
    kind: str = Field(max_length=16)          # "without_use" or "since"
    since_day: Optional[date] = None          # for "since": the client's own date
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class CalendarSubscription(SQLModel, table=True):
    """A person's private calendar feed (/calendar/<token>.ics). Only the token's SHA-256 is
    kept; a revoked feed has no hash, so an unknown and a revoked token look up alike. The
    client's choices (site name, sessions they'll miss left out) live here, and so do the
    feed's last ETag and when its content last changed (for 304s and Last-Modified)."""

    __tablename__ = "calendar_subscriptions"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    token_hash: Optional[str] = Field(default=None, max_length=64,
                                      sa_column_kwargs={"unique": True})
    show_site: bool = False
    skip_not_going: bool = False
    content_etag: str = Field(default="", max_length=64)
    content_changed_at: Optional[datetime] = Field(default=None, sa_column=_utc(nullable=True))
    last_fetched_at: Optional[datetime] = Field(default=None, sa_column=_utc(nullable=True))
    fetch_count: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    revoked_at: Optional[datetime] = Field(default=None, sa_column=_utc(nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class CalendarSequence(SQLModel, table=True):
    """RFC 5545 SEQUENCE of one event (`uid`) as one person's calendar has seen it: raised,
    never lowered, whenever what the event says (`fingerprint`) changes. `changed_at` is the
    event's DTSTAMP, so an unchanged event is byte-for-byte the same file after file."""

    __tablename__ = "calendar_sequences"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    uid: str = Field(max_length=160, primary_key=True)
    sequence: int = 0
    fingerprint: str = Field(max_length=64)
    changed_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class TherapySession(SQLModel, table=True):
    """That an individual, family or group session with a client took place, with one
    optional agreed next step. Clinical notes stay in the clinic's record system."""

    __tablename__ = "therapy_sessions"
    __table_args__ = (sa.Index("ix_therapy_sessions_client_day", "client_id", "day"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="users.id")
    therapist_id: int = Field(foreign_key="users.id")
    day: date  # the clinic's calendar day it took place
    kind: str = Field(max_length=16)  # individual / family / group
    next_step: str = Field(default="", sa_column=_secret())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
