"""Untranslated text on a Spanish screen (issue #20): English catalog strings that slipped past
`_()`. `untranslated(texts)` takes what a screen shows (AppTest texts, or a Playwright page's
visible texts through `assert_translated(page, where)`) and returns the lines that are, or
hold, an English msgid the Spanish catalog translates.

A msgid counts only when its Spanish differs from it ("PHQ-9", "No", "Plan" never count).
A visible line counts when, emphasis, escapes and extra spaces taken away, it is a msgid,
matches a msgid with placeholders ("Saved your {instrument}. Thank you." matches "Saved your
PHQ-9. Thank you."), or holds a msgid of three words or more inside it. What people typed is
theirs: the tests type Spanish, or words that are in no msgid.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from babel.messages.pofile import read_po

from companion import i18n

# Every visible element's text, and its lines: block elements (a paragraph, a button, a label,
# an option) whole, and text nodes alone, with aria-label, placeholder and title (not the
# aria-label Streamlit gives its own dropdown toggles: the framework's English, README).
VISIBLE_TEXTS = r"""() => {
  const out = new Set();
  const add = t => { t = (t || '').replace(/\s+/g, ' ').trim(); if (t) out.add(t); };
  const seen = el => el && el.checkVisibility && el.checkVisibility({checkOpacity: true,
                                                                  checkVisibilityCSS: true});
  for (const el of document.body.querySelectorAll('*')) {
    if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'svg'].includes(el.tagName) || !seen(el)) continue;
    const text = el.innerText;
    if (text && text.length < 600) {
      add(text);
      for (const line of text.split('\n')) add(line);
    }
    for (const attr of ['aria-label', 'placeholder', 'title']) {
      // Streamlit's own dropdown toggle (aria-label "Open") is the framework's word, not ours
      if (attr === 'aria-label' && el.hasAttribute('aria-haspopup')) continue;
      add(el.getAttribute(attr));
    }
    for (const node of el.childNodes) if (node.nodeType === 3) add(node.textContent);
  }
  return [...out];
}"""

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
            elif _english_enough(pieces):
                patterns.append(re.compile(
                    "^" + ".+?".join(re.escape(p) for p in pieces) + "$", re.DOTALL))
                inside.extend(p.strip() for p in pieces if len(p.split()) >= LONG)
    return frozenset(exact), tuple(patterns), tuple(sorted(set(inside), key=len, reverse=True))


def _english_enough(pieces: list[str]) -> bool:
    """Whether a msgid with placeholders has words enough to tell English text: two words,
    eight letters, or a word it opens with ("Hi, {name}"); not "{a} · {b}", nor "{a} by {b}:
    {c}" (any citation) or "{instrument} total" (a Spanish line ending "… en total")."""
    words = [w for w in " ".join(pieces).split() if any(c.isalpha() for c in w)]
    return (len(words) >= 2 or sum(len(w) for w in words) >= 8
            or any(c.isalpha() for c in pieces[0]))


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


def visible_texts(page) -> list[str]:
    """What a Playwright `page` shows now, element by element and line by line."""
    return page.evaluate(VISIBLE_TEXTS)


def assert_translated(page, where: str) -> None:
    found = untranslated(visible_texts(page))
    assert not found, f"{where}: English text that the Spanish catalog translates: {found}"
