"""Occurrences of a weekly group: the series' iCalendar rule (RRULE text), its expansion into
sessions with moves and cancellations applied, and the words for a schedule and a time.

Time: every moment is stored in UTC. A series keeps its first start (DTSTART) and an
iCalendar RRULE; the rule is expanded in the series' local zone and each occurrence is then
converted to UTC, so a Monday 6 pm group stays at 6 pm local across daylight-saving changes.
An occurrence is named by its series and its original start (`occurrence_at`, RFC 5545's
RECURRENCE-ID), which stays the same when that one occurrence is moved.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from sqlmodel import Session, col, select

from companion import i18n, run_context
from companion.core.errors import NotFound
from companion.core.timeutil import to_clinic
from companion.models import GroupException, GroupSeries

SCHEDULED, MOVED, CANCELLED = "scheduled", "moved", "cancelled"
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, eq=False)
class Occurrence:
    series: GroupSeries
    occurrence_at: datetime   # the original start: the occurrence's name
    starts_at: datetime       # as held (a move changes these)
    ends_at: datetime
    status: str = SCHEDULED
    note: str = ""

    @property
    def key(self) -> str:
        return f"{self.series.id}@{int(self.occurrence_at.timestamp())}"

    @property
    def cancelled(self) -> bool:
        return self.status == CANCELLED

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def title(self) -> str:
        return self.series.title


def parse_key(key: str) -> tuple[int, datetime]:
    try:
        series_id, stamp = key.split("@")
        return int(series_id), datetime.fromtimestamp(int(stamp), timezone.utc)
    except (ValueError, OverflowError):
        raise NotFound("That session no longer exists.") from None


def _zone(series: GroupSeries) -> ZoneInfo:
    return ZoneInfo(series.tzid)


def _local_naive(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def _to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    return local.replace(tzinfo=zone).astimezone(timezone.utc)


def _planned(series: GroupSeries, start: datetime, end: datetime) -> list[datetime]:
    """Original starts (UTC) in [start, end): the rule expanded in local time."""
    zone = _zone(series)
    rule = rrulestr(series.rrule, dtstart=_local_naive(series.starts_at, zone))
    low = _local_naive(start, zone) - timedelta(days=1)
    high = _local_naive(end, zone) + timedelta(days=1)
    moments = (_to_utc(local, zone) for local in rule.between(low, high, inc=True))
    return [at for at in moments if start <= at < end]


def _held_until(series: GroupSeries, at: datetime) -> datetime:
    """The end (UTC) of the occurrence that starts at `at`: its length on the local clock,
    so a 1–3 am session on the night the clocks change still ends at 3 am local."""
    zone = _zone(series)
    local_end = _local_naive(at, zone) + timedelta(minutes=series.duration_minutes)
    return _to_utc(local_end, zone)


def _is_planned(series: GroupSeries, at: datetime) -> bool:
    return at in _planned(series, at - timedelta(minutes=1), at + timedelta(minutes=1))


def _expand(session: Session, series_list: list[GroupSeries], start: datetime, end: datetime
            ) -> list[Occurrence]:
    if not series_list:
        return []
    ids = {s.id for s in series_list}
    longest = timedelta(minutes=max(s.duration_minutes for s in series_list))
    exceptions = [e for e in _exceptions_around(session, start - longest, end)
                  if e.series_id in ids
                  and ((start - longest <= e.occurrence_at < end)
                       or (e.status == MOVED and e.starts_at < end and e.ends_at > start))]
    by_key = {(e.series_id, e.occurrence_at): e for e in exceptions}
    out = []
    for series in series_list:
        length = timedelta(minutes=series.duration_minutes)
        originals = set(_planned(series, start - length, end))  # those still running count
        originals |= {e.occurrence_at for e in exceptions if e.series_id == series.id
                      and e.occurrence_at not in originals and _is_planned(series, e.occurrence_at)}
        for at in originals:
            exc = by_key.get((series.id, at))
            if exc is None:
                occ = Occurrence(series, at, at, _held_until(series, at))
            elif exc.status == MOVED:
                occ = Occurrence(series, at, exc.starts_at, exc.ends_at, MOVED, exc.note)
            else:
                occ = Occurrence(series, at, at, _held_until(series, at), CANCELLED,
                                 exc.note)
            if occ.starts_at < end and occ.ends_at > start:
                out.append(occ)
    return sorted(out, key=lambda o: (o.starts_at, o.series.title, o.series.id))


def _all_series(session: Session) -> list[GroupSeries]:
    """Every series (a clinic has tens), cached per clinic-data version (run_context)."""
    return run_context.cached("group_series", (), lambda: list(session.exec(
        select(GroupSeries).order_by(GroupSeries.id))), session)


def _exceptions_around(session: Session, start: datetime, end: datetime
                       ) -> list[GroupException]:
    """Every series' exceptions that may touch [start, end), read for whole UTC days around
    it so that one cached read serves a day of runs; callers filter to their window."""
    low = datetime.combine(start.astimezone(timezone.utc).date(), datetime.min.time(),
                           timezone.utc)
    high = datetime.combine(end.astimezone(timezone.utc).date() + timedelta(days=1),
                            datetime.min.time(), timezone.utc)
    return run_context.cached("group_exceptions", (low, high), lambda: list(session.exec(
        select(GroupException).where(
            ((GroupException.occurrence_at >= low) & (GroupException.occurrence_at < high))
            | ((GroupException.status == MOVED) & (GroupException.starts_at < high)
               & (GroupException.ends_at > low))))), session)


def occurrences(session: Session, start: datetime, end: datetime, *, track: str | None = None,
                location: str | None = None, facilitator_id: int | None = None,
                series_ids: list[int] | None = None) -> list[Occurrence]:
    """Every occurrence touching [start, end), moves and cancellations applied, by start."""
    wanted = [s for s in _all_series(session)
              if s.starts_at < end + timedelta(days=60)
              and (track is None or s.track == track)
              and (location is None or s.location == location)
              and (facilitator_id is None or s.facilitator_id == facilitator_id)
              and (series_ids is None or s.id in series_ids)]
    return _expand(session, wanted, start, end)


def get_occurrence(session: Session, series_id: int, occurrence_at: datetime) -> Occurrence:
    series = session.get(GroupSeries, series_id)
    if series is not None:
        for occ in _expand(session, [series], occurrence_at - timedelta(minutes=1),
                           occurrence_at + timedelta(minutes=1)):
            if occ.occurrence_at == occurrence_at:
                return occ
        exc = session.exec(select(GroupException).where(
            GroupException.series_id == series_id,
            GroupException.occurrence_at == occurrence_at)).first()
        if exc is not None and exc.status == MOVED:
            return Occurrence(series, occurrence_at, exc.starts_at, exc.ends_at, MOVED, exc.note)
    raise NotFound("That session no longer exists.")


def occurrence_by_key(session: Session, key: str) -> Occurrence:
    return get_occurrence(session, *parse_key(key))


# --- Rules (RRULE text) -----------------------------------------------------------------------


def rule_text(weekdays: list[int], every_weeks: int = 1, until: date | None = None) -> str:
    parts = ["FREQ=WEEKLY"]
    if every_weeks > 1:
        parts.append(f"INTERVAL={every_weeks}")
    parts.append("BYDAY=" + ",".join(WEEKDAYS[d] for d in sorted(set(weekdays))))
    if until is not None:
        parts.append(f"UNTIL={until:%Y%m%d}T235959")
    return ";".join(parts)


def _rule_parts(text: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in text.split(";") if "=" in part)


def rule_weekdays(series: GroupSeries) -> list[int]:
    return [WEEKDAYS.index(d) for d in _rule_parts(series.rrule).get("BYDAY", "").split(",")
            if d in WEEKDAYS]


def rule_until(series: GroupSeries) -> date | None:
    until = _rule_parts(series.rrule).get("UNTIL")
    return datetime.strptime(until[:8], "%Y%m%d").date() if until else None


def describe(series: GroupSeries) -> str:
    """"Mondays and Wednesdays, 6:00–7:30 PM, until Mar 1" in the clinic's words."""
    days = [WEEKDAY_NAMES[d] + "s" for d in rule_weekdays(series)]
    days_text = " and ".join([", ".join(days[:-1]), days[-1]] if len(days) > 1 else days)
    interval = int(_rule_parts(series.rrule).get("INTERVAL", 1))
    start = series.starts_at.astimezone(_zone(series))
    end = start + timedelta(minutes=series.duration_minutes)
    text = f"{days_text}, {_clock(start)}–{_clock(end)}"
    if interval > 1:
        text += f", every {interval} weeks"
    until = rule_until(series)
    text += f", from {start:%b %-d}" + (f" until {until:%b %-d, %Y}" if until else "")
    return text


def _clock(moment: datetime) -> str:
    return moment.strftime("%-I:%M %p").replace(":00 ", " ")


def when(occ: Occurrence) -> str:
    """"Mon Mar 1, 6 PM–7:30 PM" in the clinic's zone; in Spanish "lun, 1 de mar, 6:00 p.m.–7:30
    p.m." (Babel, this run's language)."""
    start, end = to_clinic(occ.starts_at), to_clinic(occ.ends_at)
    if i18n.current() != i18n.DEFAULT:
        return i18n._("{day}, {start}–{end}").format(
            day=i18n.format_short_day(occ.starts_at), start=i18n.format_time(occ.starts_at),
            end=i18n.format_time(occ.ends_at))
    return f"{start:%a %b %-d}, {_clock(start)}–{_clock(end)}"
