"""The Spanish catalog (issue #20): complete, current with the code, placeholders intact, and
held to the glossary's key terms and person-first words."""
from __future__ import annotations

import re
import string
import tomllib

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from companion import i18n
from companion.core.config import ROOT

GLOSSARY = tomllib.loads((i18n.LOCALE_DIR / "glossary.toml").read_text())
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "N_": None}


def _catalog(language: str = "es"):
    with open(i18n.po_file(language), "rb") as fh:
        return read_po(fh, locale=language)


def _messages(catalog):
    return [m for m in catalog if m.id]


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]


def _ids(message) -> list[str]:
    return list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_message_has_a_spanish_translation_and_none_is_fuzzy():
    catalog = _catalog()
    untranslated = [m.id for m in _messages(catalog) if not all(s.strip() for s in _strings(m))
                    or len(_strings(m)) != (catalog.num_plurals if m.pluralizable else 1)]
    fuzzy = [m.id for m in _messages(catalog) if m.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_the_catalog_holds_every_string_the_code_marks():
    """`make messages` was run after the last change: each _() / ngettext() / N_() string in
    the app has its entry (a new string with no Spanish would show in English)."""
    with open(ROOT / "babel.cfg") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    in_code = {msgid if isinstance(msgid, str) else msgid[0]
               for _file, _line, msgid, _comments, _context in
               extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS)}
    in_catalog = {_ids(m)[0] for m in _messages(_catalog())}
    assert sorted(in_code - in_catalog) == []


def test_placeholders_are_named_and_kept_in_the_translation():
    for message in _messages(_catalog()):
        expected = set().union(*(_placeholders(i) for i in _ids(message)))
        assert "" not in expected, f"positional placeholder in {message.id!r}"
        for text in _strings(message):
            assert _placeholders(text) == expected, (message.id, text)


@pytest.mark.parametrize("key", sorted(GLOSSARY["terms"]))
def test_each_key_term_is_said_the_glossary_way(key):
    term = GLOSSARY["terms"][key]
    english = re.compile(r"\b(?:" + "|".join(term["en"]) + r")\b", re.IGNORECASE)
    wrong = [(message.id, text) for message in _messages(_catalog())
             for msgid, text in zip(_ids(message) * 3, _strings(message))
             if english.search(msgid)
             and not any(form.lower() in text.lower() for form in term["es"])]
    assert wrong == [], f"{key} is '{term['term']}' in Spanish"


def test_no_translation_uses_a_forbidden_word():
    forbidden = re.compile(r"\b(?:" + "|".join(GLOSSARY["forbidden"]["words"]) + r")\b",
                           re.IGNORECASE)
    found = [text for message in _messages(_catalog()) for text in _strings(message)
             if forbidden.search(text)]
    assert found == []


def test_the_glossary_check_catches_a_wrong_term_and_a_forbidden_word():
    """The two checks above can fail: a planted bad translation is caught by each."""
    craving = GLOSSARY["terms"]["craving"]
    english = re.compile(r"\b(?:" + "|".join(craving["en"]) + r")\b", re.IGNORECASE)
    assert english.search("Log a craving")
    assert not any(f in "Anotar un antojo" for f in craving["es"])
    forbidden = re.compile(r"\b(?:" + "|".join(GLOSSARY["forbidden"]["words"]) + r")\b",
                           re.IGNORECASE)
    assert forbidden.search("una persona adicta") and forbidden.search("el abuso de alcohol")
    assert not forbidden.search("una persona que usa sustancias")


def test_spanish_crisis_lines_are_listed_and_dial_the_same_way():
    from companion.clinic import FALLBACK_CRISIS_ES, get_clinic

    lines = get_clinic().crisis_for("es")
    links = {(r.tel_link, r.sms_link) for r in lines}
    assert ("tel:988", "sms:988?&body=AYUDA") in links
    assert ("tel:911", None) in links
    assert ("tel:18006624357", None) in links
    assert (None, "sms:741741?&body=AYUDA") in links
    assert {(r.tel_link, r.sms_link) for r in FALLBACK_CRISIS_ES} == links
    assert get_clinic().crisis_for("en") == get_clinic().crisis_resources
