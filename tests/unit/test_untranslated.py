"""The helper that finds English catalog strings left on a Spanish screen (tests/support)."""
from tests.support.untranslated import normalise, untranslated


def test_a_msgid_with_spanish_is_found_and_spanish_text_is_not():
    assert untranslated(["Check in now", "Hacer mi registro ahora"]) == ["Check in now"]


def test_markdown_escapes_and_placeholders_are_seen_through():
    assert normalise("**Checked in\\!**  now") == "Checked in! now"
    assert untranslated(["Hi, Rosa 🌿", "Hola, Rosa 🌿"]) == ["Hi, Rosa 🌿"]


def test_a_long_msgid_inside_a_paragraph_is_found_a_short_one_is_not():
    assert untranslated(["Algo más: Answer now"]) == []  # two words: only whole
    text = "Hola. Ride out an urge with the timer. Adiós"
    assert untranslated([text]) == [text]


def test_strings_the_same_in_both_languages_never_count():
    assert untranslated(["", "No", "7", "·"]) == []
