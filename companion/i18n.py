"""Languages (issue #20): gettext catalogs read with Babel, and dates, times, weekdays and
numbers formatted by Babel in the clinic's zone.

English strings are the message ids, so English needs no catalog and stays what it was.
Spanish lives in `companion/locale/es/LC_MESSAGES/companion.po`, read at run time with
Babel's `read_po` (no build step; fuzzy entries are left out, so an unchecked translation
shows in English). `make messages` extracts the strings from the code and updates the catalog.

The language of a run is set by the Streamlit side (`companion/ui/language.py`: the account's
language once signed in; on the sign-in page `?lang=` in the address, else the browser's
Accept-Language). Outside a run (CLI, tests) it is English unless `use()` says otherwise.
Messages take named placeholders only: `_("Saved {when}").format(when=…)`; never a sentence
glued together from translated pieces.
"""
from __future__ import annotations

import gettext as _gettext
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = {"en": "English", "es": "Español"}
DEFAULT = "en"
DOMAIN = "companion"
LOCALE_DIR = Path(__file__).with_name("locale")
# The Babel locale each language is formatted in: US English and US Spanish (the clinic's
# country), so "4:05 p. m.", "martes, 3 de marzo".
BABEL_LOCALES = {"en": "en_US", "es": "es_US"}
SESSION_KEY = "_language"  # this browser session's language, kept between runs

_current: ContextVar[str | None] = ContextVar("companion_language", default=None)


def po_file(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def normalise(language: object) -> str | None:
    """'es', 'es-MX', 'es_US', 'ES' -> 'es'; anything not offered -> None."""
    if not isinstance(language, str) or not language.strip():
        return None
    code = language.strip().replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The first offered language in an Accept-Language header, by its q weights."""
    if not header:
        return None
    ranked = []
    for position, part in enumerate(header.split(",")):
        tag, _sep, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        ranked.append((-weight, position, tag))
    for weight, _position, tag in sorted(ranked):
        if weight < 0 and (code := normalise(tag)):
            return code
    return None


def use(language: object) -> str:
    """Set this run's language (an unknown one means English); returns it."""
    code = normalise(language) or DEFAULT
    _current.set(code)
    state = _session_state()
    if state is not None:
        state[SESSION_KEY] = code
    return code


def forget() -> None:
    """End of a run: the next run decides again (widget callbacks, which run before it, read
    the session's language)."""
    _current.set(None)


def current() -> str:
    code = _current.get()
    if code is None:
        state = _session_state()
        code = state.get(SESSION_KEY) if state is not None else None
    return code or DEFAULT


def _session_state():
    """Streamlit's session state when called inside a script run (a callback too), else
    None: this module works without Streamlit."""
    import sys

    if "streamlit" not in sys.modules:
        return None
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    import streamlit as st

    return st.session_state


@lru_cache(maxsize=8)
def _load(language: str, _version: tuple[int, int]) -> _gettext.NullTranslations:
    with open(po_file(language), "rb") as fh:
        catalog = read_po(fh, locale=language, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def translations(language: str | None = None) -> _gettext.NullTranslations:
    """The catalog of `language` (default: this run's), re-read when the file changes."""
    code = normalise(language) or current()
    path = po_file(code)
    if code == DEFAULT or not path.exists():
        return _gettext.NullTranslations()
    stat = path.stat()
    return _load(code, (stat.st_mtime_ns, stat.st_size))


def gettext(message: str) -> str:
    return translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for `n` in this run's language (Spanish and English: one, other). The count
    goes in by name: `ngettext("{n} day", "{n} days", n).format(n=…)`."""
    return translations().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translations().pgettext(context, message)


_ = gettext


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined (a service's notice); it is
    translated where it is shown, with `gettext(message)`."""
    return message


# --- The clinic's own lists (data/clinic.toml) ----------------------------------------------

CLINIC_LIST = "clinic list"  # the msgctxt of a label from the clinic's file


def clinic_label(label: str) -> str:
    """A label the clinic wrote in English (a substance, trigger, coping skill, track or
    location), in this run's language if the catalog has it; anything else (a client's own
    trigger) as it was typed. Stored values stay the English labels, whatever the language.
    A skill the client practised (offered in the same lists) is named as its module says it
    in this language (data/skills)."""
    shown = pgettext(CLINIC_LIST, label)
    if shown == label and current() != DEFAULT:
        from companion.skill_modules import SkillContentError, skill_label

        try:
            shown = skill_label(label)
        except SkillContentError:  # broken content must not break a check-in
            pass
    return shown


def extract_clinic_lists(fileobj, keywords, comment_tags, options):
    """A Babel extractor for data/clinic.toml (babel.cfg): the labels of its lists, each in
    the "clinic list" context, so `make messages` keeps them in the catalog."""
    import tomllib

    raw = tomllib.loads(fileobj.read().decode("utf-8"))
    for name in ("substances", "triggers", "coping"):
        for label in raw.get(name, ()):
            yield 0, "pgettext", (CLINIC_LIST, label), [f"data/clinic.toml: {name}"]
    for name in ("tracks", "locations"):
        for choice in raw.get(name, ()):
            yield 0, "pgettext", (CLINIC_LIST, choice["label"]), [f"data/clinic.toml: {name}"]


def group_text(text: str) -> str:
    """A group's title or topic: the demo's (stored in English, marked in
    companion/groups/demo.py) in this run's language; what staff typed, as typed."""
    return gettext(text) if text else text


# --- Babel formatting, in the clinic's zone -----------------------------------------------

def babel_locale(language: str | None = None) -> Locale:
    return Locale.parse(BABEL_LOCALES[normalise(language) or current()])


def _zone():
    from companion.core.timeutil import clinic_zone

    return clinic_zone()


def _clinic_moment(moment: datetime) -> datetime:
    from companion.core.timeutil import to_clinic

    return to_clinic(moment)


def _english(language: str | None) -> bool:
    """English keeps the app's own formats exactly (strftime in the clinic's zone, as before
    this module); every other language is formatted by Babel from CLDR."""
    return (normalise(language) or current()) == DEFAULT


def format_time(moment: datetime, language: str | None = None) -> str:
    """'4:05 PM' / '4:05 p.m.': the clinic's wall clock."""
    if _english(language):
        from companion.core.timeutil import show

        return show(moment, "%-I:%M %p")
    return babel_dates.format_time(_clinic_moment(moment), "short", tzinfo=_zone(),
                                   locale=babel_locale(language))


def format_moment(moment: datetime | None, language: str | None = None) -> str:
    """'Tue Mar 3, 4:05 PM' / 'mar, 3 de mar, 4:05 p.m.' (a stored UTC time, clinic zone)."""
    if moment is None:
        return "—"
    if _english(language):
        from companion.core.timeutil import show

        return show(moment)
    local = _clinic_moment(moment)
    locale = babel_locale(language)
    day = babel_dates.format_skeleton("MMMEd", local, locale=locale)
    return f"{day}, {format_time(moment, language)}"


def format_short_day(moment: datetime, language: str | None = None) -> str:
    """'Tue Mar 3' / 'mar, 3 de mar' (a stored UTC time's day in the clinic's zone)."""
    if _english(language):
        from companion.core.timeutil import show

        return show(moment, "%a %b %-d")
    return babel_dates.format_skeleton("MMMEd", _clinic_moment(moment),
                                       locale=babel_locale(language))


@contextmanager
def speaking(language: object):
    """Outside a Streamlit run (the calendar feed, a CLI): this block in `language`, e.g. the
    account's, whatever the caller's; the caller's language is back afterwards."""
    token = _current.set(normalise(language) or DEFAULT)
    try:
        yield
    finally:
        _current.reset(token)


def format_day(day: date, language: str | None = None, width: str = "long") -> str:
    """A calendar day: 'Tuesday, March 3, 2026' / 'martes, 3 de marzo de 2026'."""
    return babel_dates.format_date(day, "full" if width == "long" else "medium",
                                   locale=babel_locale(language))


def format_short_day(day: date, language: str | None = None) -> str:
    """A day in a line of text: 'Tue Mar 3' / 'mar, 3 mar' (no year)."""
    if _english(language):
        return f"{day:%a %b %-d}"
    return babel_dates.format_skeleton("MMMEd", day, locale=babel_locale(language))


def format_month_day(day: date, language: str | None = None) -> str:
    """'Mar 3' / '3 mar'."""
    if _english(language):
        return f"{day:%b %-d}"
    return babel_dates.format_skeleton("MMMd", day, locale=babel_locale(language))


def format_month(day: date, language: str | None = None) -> str:
    """A month: 'March 2026' / 'marzo de 2026'."""
    if _english(language):
        return f"{day:%B %Y}"
    return babel_dates.format_skeleton("yMMMM", day, locale=babel_locale(language))


def weekday_name(day: date, language: str | None = None, width: str = "wide") -> str:
    """'Tuesday' / 'martes' ('abbreviated': 'Tue' / 'mar')."""
    return babel_dates.format_date(day, "EEEE" if width == "wide" else "EEE",
                                   locale=babel_locale(language))


def format_list(items: list[str], language: str | None = None) -> str:
    """'a, b and c' / 'a, b y c'. English keeps the app's own style (no serial comma)."""
    items = list(items)
    if (normalise(language) or current()) == DEFAULT:
        return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
    from babel.lists import format_list as babel_list

    return babel_list(items, locale=babel_locale(language))


def format_number(value, language: str | None = None) -> str:
    """7.5 -> '7.5'; 12000 -> '12,000' in both (US Spanish, like Mexico's, writes numbers as
    US English does)."""
    return babel_numbers.format_decimal(value, locale=babel_locale(language))
