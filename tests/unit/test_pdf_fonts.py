"""Issue 18 item 14: every PDF prints what was typed (accents, symbols, emoji, Hebrew and
Arabic in reading order) with the fonts shipped in companion/fonts/, never the server's own.

Each kind of PDF gets a canary through its normal builder, and the text read back with pypdf
must hold every character of it. Colour emoji and CJK are left out (see companion/pdf.py):
emoji print in black and white, and a character no shipped font has prints as U+FFFD."""
from __future__ import annotations

import io
import tomllib
from datetime import timedelta
from fnmatch import fnmatch
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from companion import aftercare, brief, pdf
from companion.checkins import record_checkin
from companion.core.timeutil import clinic_today
from companion.models import Role
from companion.ui.text import REPLACEMENT
from companion.welcome_sheet import welcome_sheet_pdf
from tests.conftest import actor
from tests.support.entries import answered

ACCENTS = "Ñandú café crème brûlée — Zoë’s «naïve» façade"
SYMBOLS_IN_DEJAVU = "✓ ★ ☎ ⚠ ♥ → ½ € ™"
SYMBOLS_IN_NOTO_SYMBOLS_2 = "🗸 ⯑ ⏻"  # none of these is in DejaVu Sans
EMOJI = "💚 🙂 🫶"  # only in Noto Emoji
HEBREW, ARABIC = "שלום", "سلام"
CANARY = (f"sister {EMOJI} {ACCENTS} {SYMBOLS_IN_DEJAVU} {SYMBOLS_IN_NOTO_SYMBOLS_2} "
          f"{HEBREW} {ARABIC}")
LTR_CHARACTERS = {ch for ch in ACCENTS + SYMBOLS_IN_DEJAVU + SYMBOLS_IN_NOTO_SYMBOLS_2 + EMOJI
                  if not ch.isspace()}


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _assert_canary_printed(data: bytes) -> None:
    text = _text(data)
    missing = sorted(ch for ch in LTR_CHARACTERS if ch not in text)
    assert not missing, f"dropped from the PDF: {missing!r}"
    # Right-to-left words read back in their logical order (not reversed letter by letter).
    assert HEBREW in text and ARABIC in text, text
    assert REPLACEMENT not in text  # every canary character had a glyph


def test_the_canary_uses_each_shipped_font():
    """The canary's premise: its symbols and emoji are the ones only a fallback draws."""
    cmaps = {path.name: TTFont(path).getBestCmap()
             for path in (pdf.BODY_FONT, *pdf.FALLBACK_FONTS.values())}
    body, symbols, emoji = cmaps.values()
    for ch in SYMBOLS_IN_NOTO_SYMBOLS_2.replace(" ", ""):
        assert ord(ch) not in body and ord(ch) in symbols, ch
    for ch in EMOJI.replace(" ", ""):
        assert ord(ch) not in body and ord(ch) not in symbols and ord(ch) in emoji, ch
    for ch in ACCENTS + SYMBOLS_IN_DEJAVU + HEBREW + ARABIC:
        assert ord(ch) in body, ch


def test_aftercare_plan_prints_every_character():
    sections = aftercare.empty_sections()
    sections["warning_signs"] = CANARY
    sections["people"] = [{"name": CANARY, "relationship": "sister 💚", "phone": "555-0142"}]
    data = pdf.aftercare_pdf(CANARY, sections, "approved", "Nov 25")
    _assert_canary_printed(data)
    assert "sister 💚 · 555-0142" in _text(data)  # the issue's own example


def test_welcome_sheet_prints_every_character():
    data = welcome_sheet_pdf(CANARY, "avery", "abcde-fghij", "https://iop.example/",
                             Role.CLIENT)
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    _assert_canary_printed(data)


def test_pre_session_brief_prints_every_character(users, session):
    therapist = users.therapist()
    client = users.client(therapist)
    record_checkin(session, actor(client), answered(note=CANARY, bring_to_group=CANARY),
                   day=clinic_today())
    found = brief.for_client(session, actor(therapist), client.id,
                             clinic_today() - timedelta(days=3))
    assert CANARY in brief.as_text(found)
    _assert_canary_printed(pdf.brief_pdf(found.client_name, brief.as_text(found)))


def test_text_shaping_is_on():
    """uharfbuzz is a dependency: without it Hebrew and Arabic would print reversed."""
    assert pdf._Doc("t").text_shaping


def test_a_character_no_font_has_prints_as_a_replacement_not_nothing():
    sections = aftercare.empty_sections()
    sections["warning_signs"] = "call 日本 sister"  # no CJK font ships
    text = _text(pdf.aftercare_pdf("Avery", sections, "draft", "Nov 25"))
    assert f"call {REPLACEMENT * 2} sister" in text


def test_the_pdf_embeds_only_the_shipped_fonts():
    reader = PdfReader(io.BytesIO(pdf.aftercare_pdf("Avery 💚 🗸", aftercare.empty_sections(),
                                                    "draft", "Nov 25")))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    assert names == {"DejaVuSansBook", "NotoSansSymbols2", "NotoEmoji"}, names
    for path in (pdf.BODY_FONT, *pdf.FALLBACK_FONTS.values()):
        assert path.is_file() and path.parent == Path(pdf.__file__).parent / "fonts"


def test_the_fonts_and_their_licences_are_package_data():
    root = Path(__file__).resolve().parents[2]
    globs = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["companion"]
    shipped = sorted(p.relative_to(root / "companion").as_posix()
                     for p in (root / "companion" / "fonts").iterdir())
    assert {"fonts/LICENSE-DejaVu.txt", "fonts/OFL.txt"} <= set(shipped)
    for name in shipped:
        assert any(fnmatch(name, glob) for glob in globs), name


@pytest.mark.parametrize("licence, words", [
    ("LICENSE-DejaVu.txt", ("Bitstream Vera Fonts Copyright", "Arev Fonts Copyright")),
    ("OFL.txt", ("SIL OPEN FONT LICENSE Version 1.1", "Noto Emoji", "Noto Sans Symbols 2")),
])
def test_each_licence_names_its_fonts(licence, words):
    text = (pdf.FONT_DIR / licence).read_text()
    assert all(word in text for word in words)
