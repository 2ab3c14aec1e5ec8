"""The browser journeys' check for untranslated text (tests/support/untranslated.py)."""
from tests.support.untranslated import english_messages, untranslated_texts


def test_an_english_catalog_message_on_a_spanish_page_is_found():
    found = untranslated_texts(["Save answers", "Guardar respuestas", "Saved your PHQ-9. Thank you.",
                                "Your safety plan", "Stress at work"])
    assert found == ["Save answers", "Saved your PHQ-9. Thank you.", "Stress at work",
                     "Your safety plan"]


def test_spanish_text_and_words_that_read_the_same_are_not():
    assert untranslated_texts(["Guardamos tu PHQ-9. Gracias.", "No", "Total", "7/10",
                               "Rosa Demo", "PHQ-9", "Save answers now please"]) == []


def test_placeholders_alone_never_match_everything():
    plain, patterns = english_messages()
    assert "Save answers" in plain
    assert not any(p.fullmatch("Rosa Demo") for p in patterns)
