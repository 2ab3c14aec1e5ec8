"""Untranslated catalog strings on a Spanish staff screen (issue #20): `untranslated(texts)`
returns the visible strings that are, or hold, an English msgid the Spanish catalog
translates, i.e. English that should have gone through `_()`.

A msgid counts only when its Spanish differs from it ("PHQ-9", "No", "Plan" never count).
A visible line counts when, emphasis, escapes and extra spaces taken away, it is a msgid,
matches a msgid with placeholders ("Needs attention {n}" matches "Needs attention (3)"), or
holds a msgid of three words or more inside it. What people typed is theirs: the tests type
Spanish, or words that are in no msgid.
(tests/support/untranslated.py, made for the client pages on another branch, does the same;
this copy keeps the two branches from clashing. Once both are on main, one can go.)
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from babel.messages.pofile import read_po

from companion import i18n

_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
_SPACES = re.compile(r"\s+")
LONG = 3  # words a msgid needs to be looked for inside a longer line


def normalise(text: str) -> str:
    text = str(text).replace("\u2060", "").replace("\u00a0", " ")
    return _SPACES.sub(" ", _ESCAPE.sub(r"\1", _EMPHASIS.sub("", text))).strip()


@lru_cache(maxsize=1)
def _catalog() -> tuple[frozenset[str], tuple[re.Pattern, ...], tuple[str, ...]]:
    with open(i18n.po_file("es"), "rb") as fh:
        catalog = read_po(fh, locale="es")
    exact, patterns, inside = set(), [], []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        strings = (message.string if isinstance(message.string, (list, tuple))
                   else (message.string,))
        for msgid in ids:
            shown = normalise(msgid)
            if not shown or all(normalise(s) == shown for s in strings if s):
                continue
            pieces = _PLACEHOLDER.split(shown)
            if len(pieces) == 1:
                exact.add(shown)
                if len(shown.split()) >= LONG:
                    inside.append(shown)
            elif sum(c.isalpha() for c in "".join(pieces)) >= 3:  # not "{a} · {b}"
                patterns.append(re.compile(
                    "^" + ".+?".join(re.escape(p) for p in pieces) + "$", re.DOTALL))
                inside.extend(p.strip() for p in pieces if len(p.split()) >= LONG)
    return frozenset(exact), tuple(patterns), tuple(sorted(set(inside), key=len, reverse=True))


def _bounded(piece: str, text: str) -> bool:
    at = text.find(piece)
    while at >= 0:
        before = text[at - 1] if at else " "
        after = text[at + len(piece)] if at + len(piece) < len(text) else " "
        if not (before.isalnum() or after.isalnum()):
            return True
        at = text.find(piece, at + 1)
    return False


def untranslated(texts: Iterable[str]) -> list[str]:
    """The lines among `texts` that are English catalog strings with a Spanish translation
    (an empty list on a screen wholly in Spanish)."""
    exact, patterns, inside = _catalog()
    found = []
    for text in texts:
        for line in str(text).splitlines():
            shown = normalise(line)
            if shown and (shown in exact or any(p.match(shown) for p in patterns)
                          or any(_bounded(piece, shown) for piece in inside)):
                found.append(shown)
    return list(dict.fromkeys(found))
