"""User text is shown as typed, on every road: no markdown links, images, autolinks, icons,
shortcodes, colours, math, directives or HTML, and nothing invisible that reorders it.

What each road interprets was read from Streamlit 1.67's renderer and is checked in a real
browser by tests/browser/test_text_roads.py; these tests pin the strings themselves."""
import re
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from companion.ui.text import (REPLACEMENT, WORD_JOINER, calendar_text, cell_text,
                               clinic_markdown, file_text, label_text, markdown_text,
                               number_text, option_text, pdf_text, table_text)

IMAGE = "![x](http://127.0.0.2:9/x.png)"
LINK = "[a](javascript:alert(1))"
HTML = "<img src=x onerror=alert(1)>"
HOSTILE = [IMAGE, LINK, HTML, ":material/home:", ":material_home:", ":streamlit:", ":smile:",
           ":red[x]", "$x$", "$$x$$", "www.example.com", "http://127.0.0.2/", "me@example.com",
           "**b**", "_i_", "`c`", "~~s~~", "# h", "1. item", "- item", "> quote", "| a | b |",
           ":help[tip]", "&lt;b&gt;", "<http://127.0.0.2/>", "[x]: http://127.0.0.2/", "a -> b"]
BIDI = ["\u202e", "\u202a", "\u202b", "\u202c", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069",
        "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\ufeff"]
MARKDOWN_ROADS = [markdown_text, label_text]
ALL_ROADS = [markdown_text, label_text, option_text, cell_text, pdf_text, calendar_text,
             file_text]


def shown(source: str) -> str:
    """The text a CommonMark renderer shows for `source`: backslash escapes resolved."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", source).replace(WORD_JOINER, "")


def unescaped(source: str) -> str:
    """`source` with every backslash-escaped character masked: what markdown syntax sees."""
    return re.sub(r"\\[!-/:-@\[-`{-~]", "\x00", source)


@pytest.mark.parametrize("road", MARKDOWN_ROADS)
@pytest.mark.parametrize("typed", HOSTILE)
def test_markdown_roads_escape_every_syntax_character(road, typed):
    out = road(typed)
    masked = unescaped(out)
    assert not re.search(r"[$*\[\]^_`{|}~\\]|:[A-Za-z_:]|<[A-Za-z/!?]|&(#|[A-Za-z]\w*;)", masked), out
    assert not re.search(r"(?m)^([-+#>=]|\d+[.)])", masked.replace("  \n", "\n")), out
    assert shown(out) == typed


@pytest.mark.parametrize("road", MARKDOWN_ROADS)
def test_punctuation_that_is_not_syntax_where_it_stands_stays_as_typed(road):
    """A label's source is also its accessible name: a screen reader must not say
    "backslash" in "What I'll say if they push (my broken record)"."""
    for typed in ("What I'll say if they push (my broken record)", "Dr. Quinn, 7:45 - ok?",
                  "a = b; 50% off / 2 < 3 > 1 @home R&D \"quoted\" 1.5 hours!"):
        assert road(typed) == typed


@pytest.mark.parametrize("road", MARKDOWN_ROADS)
@pytest.mark.parametrize("typed, pattern", [
    ("www.example.com", r"(?i)www\."), ("_www.example.com_", r"(?i)www\."),
    ("see http://127.0.0.2/", r"https?://"),
    ("HTTPS://x.example", r"(?i)https?://"), ("me@example.com", r"@\w"),
    ("mailto:me@x.example", r"@\w"), (":material/home:", r":material/"),
    (":material_home:", r":material_\w+:"), (":streamlit:", r":streamlit:"),
    (":smile: :+1:", r":[\w+-]+:"), ("a -> b <- c <-> d -- e >= f <= g ~= h",
                                     r"(^|\s)(<->|->|<-|--|>=|<=|~=)(\s|$)")])
def test_patterns_read_from_the_parsed_text_are_broken(road, typed, pattern):
    """Autolinks, icons, shortcodes and arrows are matched after escapes are resolved, so a
    backslash cannot stop them: an invisible word joiner inside each one does."""
    assert re.search(pattern, typed)
    resolved = re.sub(r"\\(.)", r"\1", road(typed))
    assert not re.search(pattern, resolved), resolved
    assert resolved.replace(WORD_JOINER, "") == typed


def test_markdown_keeps_line_breaks_and_drops_indentation():
    assert markdown_text("line one\nline two") == "line one  \nline two"
    assert markdown_text("a\r\nb\rc") == "a  \nb  \nc"
    assert markdown_text("    not code") == "not code"
    assert markdown_text("first\n\nsecond") == "first  \n\u00a0  \nsecond"  # one paragraph
    assert markdown_text("") == ""


def test_labels_are_one_line():
    assert label_text("line one\n\n  line two ") == "line one line two"
    assert option_text("line one\nline two") == "line one line two"


def test_plain_words_and_emoji_are_unchanged():
    for typed in ("A long day but I made it", "🌿 Sam's 2nd week 💚", "Café con leche",
                  "مرحبا", "日本語"):
        for road in ALL_ROADS:
            assert shown(road(typed)) == typed, road.__name__


@pytest.mark.parametrize("road", ALL_ROADS)
@pytest.mark.parametrize("char", BIDI)
def test_invisible_formatting_characters_show_as_a_replacement(road, char):
    out = road(f"abc{char}fed")
    assert char not in out
    assert shown(out) == f"abc{REPLACEMENT}fed"


@pytest.mark.parametrize("road", ALL_ROADS)
def test_control_characters_are_replaced(road):
    out = road("a\x00b\x07c\x1b[31md\x7fe\x85f")
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", out)
    assert REPLACEMENT in out


def test_documents_keep_line_breaks_and_lose_carriage_returns():
    assert pdf_text("a\r\nb\tc") == "a\nb c"
    assert calendar_text("Room 2\r\nDial-in:\t123") == "Room 2\nDial-in: 123"
    assert file_text("a\r\nb\tc") == "a\nb\tc"
    for road in (pdf_text, calendar_text, file_text):
        assert road(IMAGE) == IMAGE  # nothing there reads markdown: shown as typed


def test_cells_clean_text_and_keep_other_types():
    assert cell_text("a\nb\u202ec") == f"a b{REPLACEMENT}c"
    assert cell_text(IMAGE) == IMAGE  # st.dataframe draws cells as text
    for value in (3, 2.5, None, date(2026, 1, 2)):
        assert cell_text(value) == value


def test_table_cleans_every_text_cell_and_keeps_numbers():
    frame = pd.DataFrame({"Name": ["Sam\u202e", "Lee"], "Score": [3, 4],
                          "When": pd.to_datetime(["2026-01-01", "2026-01-02"])})
    out = table_text(frame)
    assert out["Name"].tolist() == [f"Sam{REPLACEMENT}", "Lee"]
    assert out["Score"].dtype == frame["Score"].dtype
    assert out["When"].dtype == frame["When"].dtype
    assert frame["Name"][0] == "Sam\u202e"  # the caller's frame is left as it was
    assert table_text([{"Group": "a\x00"}])["Group"][0] == f"a{REPLACEMENT}"


def test_number_text_takes_only_numbers():
    assert number_text(3) == "3"
    assert number_text(2.25, ".1f") == "2.2"
    assert number_text(np.int64(7)) == "7"
    assert number_text(Decimal("1.5")) == "1.5"
    for not_a_number in ("3", IMAGE, None, True):
        with pytest.raises(TypeError):
            number_text(not_a_number)


def test_clinic_markdown_is_shown_as_written():
    assert clinic_markdown("**Breathe** slowly") == "**Breathe** slowly"


def test_ordinary_text_gets_no_invisible_characters():
    """Word joiners go only inside a pattern the renderer would act on: times, labels with a
    colon, names and dashes copy and search as typed."""
    for typed in ("7:45 AM", "Step 1: breathe", "Dr. Quinn", "a - b", "well-being", "x@",
                  "meet @ 5", "wwwx.com", "Note: call her", "9:30-10:00", "<3"):
        for road in MARKDOWN_ROADS:
            assert WORD_JOINER not in road(typed), (road.__name__, typed)


def test_the_pdf_draws_every_string_through_pdf_text():
    """An override or a control character in a name or a plan never reaches the PDF."""
    import io

    from pypdf import PdfReader

    from companion import aftercare, pdf

    sections = aftercare.empty_sections()
    sections["coping"] = "walk\u202eklaw\x07 " + IMAGE
    data = pdf.aftercare_pdf("Sam\u202e Lee", sections, "draft", "Nov 25")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "\u202e" not in text and "\x07" not in text
    assert IMAGE in text  # a PDF reads no markdown: shown as typed
