"""Skills modules as content files (`data/skills/*.toml`), one file a module.

Each file holds the module's id (its file name), title, summary, estimated minutes, the
skills it teaches, its lessons (a phone-length read each) and its exercises, whose typed
fields say what the client's answers may be. Adding a module means adding a file;
`parse` names the file and field at fault when one is wrong.

Languages (issue #20): each text field has its Spanish beside it in the same table, named
with the language's suffix (`title_es` beside `title`, `body_es` beside `body`, `options_es`
beside `options`, `skills_es` beside `skills`, `cue_es` beside a timer phase's `cue`).
`parse(path, language)` reads the module in that language, field by field, falling back to
the English of a field that has no translation. What is stored stays language-free: ids,
and for choice options and skill names the English value (`FieldSpec.options`,
`Module.skills`), shown through `option_label` / `skill_label` in the reader's language, so
an answer saved in one language reads right in the other.
"""
from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from companion import i18n
from companion.core.config import ROOT

FOLDER = ROOT / "data" / "skills"
FIELD_TYPES = ("short_text", "long_text", "choice", "choices", "scale", "time")
TEXT_LIMITS = {"short_text": 200, "long_text": 5000}  # a long answer is writing: room for it
MAX_CHARS_CAP = 10000  # the most a module may allow one text field
LESSON_WORDS = (200, 450)   # 2–3 minutes on a phone
WORDS_PER_MINUTE = 150
SKILL_NAME_MAX = 80         # skills become check-in choices (tags.MAX_LABEL)
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,46}$")
_FIELD_ID = re.compile(r"^[a-z0-9][a-z0-9_]{0,46}$")
# Content shows on client phones: nothing in it may load or link to another site.
_UNSAFE = re.compile(r"<\s*[a-zA-Z/!]|\]\(|https?://|www\.", re.IGNORECASE)
# The fields that have a translation beside them (`<name>_<language>`).
TRANSLATED = ("title", "summary", "body", "intro", "caution", "label", "help", "low_label",
              "high_label", "cue", "options", "skills")
TRANSLATIONS = tuple(code for code in i18n.LANGUAGES if code != i18n.DEFAULT)


class SkillContentError(ValueError):
    pass


@dataclass(frozen=True)
class FieldSpec:
    id: str
    label: str
    type: str
    help: str = ""
    required: bool = False
    options: tuple[str, ...] = ()
    min: int = 0
    max: int = 10
    low_label: str = ""
    high_label: str = ""
    max_chars: int = 0
    option_labels: tuple[str, ...] = ()  # the options as shown, in the module's language

    @property
    def limit(self) -> int:
        return self.max_chars or TEXT_LIMITS.get(self.type, 0)

    def option_label(self, option: str) -> str:
        """A stored option (its English value) as this language shows it; anything else (an
        option since removed) as it was saved."""
        labels = dict(zip(self.options, self.option_labels))
        return labels.get(option, option)


@dataclass(frozen=True)
class Phase:
    seconds: int
    cue: str


@dataclass(frozen=True)
class Timer:
    seconds: int
    phases: tuple[Phase, ...]
    after_field: str | None = None  # drawn below this field (e.g. a "before" rating)

    @property
    def cycle(self) -> int:
        return sum(p.seconds for p in self.phases)

    def cue(self, elapsed: float) -> tuple[str, int]:
        """The phase for this moment and the seconds left in it."""
        moment = elapsed % self.cycle
        for phase in self.phases:
            if moment < phase.seconds:
                return phase.cue, max(1, math.ceil(phase.seconds - moment))
            moment -= phase.seconds
        return self.phases[0].cue, self.phases[0].seconds


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    body: str

    @property
    def words(self) -> int:
        return len(self.body.split())

    @property
    def minutes(self) -> int:
        return max(1, round(self.words / WORDS_PER_MINUTE))


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    intro: str
    fields: tuple[FieldSpec, ...]
    skill: str | None = None
    minutes: int = 5
    timer: Timer | None = None
    caution: str = ""

    def field(self, field_id: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.id == field_id), None)


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    summary: str
    estimated_minutes: int
    skills: tuple[str, ...]
    lessons: tuple[Lesson, ...]
    exercises: tuple[Exercise, ...]
    order: int = 100
    icon: str = "🌱"
    skill_labels: tuple[str, ...] = ()  # the skills as shown, in the module's language

    def skill_label(self, skill: str) -> str:
        return dict(zip(self.skills, self.skill_labels)).get(skill, skill)

    def lesson(self, lesson_id: str) -> Lesson | None:
        return next((x for x in self.lessons if x.id == lesson_id), None)

    def exercise(self, exercise_id: str) -> Exercise | None:
        return next((x for x in self.exercises if x.id == exercise_id), None)


class _Checker:
    """Reads one file's raw tables, naming the file and field path in every complaint."""

    def __init__(self, path: Path, language: str = i18n.DEFAULT):
        self.name = path.name
        self.language = language

    def fail(self, where: str, problem: str):
        raise SkillContentError(f"{self.name}: {where}: {problem}")

    def keys(self, raw: dict, where: str, required: tuple[str, ...], optional: tuple[str, ...]):
        if not isinstance(raw, dict):
            self.fail(where, "must be a table")
        for name in required:
            if name not in raw:
                self.fail(where, f"missing field {name!r}")
        allowed = {*required, *optional}
        allowed |= {f"{name}_{code}" for name in allowed if name in TRANSLATED
                    for code in TRANSLATIONS}
        unknown = sorted(set(raw) - allowed)
        if unknown:
            self.fail(f"{where}.{unknown[0]}", "unknown field (a typo?); allowed: "
                      + ", ".join((*required, *optional)))

    def text(self, raw: dict, where: str, name: str, limit: int) -> str:
        """The field in this language (`<name>_<language>`), else its English; both are held
        to the same rules."""
        english = self.value_text(raw.get(name), f"{where}.{name}" if where else name, limit)
        if self.language == i18n.DEFAULT or f"{name}_{self.language}" not in raw:
            return english
        name = f"{name}_{self.language}"
        return self.value_text(raw.get(name), f"{where}.{name}" if where else name, limit)

    def translated_list(self, raw: dict, where: str, name: str, english: tuple[str, ...],
                        limit: int) -> tuple[str, ...]:
        """A list shown in this language (options, skills), one for one with `english`."""
        key = f"{name}_{self.language}"
        if self.language == i18n.DEFAULT or key not in raw:
            return english
        at = f"{where}.{key}" if where else key
        value = raw[key]
        if not isinstance(value, list) or len(value) != len(english):
            self.fail(at, f"must list {len(english)} items, one for each of {name}")
        shown = tuple(self.value_text(v, f"{at}[{n}]", limit).strip()
                      for n, v in enumerate(value, start=1))
        if len(set(shown)) != len(shown):
            self.fail(at, "names an item twice")
        return shown

    def value_text(self, value: object, at: str, limit: int) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(at, "must be some text")
        if len(value) > limit:
            self.fail(at, f"too long ({len(value)} characters; at most {limit})")
        if _UNSAFE.search(value):
            self.fail(at, "links, images and HTML are not allowed (the app loads nothing "
                          "from other sites)")
        return value.strip()

    def optional_text(self, raw: dict, where: str, name: str, limit: int) -> str:
        return self.text(raw, where, name, limit) if name in raw else ""

    def integer(self, raw: dict, where: str, name: str, low: int, high: int,
                default: int | None = None) -> int:
        value = raw.get(name, default)
        at = f"{where}.{name}" if where else name
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(at, f"must be a whole number from {low} to {high}")
        return value

    def ident(self, raw: dict, where: str, pattern: re.Pattern = _ID) -> str:
        value = raw.get("id")
        if not isinstance(value, str) or not pattern.match(value):
            self.fail(f"{where}.id" if where else "id",
                      f"{value!r} is not a valid id (lower-case letters, digits and "
                      f"{'-' if pattern is _ID else '_'}, up to 47)")
        return value

    def items(self, raw: dict, where: str, name: str) -> list:
        value = raw.get(name)
        at = f"{where}.{name}" if where else name
        if not isinstance(value, list) or not value:
            self.fail(at, "must be a non-empty list")
        return value


def _field(c: _Checker, raw: dict, where: str, seen_fields: set[str]) -> FieldSpec:
    c.keys(raw, where, ("id", "label", "type"),
           ("help", "required", "options", "min", "max", "low_label", "high_label",
            "max_chars"))
    field_id = c.ident(raw, where, _FIELD_ID)
    if field_id in seen_fields:
        c.fail(f"{where}.id", f"{field_id!r} is used twice in this exercise")
    seen_fields.add(field_id)
    label = c.text(raw, where, "label", 200)
    kind = raw["type"]
    if kind not in FIELD_TYPES:
        c.fail(f"{where}.type", f"{kind!r} is not one of {', '.join(FIELD_TYPES)}")
    required = raw.get("required", False)
    if not isinstance(required, bool):
        c.fail(f"{where}.required", "must be true or false")
    options: tuple[str, ...] = ()
    if kind in ("choice", "choices"):
        raw_options = c.items(raw, where, "options")
        for n, option in enumerate(raw_options, start=1):
            c.value_text(option, f"{where}.options[{n}]", 80)
        options = tuple(o.strip() for o in raw_options)
        if len(options) < 2 or len(set(options)) != len(options):
            c.fail(f"{where}.options", "needs at least two different options")
    elif "options" in raw:
        c.fail(f"{where}.options", f"only choice and choices fields have options, not {kind}")
    low, high = 0, 10
    if kind == "scale":
        low = c.integer(raw, where, "min", 0, 100, 0)
        high = c.integer(raw, where, "max", 1, 100, 10)
        if low >= high:
            c.fail(f"{where}.max", "must be more than min")
    elif "min" in raw or "max" in raw:
        c.fail(f"{where}.min", f"only scale fields have min and max, not {kind}")
    max_chars = 0
    if "max_chars" in raw:
        if kind not in TEXT_LIMITS:
            c.fail(f"{where}.max_chars", f"only text fields have max_chars, not {kind}")
        max_chars = c.integer(raw, where, "max_chars", 20, MAX_CHARS_CAP)
    return FieldSpec(field_id, label, kind, c.optional_text(raw, where, "help", 400), required,
                     options, low, high, c.optional_text(raw, where, "low_label", 40),
                     c.optional_text(raw, where, "high_label", 40), max_chars,
                     c.translated_list(raw, where, "options", options, 80) if options else ())


def _timer(c: _Checker, raw: dict, where: str, field_ids: set[str]) -> Timer:
    c.keys(raw, where, ("seconds", "phases"), ("after_field",))
    after = raw.get("after_field")
    if after is not None and after not in field_ids:
        c.fail(f"{where}.after_field", f"{after!r} is not one of this exercise's fields")
    seconds = c.integer(raw, where, "seconds", 30, 1800)
    phases = []
    for n, phase in enumerate(c.items(raw, where, "phases"), start=1):
        at = f"{where}.phases[{n}]"
        c.keys(phase, at, ("seconds", "cue"), ())
        phases.append(Phase(c.integer(phase, at, "seconds", 1, 60), c.text(phase, at, "cue", 60)))
    return Timer(seconds, tuple(phases), after)


def parse(path: Path, language: str = i18n.DEFAULT) -> Module:
    """One module file, its text in `language` (field by field, English where a field has
    no translation)."""
    c = _Checker(path, i18n.normalise(language) or i18n.DEFAULT)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SkillContentError(f"{path.name}: not valid TOML: {exc}") from exc
    c.keys(raw, "top level", ("id", "title", "summary", "estimated_minutes", "skills",
                              "lessons", "exercises"), ("order", "icon"))
    module_id = c.ident(raw, "")
    if module_id != path.stem:
        c.fail("id", f"{module_id!r} must match the file name ({path.stem!r})")
    skills = []
    for n, name in enumerate(c.items(raw, "", "skills"), start=1):
        skills.append(c.value_text(name, f"skills[{n}]", SKILL_NAME_MAX))
    if len(set(skills)) != len(skills):
        c.fail("skills", "a skill is named twice")
    skill_labels = c.translated_list(raw, "", "skills", tuple(skills), SKILL_NAME_MAX)
    seen: set[str] = set()
    lessons = []
    for n, lesson in enumerate(c.items(raw, "", "lessons"), start=1):
        where = f"lessons[{n}]"
        c.keys(lesson, where, ("id", "title", "body"), ())
        lesson_id = c.ident(lesson, where)
        if lesson_id in seen:
            c.fail(f"{where}.id", f"{lesson_id!r} is used twice in this module")
        seen.add(lesson_id)
        found = Lesson(lesson_id, c.text(lesson, where, "title", 80),
                       c.text(lesson, where, "body", 5000))
        low, high = LESSON_WORDS
        if not low <= found.words <= high:
            c.fail(f"{where}.body", f"{found.words} words; a lesson should be {low}–{high} "
                                    "words (2–3 minutes on a phone)")
        lessons.append(found)
    exercises = []
    seen = set()
    for n, exercise in enumerate(c.items(raw, "", "exercises"), start=1):
        where = f"exercises[{n}]"
        c.keys(exercise, where, ("id", "title", "intro", "fields"),
               ("skill", "minutes", "timer", "caution"))
        exercise_id = c.ident(exercise, where)
        if exercise_id in seen:
            c.fail(f"{where}.id", f"{exercise_id!r} is used twice in this module")
        seen.add(exercise_id)
        skill = exercise.get("skill")
        if skill is not None and skill not in skills:
            c.fail(f"{where}.skill", f"{skill!r} is not in this module's skills")
        seen_fields: set[str] = set()
        fields = tuple(_field(c, f, f"{where}.fields[{k}]", seen_fields)
                       for k, f in enumerate(c.items(exercise, where, "fields"), start=1))
        timer = (_timer(c, exercise["timer"], f"{where}.timer", seen_fields)
                 if "timer" in exercise else None)
        exercises.append(Exercise(exercise_id, c.text(exercise, where, "title", 80),
                                  c.text(exercise, where, "intro", 1500), fields, skill,
                                  c.integer(exercise, where, "minutes", 1, 60, 5), timer,
                                  c.optional_text(exercise, where, "caution", 600)))
    return Module(module_id, c.text(raw, "", "title", 60), c.text(raw, "", "summary", 300),
                  c.integer(raw, "", "estimated_minutes", 1, 240), tuple(skills),
                  tuple(lessons), tuple(exercises), c.integer(raw, "", "order", 0, 1000, 100),
                  c.optional_text(raw, "", "icon", 8) or "🌱", skill_labels)


@lru_cache(maxsize=8)
def load_all(folder: str = str(FOLDER), language: str = i18n.DEFAULT) -> dict[str, Module]:
    """Every module in `language`, in their `order`; a skill name may belong to one module
    only."""
    found: dict[str, Module] = {}
    owner: dict[str, str] = {}
    for path in sorted(Path(folder).glob("*.toml")):
        module = parse(path, language)
        for skill in module.skills:
            if skill in owner:
                raise SkillContentError(f"{path.name}: skills: {skill!r} is also in "
                                        f"{owner[skill]}.toml")
            owner[skill] = module.id
        found[module.id] = module
    return dict(sorted(found.items(), key=lambda kv: (kv[1].order, kv[1].title)))


def modules() -> list[Module]:
    """Every module, in this run's language."""
    return list(load_all(str(FOLDER), i18n.current()).values())


def get(module_id: str) -> Module | None:
    return load_all(str(FOLDER), i18n.current()).get(module_id)


def skill_label(skill: str) -> str:
    """A skill's stored (English) name as this run's language says it; a name no module
    teaches any more as it was saved."""
    owner = skill_owner(skill)
    return owner.skill_label(skill) if owner else skill


def skill_owner(skill: str) -> Module | None:
    return next((m for m in modules() if skill in m.skills), None)
