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

Each message is one whole sentence in the catalog (issue #20), with the field it is about as
`{subject}`: callers pass the field's name already translated (`subject=_("Your note")`);
without one it is "This" in the reader's language. Counts are formatted for the reader.
"""
from __future__ import annotations

import unicodedata

from companion.core.errors import InvalidInput, TooLong
from companion.i18n import _, format_number, ngettext, pgettext

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


def _character_names() -> dict[str, str]:
    """The characters a message names in the reader's language: the controls, and the hidden
    ones people paste most (in English, these are their Unicode names, lower case). Any other
    is named by Unicode in English, and by its code alone in other languages."""
    return {"\x00": pgettext("character", "null"), "\t": pgettext("character", "tab"),
            "\n": pgettext("character", "line break"),
            "\r": pgettext("character", "carriage return"),
            "\x1b": pgettext("character", "escape"), "\x7f": pgettext("character", "delete"),
            "\x85": pgettext("character", "next line"),
            "\u200b": pgettext("character", "zero width space"),
            "\u200c": pgettext("character", "zero width non-joiner"),
            "\u200d": pgettext("character", "zero width joiner"),
            "\u200e": pgettext("character", "left-to-right mark"),
            "\u200f": pgettext("character", "right-to-left mark"),
            "\u202a": pgettext("character", "left-to-right embedding"),
            "\u202b": pgettext("character", "right-to-left embedding"),
            "\u202c": pgettext("character", "pop directional formatting"),
            "\u202d": pgettext("character", "left-to-right override"),
            "\u202e": pgettext("character", "right-to-left override"),
            "\u2028": pgettext("character", "line separator"),
            "\u2029": pgettext("character", "paragraph separator"),
            "\u2060": pgettext("character", "word joiner"),
            "\ufeff": pgettext("character", "zero width no-break space")}


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
    from companion import i18n

    code = f"U+{ord(ch):04X}"
    name = _character_names().get(ch)
    if name is None and i18n.current() == i18n.DEFAULT:
        name = unicodedata.name(ch, "").lower()
    return f"{code}, {name}" if name else code


def _subject(subject: str | None) -> str:
    # Translators: what a message about a field's text begins with when the field has no name.
    return pgettext("field", "This") if subject is None else subject


def problem(text: str, *, multiline: bool = False, subject: str | None = None) -> str | None:
    """Why `text` can't be saved as typed (a sentence about `subject`, the field's name in the
    reader's language, fit to show beside the field), or None. `multiline`: the field may
    hold line breaks and tabs."""
    flags = None
    for i, ch in enumerate(text):
        if ch in "\n\t" and multiline:
            continue
        category = unicodedata.category(ch)
        if ch == "\n":
            return _("{subject} has a line break, but it holds one line. Please join the "
                     "lines.").format(subject=_subject(subject))
        if ch == "\t":
            return _("{subject} has a tab character. Please use a space instead.").format(
                subject=_subject(subject))
        if category == "Cc":
            return _("{subject} has a hidden control character ({character}) that we can't "
                     "save. Please retype it.").format(subject=_subject(subject),
                                                       character=_describe(ch))
        if category == "Cs":
            return _("{subject} has a broken character ({character}) that we can't save. "
                     "Please retype it.").format(subject=_subject(subject),
                                                 character=_describe(ch))
        if _within(ch, _HIDDEN_RANGES):
            if ch in (ZWNJ, ZWJ) and _joiner_kept(text, i):
                continue
            if 0xE0000 <= ord(ch) <= 0xE007F:
                flags = _flag_tags(text) if flags is None else flags
                if i in flags:
                    continue
            return _("{subject} has a hidden formatting character ({character}) that we "
                     "can't save. Please retype it.").format(subject=_subject(subject),
                                                             character=_describe(ch))
    return None


def check(errors: dict[str, str], field: str, text: str, *, multiline: bool = False,
          subject: str | None = None) -> None:
    """Note `field`'s character problem in `errors`, unless the field has a message already."""
    if field not in errors and (found := problem(text, multiline=multiline, subject=subject)):
        errors[field] = found


def require(text: str, *, multiline: bool = False, subject: str | None = None) -> str:
    """`text` itself, or `InvalidInput` with the problem (for one-field actions)."""
    found = problem(text, multiline=multiline, subject=subject)
    if found:
        raise InvalidInput(found)
    return text


def clean(text: str | None) -> str:
    """Plain text, trimmed; over-long text is refused by validation, never cut silently."""
    return (text or "").strip()


def too_long(text: str, limit: int, *, subject: str | None = None) -> TooLong | None:
    """Why `text` is too long to save (with its count, the limit and how much to cut), or
    None. Text boxes take whatever is typed or pasted (no `max_chars` in the browser, which
    drops an over-long paste without a word): the save is refused here instead, and the box
    keeps the text."""
    count = len(text or "")
    if count <= limit:
        return None
    over = count - limit
    # Translators: {over} is how many characters to take out (the form for it).
    return TooLong(ngettext(
        "{subject} is {count} characters; the most it can hold is {limit}. Shorten it by "
        "{over} and save again — nothing you typed was lost.",
        "{subject} is {count} characters; the most it can hold is {limit}. Shorten it by "
        "{over} and save again — nothing you typed was lost.", over).format(
        subject=_subject(subject), count=format_number(count), limit=format_number(limit),
        over=format_number(over)))


def check_length(errors: dict[str, str], field: str, text: str, limit: int, *,
                 subject: str | None = None) -> None:
    """Note in `errors` that `field` is over `limit` (the length message wins over others)."""
    if found := too_long(text, limit, subject=subject):
        errors[field] = found


def require_length(text: str, limit: int, *, subject: str | None = None) -> str:
    """`text` itself, or `InvalidInput` saying it is over `limit` (for one-field actions)."""
    if found := too_long(text, limit, subject=subject):
        raise InvalidInput(found)
    return text
