"""SQLModel tables. Every table holding a client's data carries `client_id` and UTC times.

The schema itself is created by the Alembic migrations in `migrations/`, never by
`create_all`, so the schema under test is the one users get.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from companion.timeutil import UTCDateTime, utcnow


class Role(StrEnum):
    CLIENT = "client"
    THERAPIST = "therapist"
    ADMIN = "admin"
    ALUMNI = "alumni"


STAFF_ROLES = frozenset({Role.THERAPIST, Role.ADMIN})
CLIENT_ROLES = frozenset({Role.CLIENT, Role.ALUMNI})


def _utc(**kw) -> sa.Column:
    return sa.Column(UTCDateTime(), **kw)


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
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


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
    """Failed sign-ins per typed username (existing or not, so lockout reveals nothing)."""

    __tablename__ = "login_throttle"

    username: str = Field(max_length=200, primary_key=True)
    failed_count: int = 0
    locked_until: Optional[datetime] = Field(default=None, sa_column=_utc(nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class AuditEvent(SQLModel, table=True):
    """Append-only: who did what to which client's record, when."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_client_at", "client_id", "at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False, index=True))
    actor_id: Optional[int] = Field(default=None, foreign_key="users.id")
    actor_role: str = Field(max_length=16)
    action: str = Field(max_length=16)
    record_kind: str = Field(max_length=32)
    client_id: Optional[int] = Field(default=None, foreign_key="users.id")
    detail: str = Field(default="", max_length=500)
