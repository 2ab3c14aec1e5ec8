"""The Spanish journeys' check for untranslated text (tests/support/untranslated.py), on the
kinds of screen text the browser journeys read: whole labels, filled placeholders, clinic lists."""
from tests.support.untranslated import untranslated


def test_an_english_catalog_message_on_a_spanish_page_is_found():
    found = untranslated(["Save answers", "Guardar respuestas", "Saved your PHQ-9. Thank you.",
                          "Your safety plan", "Stress at work"])
    assert sorted(found) == ["Save answers", "Saved your PHQ-9. Thank you.", "Stress at work",
                             "Your safety plan"]


def test_spanish_text_and_words_that_read_the_same_are_not():
    assert untranslated(["Guardamos tu PHQ-9. Gracias.", "No", "Total", "7/10",
                         "Rosa Demo", "PHQ-9", "Save answers now please",
                         "0 de 3 lecciones leídas · unos 35 min en total"]) == []


def test_a_citation_is_not_taken_for_a_message_made_of_placeholders():
    # "{when} by {who}: {note}" would match any line with " by " and ": " in it
    assert untranslated(["Löwe B, read by Kroenke K: J Gen Intern Med. 2001;16:606"]) == []
    assert untranslated(["Hi, Rosa 🌿"]) == ["Hi, Rosa 🌿"]  # a word it opens with is enough
