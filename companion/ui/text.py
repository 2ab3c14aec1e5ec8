"""Text on screen: the one road for what people typed or named (display names, contact names,
notes, trigger labels, group titles, comments, answers…) to reach the screen, a PDF or a file.

Streamlit 1.67 reads markdown in far more places than `st.markdown`: widget labels, button,
link-button and page-link labels, expanders, tabs, popovers, metrics, progress text, `help=`
tooltips, toasts, alerts, captions and the options of radios, pills, segmented controls and
select sliders all go through the same renderer (remark with GFM, directives, math, emoji and Streamlit's own plugins). A
typed `![x](http://host/x)` there makes every reader's browser fetch that URL. Each function
below makes exactly what its road interprets inert, so text shows as it was typed:

- `markdown_text`: `st.markdown`, `st.caption`, `st.write`, `st.info` / `success` / `warning` /
  `error`, `st.toast`, titles and headers, `help=` tooltips;
- `label_text`: widget labels (buttons, link buttons, page links, expanders, tabs, popovers,
  checkboxes, radios, inputs, metrics, progress text) and the options of radio, pills,
  segmented controls and select sliders;
- `option_text`: selectbox and multiselect options (drawn as plain text: nothing to escape);
- `cell_text`, `table_text`: `st.dataframe` cells (drawn on a canvas, never as markdown);
- `pdf_text`: text in a PDF (fpdf2, markup off);
- `calendar_text`, `file_text`: calendar (.ics) fields and plain-text downloads;
- `number_text`: a number in any of the above (refuses anything else);
- `clinic_markdown`: markdown the clinic wrote on purpose (`data/`, reviewed in git).

What the markdown roads interpret, and how each is made inert here:
- syntax read from the source (links, images, `<html>` and `<http://…>` autolinks, emphasis,
  code, headings, lists, quotes, tables, `$math$`, `:directive[…]` such as `:red[…]` and
  `:help[…]`, entities such as `&lt;`): every ASCII punctuation character is backslash-escaped;
- patterns matched in the parsed text itself, after escapes are resolved, so a backslash
  cannot stop them: GFM autolink literals (`www.x.com`, `http://…`, `a@b.com`), `:material/…:`
  icons, `:streamlit:`, emoji shortcodes and the typographic arrows (`->`, `--`, `>=`): a
  WORD JOINER (U+2060, invisible, no width) is put inside each pattern to break it;
- indentation (a line starting with four spaces is a code block) is dropped; typed line breaks
  are kept as line breaks in bodies and become spaces in one-line labels.

Every road also neutralises control characters and the invisible formatting characters that
can reorder or hide what staff see (U+200B–U+200F, U+202A–U+202E, U+2066–U+2069, U+061C,
U+FEFF): each shows as U+FFFD (�), so a row stored before such characters were refused at save
still shows that something was there, in its typed order. None of these functions imports
Streamlit: services that write PDFs or files use them too.
"""
from __future__ import annotations

import numbers
import re

REPLACEMENT = "\ufffd"
WORD_JOINER = "\u2060"

# Bidirectional controls, zero-width characters and the BOM, plus every control character
# except newline and tab (handled per road).
_HIDDEN = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff"
                     "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NEWLINES = re.compile("\r\n|[\r\u2028\u2029\x85]")
# ASCII punctuation that is markdown syntax wherever it stands, and a colon that could open a
# directive (":red[", "::x", ":::"), a "<" that could open HTML or an autolink and an "&" that
# could open an entity. The rest (! " # % ' ( ) + , - . / ; = > ? @, "7:45", "a < b", "R&D")
# is syntax only at the start of a line (`_LINE_START`) or right
# after a character escaped here (a link's "(" needs a "]", an image's "!" a "["): it stays
# as typed, so a label's accessible name (its aria-label is the label's source) reads right.
_SYNTAX_PUNCTUATION = re.compile(r"([$*\[\\\]^_`{|}~]|:(?=[A-Za-z_:])|<(?=[A-Za-z/!?])"
                                 r"|&(?=#|[A-Za-z][A-Za-z0-9]*;))")
# Headings, quotes, list items, thematic breaks and setext underlines open a line.
_LINE_START = re.compile(r"^([-+#>=])|^(\d+)([.)])")
# Matched by the renderer in text nodes (after escapes are resolved): each is broken by a
# word joiner (U+2060) right after its first character, and nothing else is touched (so
# "7:45" or "Step 1: breathe" stay as they are).
_TEXT_PATTERNS = re.compile(
    r"(?<=:)(?=//)"                                # http://… https://… (autolinks)
    r"|(?i:(?<=www))(?=\.[\w-])"                   # www.example.com, _www.x.com_
    r"|(?<=[\w.+-]@)(?=[\w-]+\.[\w-])"             # me@example.com, mailto:me@…
    r"|(?<=:)(?=(?:[A-Za-z_][A-Za-z0-9_+/-]*"       # :material/home: :smile: :streamlit:
    r"|[+-]1|100|1234|8ball|[123](?:st|nd|rd)_place_medal):)"  # shortcodes with a digit
    r"|(?<=(?<!\S)[-<>~])(?=(?:>|-|=|->)(?!\S))")  # -> <- -- >= <= ~= <->


def _clean(text: object) -> str:
    """str(text) with one kind of newline and no hidden or control characters."""
    return _HIDDEN.sub(REPLACEMENT, _NEWLINES.sub("\n", str(text)))


def _inert(text: str) -> str:
    text = _SYNTAX_PUNCTUATION.sub(r"\\\1", _TEXT_PATTERNS.sub(WORD_JOINER, text))
    return _LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text)


def _lines(text: object) -> list[str]:
    return [line.strip(" \t") for line in _clean(text).split("\n")]


def markdown_text(text: object) -> str:
    """For markdown bodies: `st.markdown`, `st.caption`, `st.write`, alerts, toasts, titles
    and `help=` tooltips. Line breaks stay line breaks; a typed empty line stays in the same
    paragraph (so markdown around the text still closes)."""
    return "  \n".join(_inert(line) or "\u00a0" for line in _lines(text)) if str(text) else ""


def label_text(text: object) -> str:
    """For widget labels, link-button and page-link labels, expanders, tabs, popovers,
    metrics, progress text, and the options of radio, pills, segmented controls and select
    sliders: one line."""
    return _inert(" ".join(line for line in _lines(text) if line))


def option_text(text: object) -> str:
    """For selectbox and multiselect options (`format_func` results): Streamlit draws these
    as plain text, so nothing is escaped (a backslash would show); one line, no hidden
    characters."""
    return " ".join(line for line in _lines(text) if line)


def cell_text(value: object) -> object:
    """A `st.dataframe` cell: text loses hidden and control characters; anything else is
    returned as it is (numbers, dates and missing values keep their column type)."""
    return " ".join(_clean(value).split("\n")) if isinstance(value, str) else value


def table_text(rows):
    """A DataFrame (or list of row dicts) with every text cell through `cell_text`."""
    import pandas as pd

    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(cell_text)
    return frame


def pdf_text(text: object) -> str:
    """Text for fpdf2 (which draws it as given, markup off): line breaks kept, tabs as
    spaces, no hidden or control characters."""
    return _clean(text).replace("\t", " ")


def calendar_text(text: object) -> str:
    """A calendar (.ics) text field before `icalendar` escapes it (`\\`, `;`, `,`, newline):
    no carriage returns, hidden or control characters, which would break or disguise the
    file."""
    return _clean(text).replace("\t", " ")


def file_text(text: object) -> str:
    """A plain-text download (safety plan copy, pre-session brief): line breaks and tabs
    kept, no hidden or control characters."""
    return _clean(text)


def number_text(value: numbers.Number, spec: str = "") -> str:
    """A number in a label or markdown, formatted with `spec` (as in `format()`). Refuses
    anything that is not a number, so a string can never pass as one."""
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        raise TypeError(f"number_text() takes a number, not {type(value).__name__}")
    return format(value, spec)


def clinic_markdown(text: str) -> str:
    """Markdown the clinic wrote on purpose (lessons, module summaries, the privacy notice:
    files in `data/` and code, reviewed in git), shown as written. Never for anything a
    person typed into the app."""
    return text
