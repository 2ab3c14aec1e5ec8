"""The skills modules in Spanish (issue #20): each module, lesson, exercise, field and timer
cue has its Spanish beside the English (`<field>_es`), read by the loader in the reader's
language, held to the same rules and to the glossary; ids, options and skill names are
stored in English whatever the language."""
import re
import tomllib

import pytest

from companion import i18n, skill_modules
from companion.skill_modules import FOLDER, LESSON_WORDS, TRANSLATED, load_all, parse

FILES = sorted(FOLDER.glob("*.toml"))
GLOSSARY = tomllib.loads((i18n.LOCALE_DIR / "glossary.toml").read_text())


def _tables(raw: dict, where: str = ""):
    """Every table of a module file with its path (the module, each lesson, exercise, field,
    timer and timer phase)."""
    yield where or "top level", raw
    for name, value in raw.items():
        if isinstance(value, dict):
            yield from _tables(value, f"{where}.{name}" if where else name)
        elif isinstance(value, list):
            for n, item in enumerate(value, start=1):
                if isinstance(item, dict):
                    yield from _tables(item, f"{where}.{name}[{n}]" if where else
                                       f"{name}[{n}]")


def _pairs(path):
    """(where, English, Spanish) for every translated field of a file."""
    raw = tomllib.loads(path.read_text())
    for where, table in _tables(raw):
        for name in TRANSLATED:
            if name in table:
                yield f"{where}.{name}", table[name], table.get(f"{name}_es")


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_english_field_has_its_spanish_beside_it(path):
    missing = [where for where, _english, spanish in _pairs(path) if spanish is None]
    assert missing == [], f"{path.name}: no Spanish for {missing}"
    for where, english, spanish in _pairs(path):
        assert type(spanish) is type(english), where
        if isinstance(english, list):
            assert len(spanish) == len(english), where
        else:
            assert spanish.strip() and spanish.strip() != english.strip(), where


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_the_spanish_module_keeps_the_rules_and_the_stored_values(path):
    english, spanish = parse(path), parse(path, "es")
    assert spanish.title != english.title and spanish.id == english.id
    assert spanish.skills == english.skills  # stored names stay English
    for lesson, translated in zip(english.lessons, spanish.lessons):
        assert translated.id == lesson.id and translated.title != lesson.title
        assert LESSON_WORDS[0] <= translated.words <= LESSON_WORDS[1], lesson.id
    for exercise, translated in zip(english.exercises, spanish.exercises):
        assert translated.id == exercise.id and translated.skill == exercise.skill
        for field, shown in zip(exercise.fields, translated.fields):
            assert (shown.id, shown.type, shown.options) == (field.id, field.type,
                                                            field.options)
            assert shown.label != field.label
            if field.options:
                assert len(set(shown.option_labels)) == len(field.options)
        if exercise.timer:
            assert [p.seconds for p in translated.timer.phases] == [
                p.seconds for p in exercise.timer.phases]


@pytest.mark.parametrize("key", sorted(GLOSSARY["terms"]))
def test_the_spanish_content_says_the_key_terms_the_glossary_way(key):
    term = GLOSSARY["terms"][key]
    english = re.compile(r"\b(?:" + "|".join(term["en"]) + r")\b", re.IGNORECASE)
    wrong = [(path.name, where) for path in FILES
             for where, text, spanish in _pairs(path) if isinstance(text, str)
             if english.search(text)
             and not any(form.lower() in " ".join(spanish.split()).lower()
                         for form in term["es"])]
    assert wrong == [], f"{key} is '{term['term']}' in Spanish"


def test_no_spanish_content_uses_a_forbidden_word():
    forbidden = re.compile(r"\b(?:" + "|".join(GLOSSARY["forbidden"]["words"]) + r")\b",
                           re.IGNORECASE)
    found = [(path.name, where) for path in FILES for where, _en, spanish in _pairs(path)
             if forbidden.search(str(spanish))]
    assert found == []


def test_the_cold_water_caution_is_in_spanish_too():
    module = load_all(str(FOLDER), "es")["emotional-regulation"]
    for text in (module.lesson("tipp").body, module.exercise("tipp-plan").caution):
        assert "corazón" in text and "betabloqueadores" in text


def test_the_reader_s_language_chooses_and_stored_values_read_in_either():
    i18n.use("es")
    try:
        module = skill_modules.get("stress-grounding")
        assert module.title == "Estrés y anclaje"
        worry = module.exercise("worry-time").field("can_act")
        assert worry.option_label("Partly") == "En parte"
        assert worry.option_label("An option since removed") == "An option since removed"
        assert skill_modules.skill_label("Box breathing") == "Respiración cuadrada"
        assert module.exercise("box-breathing").timer.phases[0].cue == "Inhala"
    finally:
        i18n.use("en")
    assert skill_modules.get("stress-grounding").title == "Stress and grounding"
    assert skill_modules.skill_label("Box breathing") == "Box breathing"


def test_a_field_without_spanish_falls_back_to_english_and_a_bad_one_is_refused(tmp_path):
    text = (FOLDER / "boundaries.toml").read_text()
    path = tmp_path / "boundaries.toml"
    start = text.index('title_es = "Qué es un límite"')
    path.write_text(text[:start] + text[start:].replace('title_es = "Qué es un límite"\n', "",
                                                        1))
    module = parse(path, "es")
    assert module.lesson("what-a-boundary-is").title == "What a boundary is"
    assert module.title == "Límites"
    path.write_text(text.replace('skills_es = ["Poner un límite", "Decir que no"]',
                                 'skills_es = ["Poner un límite"]'))
    with pytest.raises(skill_modules.SkillContentError,
                       match=r"boundaries.toml: skills_es: must list 2 items"):
        parse(path, "es")
    path.write_text(text.replace('title_es = "Límites"', 'title_es = "see www.x.com"'))
    with pytest.raises(skill_modules.SkillContentError, match=r"title_es: links"):
        parse(path, "es")


def test_a_practised_skill_in_the_check_in_lists_reads_in_spanish():
    """Practised skills join the check-in's and craving log's coping lists (stored by their
    English names): clinic_label names them as their module does, in Spanish."""
    i18n.use("es")
    try:
        assert i18n.clinic_label("Box breathing") == "Respiración cuadrada"
        assert i18n.clinic_label("Stress at work") == "Estrés en el trabajo"
        assert i18n.clinic_label("Mi propio detonante") == "Mi propio detonante"
    finally:
        i18n.use("en")
    assert i18n.clinic_label("Box breathing") == "Box breathing"
