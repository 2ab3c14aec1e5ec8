"""The one rule for a phone number a person types (safety plan, aftercare plan): a number a
phone can call from a tap.

Plausible: a 10-digit North American (NANP) number — area code and exchange each start 2–9 —
optionally after +1 or 1, with spaces, dots, dashes or brackets between; or one of the
three-digit lines 988, 911 and 211. Anything else ("555 12", a 7-digit local number, "call
her") is refused with `PROBLEM`, so it never becomes a `tel:` link that rings nobody.
"""
from __future__ import annotations

import re

MAX_LENGTH = 25
SHORT_LINES = ("988", "911", "211")
PROBLEM = ("doesn't look like a phone number: use the 10 digits with the area code "
           "(like 555-555-0142), or 988, 911 or 211")
_SEPARATORS = re.compile(r"[\s().\-]")
_NANP = re.compile(r"^(?:\+?1)?([2-9]\d{2}[2-9]\d{6})$")


def dialable(phone: str) -> str | None:
    """The digits to dial ("5555550142", "988"), or None when the number is not plausible."""
    if not isinstance(phone, str) or len(phone) > MAX_LENGTH:
        return None
    compact = _SEPARATORS.sub("", phone.strip())
    if compact in SHORT_LINES:
        return compact
    found = _NANP.match(compact)
    return found.group(1) if found else None


def plausible(phone: str) -> bool:
    return dialable(phone) is not None


def tel(phone: str) -> str | None:
    """The `tel:` link for a plausible number (a 10-digit one in its +1 form), else None."""
    digits = dialable(phone)
    if digits is None:
        return None
    return f"tel:{digits}" if digits in SHORT_LINES else f"tel:+1{digits}"
