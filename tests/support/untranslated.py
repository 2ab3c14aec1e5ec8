"""Untranslated text on a page (issue #20): any visible text that is an English message of the
catalog which has a translation is text that slipped past `_()` (or was translated for another
language than the page speaks). Used by the Spanish browser journeys: call
`assert_translated(page, "en route to groups")` on each page the journey shows.

What counts: the catalog's message ids (`companion/locale/<lang>/LC_MESSAGES/companion.po`,
plural forms and the clinic lists' context entries included) whose translation differs from
them ("Total", "{level}/10" and "No" read the same in Spanish and are left out). A message
with placeholders matches any text that fills them ("Saved your {instrument}. Thank you." →
"Saved your PHQ-9. Thank you."). Markdown markers and backslash escapes are taken out of the
ids, as the page shows them. Each visible element's own text and each of its text lines is
compared whole, so a sentence that merely contains an English word does not count.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Every visible element's text, and its lines: block elements (a paragraph, a button, a label,
# an option) whole, and text nodes alone.
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
    for (const attr of ['aria-label', 'placeholder', 'title']) add(el.getAttribute(attr));
    for (const node of el.childNodes) if (node.nodeType === 3) add(node.textContent);
  }
  return [...out];
}"""

_MARKUP = re.compile(r"\*\*|__|(?<!\w)\*(?!\s)|(?<!\s)\*(?!\w)|`")
_PLACEHOLDER = re.compile(r"\\\{(\w+)\\\}")


def _plain(message: str) -> str:
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", message)
    text = _MARKUP.sub("", text)
    return " ".join(text.split())


@lru_cache(maxsize=4)
def english_messages(language: str = "es") -> tuple[list[str], list[re.Pattern]]:
    """(plain messages, patterns for those with placeholders) that `language` translates."""
    from babel.messages.pofile import read_po

    path = ROOT / "companion" / "locale" / language / "LC_MESSAGES" / "companion.po"
    with open(path, "rb") as fh:
        catalog = read_po(fh, locale=language)
    plain, patterns = set(), []
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not any(strings) or set(strings) <= set(ids):
            continue
        for msgid in ids:
            text = _plain(msgid)
            if len(text) < 2 or not re.search(r"[A-Za-z]{2}", text):
                continue
            if "{" in text:
                body = _PLACEHOLDER.sub(r".+?", re.escape(text))
                if re.fullmatch(r"(\.\+\?|\W)*", body):
                    continue  # nothing but placeholders
                patterns.append(re.compile(body))
            else:
                plain.add(text)
    return sorted(plain), patterns


def untranslated_texts(texts, language: str = "es") -> list[str]:
    """The texts (as shown) that are English catalog messages `language` translates."""
    plain, patterns = english_messages(language)
    plain_set = set(plain)
    found = []
    for text in texts:
        shown = " ".join(text.split())
        if shown in plain_set or any(p.fullmatch(shown) for p in patterns):
            found.append(shown)
    return sorted(set(found))


def untranslated(page, language: str = "es") -> list[str]:
    """What `page` (Playwright) shows now that should have been in `language`."""
    return untranslated_texts(page.evaluate(VISIBLE_TEXTS), language)


def assert_translated(page, where: str, language: str = "es") -> None:
    found = untranslated(page, language)
    assert not found, f"{where}: English text that the {language} catalog translates: {found}"
