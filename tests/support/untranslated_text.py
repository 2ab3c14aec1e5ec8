"""Untranslated catalog strings on a Spanish screen (issue #20), for AppTests and browser
tests alike: `untranslated(texts)` returns the visible strings that are (or contain) an
English msgid the Spanish catalog translates, i.e. text that should have gone through `_()`.

A msgid counts when its Spanish msgstr differs from it (so "PHQ-9" or "No", the same in both,
never count). A visible string counts when, after markdown emphasis, backslash escapes and
extra spaces are taken away:
- it is a msgid (a label, a button, a heading), or
- it matches a msgid with placeholders ("Saved {when}" matches "Saved Tue Mar 3, 4:05 PM"), or
- it holds a msgid of three words or more somewhere inside (a sentence inside a paragraph).
Text a person typed is theirs: tests fill Spanish answers, so it does not match.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from babel.messages.pofile import read_po

from companion import i18n

_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:![rsa])?(?::[^{}]*)?\}")
_SPACES = re.compile(r"\s+")
LONG = 3  # words in a msgid that is looked for inside longer text


def normalise(text: str) -> str:
    """What a reader sees: no markdown emphasis or backslash escapes, no word joiners, one
    space between words, typographic quotes as typed."""
    text = str(text).replace("\u2060", "").replace("\u00a0", " ")
    text = _ESCAPE.sub(r"\1", _EMPHASIS.sub("", text))
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=1)
def _catalog_ids() -> tuple[frozenset[str], tuple[re.Pattern, ...], tuple[str, ...]]:
    with open(i18n.po_file("es"), "rb") as fh:
        catalog = read_po(fh, locale="es")
    exact: set[str] = set()
    patterns: list[re.Pattern] = []
    inside: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        strings = (message.string if isinstance(message.string, (list, tuple))
                   else (message.string,))
        for msgid in ids:
            shown = normalise(msgid)
            if not shown or all(normalise(s) == shown for s in strings if s):
                continue  # the same in both languages (or no Spanish): never a finding
            pieces = _PLACEHOLDER.split(shown)
            if len(pieces) == 1:
                exact.add(shown)
                if len(shown.split()) >= LONG:
                    inside.append(shown)
            elif len(" ".join(pieces).split()) >= 2 or sum(
                    c.isalpha() for c in "".join(pieces)) >= 8:
                # not "{a} · {b}", nor "{instrument} total", whose one word ends Spanish too
                patterns.append(re.compile(
                    "^" + ".+?".join(re.escape(p) for p in pieces) + "$", re.DOTALL))
                inside.extend(p.strip() for p in pieces if len(p.split()) >= LONG)
    return frozenset(exact), tuple(patterns), tuple(sorted(set(inside), key=len, reverse=True))


def untranslated(texts: Iterable[str]) -> list[str]:
    """The visible strings among `texts` (each line on its own) that are English catalog
    strings with a Spanish translation: an empty list on a fully Spanish screen."""
    exact, patterns, inside = _catalog_ids()
    found: list[str] = []
    for text in texts:
        for line in str(text).splitlines() or [""]:
            shown = normalise(line)
            if not shown:
                continue
            if (shown in exact or any(p.match(shown) for p in patterns)
                    or any(_word_bounded(piece, shown) for piece in inside)):
                found.append(shown)
    return list(dict.fromkeys(found))


def _word_bounded(piece: str, text: str) -> bool:
    at = text.find(piece)
    while at >= 0:
        before = text[at - 1] if at else " "
        after = text[at + len(piece)] if at + len(piece) < len(text) else " "
        if not (before.isalnum() or after.isalnum()):
            return True
        at = text.find(piece, at + 1)
    return False
