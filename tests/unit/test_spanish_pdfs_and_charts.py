"""The client's PDFs and charts in Spanish (issue #20): the aftercare plan and the welcome
sheet parse (pypdf), carry Spanish titles, headings, dates and crisis lines, and say their
language; a chart's titles, labels and time locale follow the reader's language."""
from datetime import date, datetime, timezone
from io import BytesIO

import pandas as pd
import pytest
from pypdf import PdfReader

from companion import charts, i18n, pdf, welcome_sheet


@pytest.fixture
def spanish():
    i18n.use("es")
    yield
    i18n.use("en")


def _read(data: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def _lang(reader: PdfReader) -> str:
    return str(reader.trailer["/Root"].get("/Lang"))


SECTIONS = {"next_care": {"level": "Individual therapy", "provider": "Clínica Norte",
                          "when": "martes 6 pm"},
            "people": [{"name": "Mi hermana", "relationship": "familia",
                        "phone": "555-555-0142"}],
            "goals": [{"goal": "Caminar 5 km", "target_date": "2027-03-31", "progress": "40"}]}


def test_the_spanish_aftercare_pdf(spanish):
    saved = i18n.format_moment(datetime(2026, 3, 3, 21, 5, tzinfo=timezone.utc))
    text, reader = _read(pdf.aftercare_pdf("Lucía Ejemplo", SECTIONS, "submitted", saved))
    assert reader.metadata.title == "Mi plan de continuidad" and _lang(reader) == "es"
    assert "Mi plan de continuidad — Lucía Ejemplo" in text
    for heading in ("Mi próxima etapa de atención", "Personas a las que puedo llamar",
                    "Mis señales de alerta", "Si tropiezo", "Si necesitas ayuda ahora"):
        assert heading in text
    assert "Esperando revisión" in text and "guardado:" in text
    assert "Tipo de atención: Terapia individual" in text  # stored English, shown Spanish
    assert "para el 31 mar 2027" in text and "Caminar 5 km" in text  # a Babel date; as typed
    assert "llama al 988" in text and "AYUDA" in text  # the Spanish crisis lines
    assert "página 1" in text
    for english in ("My aftercare plan", "Next level of care", "If you need help now",
                    "Waiting for review", "page 1"):
        assert english not in text


def test_the_english_aftercare_pdf_is_unchanged():
    text, reader = _read(pdf.aftercare_pdf("Robin", SECTIONS, "draft", "Tue Mar 3, 4:05 PM"))
    assert reader.metadata.title == "My aftercare plan" and _lang(reader) == "en"
    assert "My aftercare plan — Robin" in text and "Level of care: Individual therapy" in text
    assert "by Mar 31, 2027" in text and "If you need help now" in text


def test_a_spanish_clients_welcome_sheet_is_spanish_whoever_prints_it():
    assert i18n.current() == "en"  # the admin's run
    text, reader = _read(welcome_sheet.welcome_sheet_pdf(
        "Lucía Ejemplo", "lucia", "correct-horse-battery", "https://app.example/", "client",
        language="es"))
    assert reader.metadata.title == "Hoja de bienvenida" and _lang(reader) == "es"
    assert "Cómo iniciar sesión" in text and "Usuario: lucia" in text
    assert "Contraseña de un solo uso: correct-horse-battery" in text
    assert "plan de continuidad" in text and "Si necesitas ayuda ahora" in text
    assert "How to sign in" not in text
    assert i18n.current() == "en"  # the admin's language is back
    text, _reader = _read(welcome_sheet.welcome_sheet_pdf(
        "Robin", "robin", "pw", "https://app.example/", "client", reset=True))
    assert "How to sign in" in text and "Your password was reset." in text


def test_charts_in_spanish_and_unchanged_in_english(spanish):
    frame = pd.DataFrame({"label": ["Stress at work", "My own trigger"], "count": [3, 1]})
    spec = charts.trigger_counts(frame).to_dict()
    assert spec["title"] == "Detonantes frecuentes"
    labels = [row["label"] for row in next(iter(spec["datasets"].values()))]
    assert labels == ["Estrés en el trabajo", "My own trigger"]  # the clinic's; as typed
    assert spec["config"]["locale"]["time"]["shortDays"][1] == "lun"
    heat = charts.craving_heatmap(pd.DataFrame({"weekday": [0], "hour": [9], "count": [2]}))
    assert heat.to_dict()["encoding"]["y"]["sort"][0] == "lun"
    calendar = charts.checkin_calendar({date(2026, 3, 2)}, date(2026, 3, 20),
                                       date(2026, 2, 20)).to_dict()
    assert calendar["title"] == "Registros diarios, 20 feb – 20 mar"
    i18n.use("en")
    spec = charts.trigger_counts(frame).to_dict()
    assert spec["title"] == "Common triggers" and "locale" not in spec["config"]


def test_a_deferred_download_is_made_in_the_language_the_page_passed():
    """The PDF is made when the browser fetches it, outside the page's run (English there):
    the page passes the language it spoke, and the caller's is back afterwards."""
    assert i18n.current() == "en"
    text, reader = _read(pdf.aftercare_pdf("Lucía", SECTIONS, "draft", "mar, 3 de mar",
                                           language="es"))
    assert reader.metadata.title == "Mi plan de continuidad" and "Borrador" in text
    assert i18n.current() == "en"
