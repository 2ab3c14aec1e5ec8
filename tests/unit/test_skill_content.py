"""Every skills module file in data/skills/ against the schema; a broken file is refused
with its file name and the field at fault; the content speaks the app's language."""
import re
import shutil
from pathlib import Path

import pytest

from companion import skill_modules
from companion.skill_modules import FOLDER, LESSON_WORDS, SkillContentError, load_all, parse

FILES = sorted(FOLDER.glob("*.toml"))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_content_file_matches_the_schema(path):
    module = parse(path)  # raises SkillContentError naming the file and field
    assert module.id == path.stem
    assert module.lessons and module.exercises and module.skills
    for lesson in module.lessons:
        assert LESSON_WORDS[0] <= lesson.words <= LESSON_WORDS[1], lesson.id
    for exercise in module.exercises:
        assert exercise.fields
        assert exercise.skill is None or exercise.skill in module.skills


def test_the_catalogue_has_the_six_modules_the_program_teaches():
    modules = load_all()
    assert {"boundaries", "emotional-regulation", "routines", "cravings", "relapse-prevention",
            "stress-grounding"} <= set(modules)
    assert len(modules) >= 6
    orders = [m.order for m in modules.values()]
    assert orders == sorted(orders)


def test_exercises_other_features_build_on_are_there():
    # the aftercare plan reads the relapse-prevention plan by these ids
    plan = skill_modules.get("relapse-prevention").exercise("my-plan")
    assert {"warning_signs", "high_risk", "coping_steps", "people", "if_i_slip",
            "reasons"} <= {f.id for f in plan.fields}
    assert skill_modules.get("stress-grounding").exercise("box-breathing").timer is not None
    words = skill_modules.get("emotional-regulation").exercise("emotion-check-in").field(
        "feelings")
    assert words.type == "choices" and len(words.options) >= 20
    routine = skill_modules.get("routines").exercise("daily-routine")
    assert {f.type for f in routine.fields} >= {"time", "short_text"}


def test_the_cold_water_caution_is_in_the_lesson_and_the_exercise():
    module = skill_modules.get("emotional-regulation")
    for text in (module.lesson("tipp").body, module.exercise("tipp-plan").caution):
        assert "heart condition" in text and "beta-blockers" in text


_STIGMA = re.compile(r"\b(addicts?|abuse[rs]?|abusing|junkies?|dirty|(stay|staying|get|got|"
                     r"getting) clean)\b", re.IGNORECASE)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_content_uses_person_first_language(path):
    found = [m.group(0) for m in _STIGMA.finditer(path.read_text())]
    assert found == [], f"{path.name}: say 'use' and 'a person who uses', not {found}"


# --- broken files ---------------------------------------------------------------------

GOOD = (FOLDER / "boundaries.toml").read_text()


def _broken(tmp_path: Path, text: str, name: str = "boundaries.toml") -> str:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(SkillContentError) as caught:
        parse(path)
    return str(caught.value)


def _once(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


@pytest.mark.parametrize("old,new,expected", [
    ('title = "Boundaries"\n', "", "boundaries.toml: top level: missing field 'title'"),
    ('type = "scale"', 'type = "slider"',
     "boundaries.toml: exercises[1].fields[7].type: 'slider' is not one of"),
    ("required = true", "requried = true",
     "boundaries.toml: exercises[1].fields[1].requried: unknown field"),
    ('skill = "Saying no"', 'skill = "Juggling"',
     "boundaries.toml: exercises[2].skill: 'Juggling' is not in this module's skills"),
    ("estimated_minutes = 20", 'estimated_minutes = "twenty"',
     "boundaries.toml: estimated_minutes: must be a whole number"),
    ("A boundary is a line", "![x](http://example.com/a.png) A boundary is a line",
     "boundaries.toml: lessons[1].body: links, images and HTML are not allowed"),
    ("A boundary is a line", "<img src=x> A boundary is a line",
     "boundaries.toml: lessons[1].body: links, images and HTML are not allowed"),
    ('id = "saying-no"\ntitle = "Saying no without guilt"',
     'id = "what-a-boundary-is"\ntitle = "Saying no without guilt"',
     "boundaries.toml: lessons[2].id: 'what-a-boundary-is' is used twice"),
    ("min = 0", "min = 10", "boundaries.toml: exercises[1].fields[7].max: must be more than min"),
])
def test_a_broken_file_names_the_file_and_the_field(tmp_path, old, new, expected):
    assert expected in _broken(tmp_path, _once(old, new))


def test_a_lesson_too_long_for_a_phone_is_refused(tmp_path):
    padded = _once("It isn't a wall,", "It isn't a wall, " + "really " * 300 + ",")
    message = _broken(tmp_path, padded)
    assert "boundaries.toml: lessons[1].body:" in message and "2–3 minutes" in message


def test_choice_fields_need_options(tmp_path):
    text = GOOD.replace('id = "if_pushed"\nlabel = "What I\'ll say if they push (my broken '
                        'record)"\nlabel_es = "Lo que voy a decir si insiste (mi disco rayado)"'
                        '\ntype = "short_text"',
                        'id = "if_pushed"\nlabel = "If pushed"\ntype = "choice"')
    assert "boundaries.toml: exercises[1].fields[6].options: must be a non-empty list" in \
        _broken(tmp_path, text)


def test_not_toml_and_wrong_file_name_are_refused(tmp_path):
    assert _broken(tmp_path, GOOD + "\n[[lessons]\n").startswith("boundaries.toml: not valid TOML")
    assert "other.toml: id: 'boundaries' must match the file name" in _broken(
        tmp_path, GOOD, "other.toml")


def test_a_skill_belongs_to_one_module_only(tmp_path):
    shutil.copy(FOLDER / "boundaries.toml", tmp_path / "boundaries.toml")
    (tmp_path / "copy.toml").write_text(GOOD.replace('id = "boundaries"', 'id = "copy"', 1))
    with pytest.raises(SkillContentError, match=r"copy.toml: skills: 'Setting a boundary' is "
                                                r"also in boundaries.toml"):
        load_all.__wrapped__(str(tmp_path))


def test_a_timer_placed_after_an_unknown_field_is_refused(tmp_path):
    text = (FOLDER / "stress-grounding.toml").read_text()
    assert 'after_field = "before"' in text
    message = _broken(tmp_path, text.replace('after_field = "before"', 'after_field = "befor"'),
                      "stress-grounding.toml")
    assert message.startswith("stress-grounding.toml: exercises[1].timer.after_field: 'befor'")
