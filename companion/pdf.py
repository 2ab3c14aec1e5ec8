"""Printable PDFs made on the server with fpdf2: nothing is sent anywhere to render them.

Every PDF draws with the fonts shipped in companion/fonts/ (never the server's own): DejaVu
Sans for text (Latin, Greek, Cyrillic, Hebrew, Arabic and many symbols), then, for a
character it lacks, Noto Sans Symbols 2 and Noto Emoji. Text is shaped with HarfBuzz
(`uharfbuzz`, fpdf2's `set_text_shaping`), which also orders right-to-left text (Hebrew,
Arabic) for print and joins Arabic letters.

What is left out, plainly:
- emoji print in black and white: colour emoji fonts are bitmaps that fpdf2 cannot embed.
  A skin-tone emoji prints as the emoji followed by a shade swatch, and a joined emoji (a
  family, the rainbow flag) as its parts, with U+FFFD where `pdf_text` shows the hidden
  zero-width joiner;
- no CJK font ships (Noto Sans CJK is over 16 MB a weight), nor fonts for scripts DejaVu
  lacks (Devanagari, Thai, …). A visible character none of the fonts has prints as U+FFFD
  (�), so the page shows something was there, rather than dropping it without a trace;
- bold and italic are not used (only the regular weight ships).

Languages (issue #20): a PDF is written in its reader's language (this run's: the client who
downloads their own plan), its titles, headings, labels, dates and crisis lines alike, and
says so in its metadata (`/Lang`), so a screen reader reads it in the right voice.
"""
from __future__ import annotations

import unicodedata
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from fpdf.errors import FPDFException

from companion import aftercare, i18n
from companion.clinic import get_clinic
from companion.i18n import _
from companion.ui.text import REPLACEMENT, pdf_text

FONT_DIR = Path(__file__).parent / "fonts"
BODY_FONT = FONT_DIR / "DejaVuSans.ttf"
# fpdf2 tries these in order for a character the body font lacks.
FALLBACK_FONTS = {
    "symbols": FONT_DIR / "NotoSansSymbols2-Regular.ttf",
    "emoji": FONT_DIR / "NotoEmoji-Regular.ttf",  # monochrome outlines
}
# Character classes that draw nothing of their own (marks, format characters, separators):
# passed to fpdf2 as they are even where no font maps them.
_INVISIBLE = {"Mn", "Mc", "Me", "Cf", "Cc", "Zs", "Zl", "Zp"}


@lru_cache(maxsize=1)
def covered() -> frozenset[int]:
    """The code points the shipped fonts draw (the body font or a fallback)."""
    from fontTools.ttLib import TTFont  # fpdf2's own dependency

    points: set[int] = set()
    for path in (BODY_FONT, *FALLBACK_FONTS.values()):
        points.update(TTFont(path, lazy=True).getBestCmap())
    return frozenset(points)


class _Doc(FPDF):
    def __init__(self, title: str):
        super().__init__(format="Letter")
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, 18)
        self.add_font("body", "", str(BODY_FONT))
        for name, path in FALLBACK_FONTS.items():
            self.add_font(name, "", str(path))
        self.set_fallback_fonts(list(FALLBACK_FONTS))
        try:
            self.set_text_shaping(True)
        except FPDFException:  # uharfbuzz missing: right-to-left text would print reversed
            pass
        self.family = "body"
        self.doc_title = title
        self.set_lang(i18n.current())
        self.set_title(self.text_of(title))
        self.set_creator("IOP Companion")
        self.add_page()

    def text_of(self, text: str) -> str:
        """Every string drawn goes through here: the PDF road of companion/ui/text.py, then
        U+FFFD for any visible character that none of the shipped fonts can draw."""
        points = covered()
        return "".join(ch if ord(ch) in points or unicodedata.category(ch) in _INVISIBLE
                       else REPLACEMENT for ch in pdf_text(text))

    def heading(self, text: str, size: int = 13) -> None:
        self.set_font(self.family, size=size)
        self.set_text_color(47, 111, 98)
        self.multi_cell(0, 7, self.text_of(text), new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(31, 42, 46)

    def para(self, text: str, size: int = 10.5) -> None:
        self.set_font(self.family, size=size)
        self.multi_cell(0, 5.5, self.text_of(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, size=8)
        self.set_text_color(120, 120, 120)
        self.cell(0, 5, self.text_of(_("{title} · page {page}").format(
            title=self.doc_title, page=self.page_no())), align="C")
        self.set_text_color(31, 42, 46)


@contextmanager
def in_language(language: str | None):
    """Make a PDF in its reader's language (a welcome sheet in the new client's, whatever the
    admin's), then go back to the run's own language."""
    previous = i18n.current()
    i18n.use(language or previous)
    try:
        yield
    finally:
        i18n.use(previous)


def crisis_block(doc: _Doc) -> None:
    doc.heading(_("If you need help now"), 12)
    for res in get_clinic().crisis_for(i18n.current()):
        ways = []
        if res.call:
            ways.append(_("call {number}").format(number=res.call))
        if res.text and res.text_body:
            ways.append(_("text {word} to {number}").format(word=res.text_body, number=res.text))
        elif res.text:
            ways.append(_("text {number}").format(number=res.text))
        doc.para(_("{line}: {ways}. {detail}").format(line=res.name, ways=" · ".join(ways),
                                                      detail=res.detail), 9.5)


def aftercare_pdf(client_name: str, sections: dict, status: str, saved: str,
                  language: str | None = None) -> bytes:
    """The client's plan to print or keep, in `language` (theirs: a deferred download is made
    outside the page's run, so the page passes the language it speaks; default: this run's)."""
    with in_language(language):
        return _aftercare_pdf(client_name, sections, status, saved)


def _aftercare_pdf(client_name: str, sections: dict, status: str, saved: str) -> bytes:
    doc = _Doc(_("My aftercare plan"))
    doc.heading(_("My aftercare plan — {name}").format(name=client_name), 16)
    doc.para(_("{clinic} · {status} · saved {when}").format(
        clinic=get_clinic().name, status=aftercare.status_label(status), when=saved), 9)
    for key in aftercare.SECTIONS:
        lines = aftercare.section_lines(sections, key)
        doc.heading(aftercare.title(key), 12)
        doc.para("\n".join(f"• {line}" for line in lines) if lines else "—")
    crisis_block(doc)
    return bytes(doc.output())


def brief_pdf(client_name: str, text: str) -> bytes:
    """The pre-session brief as print, in this run's language: `text` is `brief.as_text`
    (the 42 CFR Part 2 notice first, up to its first blank line, then the text's heading),
    each line a paragraph, under the client's name."""
    from companion.brief import TITLE
    from companion.i18n import _, gettext

    doc = _Doc(gettext(TITLE))
    lines = text.splitlines()
    blank = lines.index("") if "" in lines else 1
    for line in lines[:blank]:  # the redisclosure notice (with the English after a translation)
        doc.para(line, 8.5)
    doc.heading(_("Pre-session brief — {name}").format(name=client_name), 15)
    for line in lines[blank + 2:]:  # after the blank line and the text's own heading
        if line.strip():
            doc.para(line, 10)
    return bytes(doc.output())
