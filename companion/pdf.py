"""Printable PDFs made on the server with fpdf2: nothing is sent anywhere to render them."""
from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from companion import aftercare
from companion.clinic import get_clinic
from companion.ui.text import pdf_text

_CANDIDATES = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),  # Debian fonts-dejavu-core
]


def _font_file() -> Path | None:
    """A Unicode TrueType font: DejaVu when the system has it, else the one that ships with
    the login library's captcha dependency (always installed)."""
    for path in _CANDIDATES:
        if path.is_file():
            return path
    try:
        import captcha

        bundled = Path(captcha.__file__).parent / "data" / "DroidSansMono.ttf"
        return bundled if bundled.is_file() else None
    except ImportError:
        return None


class _Doc(FPDF):
    def __init__(self, title: str):
        super().__init__(format="Letter")
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, 18)
        font = _font_file()
        if font is not None:
            self.add_font("body", "", str(font))
            self.family = "body"
        else:  # core font: Latin-1 only, so other characters print as "?"
            self.family = "helvetica"
        self.doc_title = title
        self.add_page()

    def text_of(self, text: str) -> str:
        """Every string drawn goes through here: the PDF road of companion/ui/text.py."""
        text = pdf_text(text)
        return text if self.family == "body" else text.encode("latin-1", "replace").decode(
            "latin-1")

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
        self.cell(0, 5, self.text_of(f"{self.doc_title} · page {self.page_no()}"), align="C")
        self.set_text_color(31, 42, 46)


def crisis_block(doc: _Doc) -> None:
    doc.heading("If you need help now", 12)
    for res in get_clinic().crisis_resources:
        ways = " · ".join(w for w in (f"call {res.call}" if res.call else "",
                                      f"text {res.text_body + ' to ' if res.text_body else ''}"
                                      f"{res.text}" if res.text else "") if w)
        doc.para(f"{res.name}: {ways}. {res.detail}", 9.5)


def aftercare_pdf(client_name: str, sections: dict, status: str, saved: str) -> bytes:
    doc = _Doc("My aftercare plan")
    doc.heading(f"My aftercare plan — {client_name}", 16)
    doc.para(f"{get_clinic().name} · {aftercare.STATUS_LABELS.get(status, status)} · "
             f"saved {saved}", 9)
    for key, (title, _, _) in aftercare.SECTIONS.items():
        lines = aftercare.section_lines(sections, key)
        doc.heading(title, 12)
        doc.para("\n".join(f"• {line}" for line in lines) if lines else "—")
    crisis_block(doc)
    return bytes(doc.output())


def brief_pdf(client_name: str, text: str) -> bytes:
    """The pre-session brief as print: `text` is `brief.as_text` (the 42 CFR Part 2 notice
    first), each line a paragraph, under the client's name."""
    doc = _Doc("Pre-session brief")
    lines = text.splitlines()
    doc.para(lines[0], 8.5)  # the redisclosure notice
    doc.heading(f"Pre-session brief — {client_name}", 15)
    for line in lines[1:]:
        if line.strip() and not line.startswith("PRE-SESSION BRIEF"):
            doc.para(line, 10)
    return bytes(doc.output())
