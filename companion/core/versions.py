"""Records kept as versions: every save adds a row with the next version number and the
earlier rows stay, for the clinician who may rely on them.

A save names the version its form was loaded with (`expected_version`; 0 for "nothing yet",
None for "whatever is current": last writer wins, as attendance marks do). Then:

- content the same as the current version's writes nothing and returns the current row.
  A double-tapped Save arrives as a second submission that carries the version the form was
  loaded with (now one behind) and the same content: it gets the row the first tap saved;
- otherwise, an expected version that is not the current one is refused with `StaleEdit`
  naming what changed there since the form was loaded, and nothing is written;
- two saves racing for one version number: the table's unique constraint on
  (record, version) lets one in; the other, inside a SAVEPOINT, gets the same answers as
  above against the winner's row.

Content is compared as it is stored (cleaned), as a dict from a readable name ("Mood", a
section's title) to a value; the names are what a stale-edit message lists.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generic, Mapping, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from companion.core.errors import StaleEdit
from companion.i18n import format_list, gettext, ngettext

R = TypeVar("R", bound=SQLModel)
Content = dict[str, Any]
Key = Mapping[str, Any]   # the columns that name one record, e.g. {"client_id": 7, "day": d}
MAX_NAMED = 5             # a stale-edit message names this many changes, then counts the rest


@dataclass(frozen=True)
class Versioned(Generic[R]):
    """How one kind of record keeps its versions.

    `content` reads a saved version's content by readable name (English, marked with `N_`,
    shown in the reader's language). The messages (English, marked with `N_`, translated
    when raised) hold "{changed}" where ": Mood and Note changed there" goes (or nothing,
    when that is not known). `flag` is the boolean column marking the current version, or None where the
    highest version is the current one. `blank` is the content of "nothing saved yet", to
    say what a first save from another screen filled in (None: don't say).
    """

    model: type[R]
    content: Callable[[Session, R], Content]
    stale: str
    parallel: str = ""          # when a parallel save took the version number; default stale
    flag: str | None = "is_current"
    blank: Content | None = None
    quote: bool = False         # put the names in quotes (long titles and questions)


@dataclass(frozen=True)
class Saved(Generic[R]):
    row: R          # the new version, or the current one when nothing changed
    created: bool   # False: nothing was written (an identical resubmission)


def _select(kind: Versioned[R], key: Key):
    model = kind.model
    return select(model).where(*(getattr(model, name) == value for name, value in key.items()))


def current(session: Session, kind: Versioned[R], key: Key) -> R | None:
    stmt = _select(kind, key)
    if kind.flag:
        return session.exec(stmt.where(col(getattr(kind.model, kind.flag)).is_(True))).first()
    return session.exec(stmt.order_by(col(kind.model.version).desc())).first()


def history(session: Session, kind: Versioned[R], key: Key) -> list[R]:
    """Every saved version, newest first."""
    return list(session.exec(_select(kind, key).order_by(col(kind.model.version).desc())))


def version(session: Session, kind: Versioned[R], key: Key, number: int) -> R | None:
    return session.exec(_select(kind, key).where(kind.model.version == number)).first()


def same(content: Content, stored: Content) -> bool:
    """Whether saving `content` would change nothing. A name the submission does not carry
    (a timer not run again) is not a change."""
    return all(stored.get(name) == value for name, value in content.items())


def changed(before: Content, after: Content) -> list[str]:
    """The names whose values differ, in the order the record lists them."""
    names = dict.fromkeys([*after, *before])
    return [name for name in names if before.get(name) != after.get(name)]


def save(session: Session, kind: Versioned[R], key: Key, content: Content, *,
         expected_version: int | None, new_row: Callable[[int], R]) -> Saved[R]:
    """Save `content` as the next version (`new_row(number)` builds it), by the rules above.
    The caller adds what hangs off a new row (tags, flags) only when `created`."""
    previous = current(session, kind, key)
    if previous is not None and same(content, kind.content(session, previous)):
        return Saved(previous, created=False)
    have = previous.version if previous else 0
    if expected_version is not None and expected_version != have:
        raise _stale(session, kind, key, expected_version, previous, kind.stale)
    row = new_row(have + 1)
    try:
        with session.begin_nested():
            if previous is not None and kind.flag:
                setattr(previous, kind.flag, False)
                session.add(previous)
            session.add(row)
            session.flush()
    except IntegrityError as exc:  # a parallel save took this version number
        winner = current(session, kind, key)
        if winner is not None and same(content, kind.content(session, winner)):
            return Saved(winner, created=False)
        loaded = have if expected_version is None else expected_version
        raise _stale(session, kind, key, loaded, winner, kind.parallel or kind.stale) from exc
    return Saved(row, created=True)


def _stale(session: Session, kind: Versioned[R], key: Key, loaded_version: int,
           now: R | None, message: str) -> StaleEdit:
    loaded = version(session, kind, key, loaded_version) if loaded_version else None
    before = kind.content(session, loaded) if loaded is not None else kind.blank
    names = [] if now is None or before is None else changed(before, kind.content(session, now))
    return StaleEdit(gettext(message).format(changed=_changed_there(names, kind.quote)), names)


def _changed_there(names: list[str], quote: bool) -> str:
    """': Mood and Note changed there', in the reader's language (the names too)."""
    if not names:
        return ""
    shown = [gettext(n) for n in names[:MAX_NAMED]]
    shown = [f"“{n}”" if quote else n for n in shown]
    if len(names) > MAX_NAMED:
        more = len(names) - MAX_NAMED
        shown.append(ngettext("{count} more", "{count} more", more).format(count=more))
    # Translators: goes after "…since you opened it" (or "…just saved from another screen"),
    # before the full stop; {names} lists what changed ("Mood and Note"); the form is for
    # how many things changed.
    return ngettext(": {names} changed there", ": {names} changed there",
                    len(names)).format(names=format_list(shown))


def since(rows: list[R], part: Callable[[R], Any], blank: Any = None) -> R | None:
    """For a record saved part by part (a plan's sections): the version from which `part`
    has been as it is now (`rows` newest first, as `history` gives them), so a page can say
    when that part was saved. None when nothing is saved, or when the part has never been
    anything but `blank` (it was never filled in)."""
    if not rows:
        return None
    now, found = part(rows[0]), rows[0]
    for row in rows[1:]:
        if part(row) != now:
            return found
        found = row
    return None if now == blank else found
