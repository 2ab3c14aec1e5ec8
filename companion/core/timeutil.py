"""Time: stored in UTC, shown and reasoned about in the clinic's zone."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

from companion.core.config import get_settings


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(get_settings().clinic_timezone)


def to_clinic(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(clinic_zone())


def clinic_today(now: datetime | None = None) -> date:
    """The clinic's calendar day: what "today" means for a check-in."""
    return to_clinic(now or utcnow()).date()


def show(moment: datetime | None, fmt: str = "%a %b %-d, %-I:%M %p") -> str:
    return "—" if moment is None else to_clinic(moment).strftime(fmt)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC on every backend and always returns an aware UTC datetime."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)
