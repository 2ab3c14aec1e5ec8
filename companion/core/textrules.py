"""Which characters typed text may hold when it is saved: the one place for that rule.

Every service that stores text a person typed checks it here, field by field, so a refusal
names the field and keeps everything typed (the form shows the message beside it). Refused:

- control characters (C0, DEL, C1; NUL breaks PostgreSQL, CR/LF broke calendar files): none
  in single-line fields (names, labels, links, short answers); multi-line fields (notes,
  plan sections, long answers) may hold line breaks (LF) and tabs, nothing else;
- invisible formatting characters that can hide or reorder what a reader sees: zero-width
  characters and directional marks (U+200B–U+200F), directional embeddings, overrides and
  isolates (U+202A–U+202E, U+2066–U+2069), line and paragraph separators (U+2028, U+2029),
  the byte-order mark (U+FEFF), word joiner and invisible operators (U+2060–U+2064),
  U+061C, U+180E, U+206A–U+206F, U+FFF9–U+FFFB, and tag characters (U+E0000–U+E007F);
- unpaired surrogates (they cannot be stored as UTF-8).

Kept, because people type them on phones and they hide nothing: the zero-width joiner inside
an emoji sequence (👩‍👩‍👧), the joiners (U+200C, U+200D) between letters of scripts that
spell with them (Arabic, Persian, the Indic scripts), and tag characters inside a
subdivision flag (🏴 England, Scotland, Wales).
"""
from __future__ import annotations

import unicodedata

from companion.core.errors import InvalidInput, TooLong

ZWNJ, ZWJ = "\u200c", "\u200d"
BLACK_FLAG, CANCEL_TAG = "\U0001f3f4", "\U000e007f"
_HIDDEN_RANGES = ((0x061C, 0x061C), (0x180E, 0x180E), (0x200B, 0x200F), (0x2028, 0x202E),
                  (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB),
                  (0xE0000, 0xE007F))
# Scripts whose spelling uses ZWNJ/ZWJ between letters: Arabic (with Syriac, Thaana, NKo
# and the Arabic extensions and presentation forms) and the Indic scripts through Sinhala.
_JOINING_SCRIPTS = ((0x0600, 0x08FF), (0x0900, 0x0DFF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFC))
_EMOJI_MODIFIERS = (0x1F3FB, 0x1F3FF)  # skin tones
_VARIATION_SELECTORS = ("\ufe0e", "\ufe0f")
_CONTROL_NAMES = {"\x00": "null", "\t": "tab", "\n": "line break", "\r": "carriage return",
                  "\x1b": "escape", "\x7f": "delete", "\x85": "next line"}


def _within(ch: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in ranges)


def _emoji_part(ch: str) -> bool:
    return unicodedata.category(ch) == "So" or _within(ch, (_EMOJI_MODIFIERS,))


def _joining_letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM" and _within(ch, _JOINING_SCRIPTS)


def _joiner_kept(text: str, i: int) -> bool:
    """A ZWNJ/ZWJ at `i` that joins what it sits between (an emoji, or letters)."""
    before = text[:i].rstrip("".join(_VARIATION_SELECTORS))
    if not before or i + 1 >= len(text):
        return False
    prev, following = before[-1], text[i + 1]
    if text[i] == ZWJ and _emoji_part(prev) and _emoji_part(following):
        return True
    return _joining_letter(prev) and _joining_letter(following)


def _flag_tags(text: str) -> set[int]:
    """Positions of tag characters that spell a subdivision flag: 🏴 + tags + cancel tag."""
    kept: set[int] = set()
    start = text.find(BLACK_FLAG)
    while start != -1:
        end = start + 1
        while end < len(text) and 0xE0020 <= ord(text[end]) <= 0xE007E:
            end += 1
        if end > start + 1 and end < len(text) and text[end] == CANCEL_TAG:
            kept.update(range(start + 1, end + 1))
        start = text.find(BLACK_FLAG, end)
    return kept


def _describe(ch: str) -> str:
    code = f"U+{ord(ch):04X}"
    name = _CONTROL_NAMES.get(ch) or unicodedata.name(ch, "").lower()
    return f"{code}, {name}" if name else code


def problem(text: str, *, multiline: bool = False, subject: str = "This") -> str | None:
    """Why `text` can't be saved as typed (a sentence beginning with `subject`, fit to show
    beside the field), or None. `multiline`: the field may hold line breaks and tabs."""
    flags = None
    for i, ch in enumerate(text):
        if ch in "\n\t" and multiline:
            continue
        category = unicodedata.category(ch)
        if ch == "\n":
            return f"{subject} has a line break, but it holds one line. Please join the lines."
        if ch == "\t":
            return f"{subject} has a tab character. Please use a space instead."
        if category == "Cc":
            return (f"{subject} has a hidden control character ({_describe(ch)}) that we "
                    "can't save. Please retype it.")
        if category == "Cs":
            return (f"{subject} has a broken character ({_describe(ch)}) that we can't save. "
                    "Please retype it.")
        if _within(ch, _HIDDEN_RANGES):
            if ch in (ZWNJ, ZWJ) and _joiner_kept(text, i):
                continue
            if 0xE0000 <= ord(ch) <= 0xE007F:
                flags = _flag_tags(text) if flags is None else flags
                if i in flags:
                    continue
            return (f"{subject} has a hidden formatting character ({_describe(ch)}) that we "
                    "can't save. Please retype it.")
    return None


def check(errors: dict[str, str], field: str, text: str, *, multiline: bool = False,
          subject: str = "This") -> None:
    """Note `field`'s character problem in `errors`, unless the field has a message already."""
    if field not in errors and (found := problem(text, multiline=multiline, subject=subject)):
        errors[field] = found


def require(text: str, *, multiline: bool = False, subject: str = "This") -> str:
    """`text` itself, or `InvalidInput` with the problem (for one-field actions)."""
    found = problem(text, multiline=multiline, subject=subject)
    if found:
        raise InvalidInput(found)
    return text


def clean(text: str | None) -> str:
    """Plain text, trimmed; over-long text is refused by validation, never cut silently."""
    return (text or "").strip()


def too_long(text: str, limit: int, *, subject: str = "This") -> TooLong | None:
    """Why `text` is too long to save (with its count, the limit and how much to cut), or
    None. Text boxes take whatever is typed or pasted (no `max_chars` in the browser, which
    drops an over-long paste without a word): the save is refused here instead, and the box
    keeps the text."""
    count = len(text or "")
    if count <= limit:
        return None
    return TooLong(f"{subject} is {count:,} characters; the most it can hold is {limit:,}. "
                   f"Shorten it by {count - limit:,} and save again — nothing you typed "
                   "was lost.")


def check_length(errors: dict[str, str], field: str, text: str, limit: int, *,
                 subject: str = "This") -> None:
    """Note in `errors` that `field` is over `limit` (the length message wins over others)."""
    if found := too_long(text, limit, subject=subject):
        errors[field] = found


def require_length(text: str, limit: int, *, subject: str = "This") -> str:
    """`text` itself, or `InvalidInput` saying it is over `limit` (for one-field actions)."""
    if found := too_long(text, limit, subject=subject):
        raise InvalidInput(found)
    return text
