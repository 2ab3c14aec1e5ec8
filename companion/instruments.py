"""Validated questionnaires as data files (`data/instruments/*.toml`) and one scoring engine.

Each file gives the items with their published wording, answer options with scores, the
scales (which items sum into what, with severity bands), the form's own skip instructions
(`[[skips]]`: "if 0, skip to …"), the rule for items a person left out together with where
that rule comes from (`missing_rule_source`: "published" or "clinic"), and the reference.
Adding an instrument means adding a file; `load_all` names the file and field at fault when
one is wrong.

Languages (issue #20): a file's `[es]` table holds its Spanish. Where `es.validated` is true it
has the publisher's own validated Spanish wording of the instructions, items and answers (PHQ-9
and GAD-7: Pfizer's "Spanish for the USA", its source recorded in the file), shown to a person
reading Spanish. Where it is false (BAM: no validated Spanish version is known) the instrument
itself is shown in English, with a note in Spanish saying why; only the app's own words about it
(its short name, score bands, skip reasons) are in Spanish. Scores never depend on the language:
answers are kept as the options' scores.

Two kinds of "skipped" are kept apart: an item the form itself tells the person to skip
(skipped by rule: scored as the file says, never counted as missing) and an item the person
left out (missing: prorated only by the file's `max_missing` rule, and never when it is a risk
item such as PHQ-9 item 9).
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from companion import i18n
from companion.core.config import ROOT

FOLDER = ROOT / "data" / "instruments"


class InstrumentError(ValueError):
    pass


@dataclass(frozen=True)
class Option:
    label: str
    score: int


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    options: tuple[Option, ...]
    scored: bool = True
    risk: bool = False


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: str
    meaning: str


@dataclass(frozen=True)
class Scale:
    id: str
    label: str
    items: tuple[str, ...]
    min: int
    max: int
    bands: tuple[Band, ...]
    severe_from: int | None = None
    worsening_points: int | None = None
    higher_is_better: bool = False

    def band(self, value: int | None) -> Band | None:
        if value is None:
            return None
        return next((b for b in self.bands if b.low <= value <= b.high), None)


@dataclass(frozen=True)
class ReliableChange:
    """A scale's published figures for the Jacobson–Truax reliable change index, and the
    response and remission rules (`[outcomes.<scale>]` in the instrument's file)."""
    reliability: float
    reliability_kind: str
    reliability_source: str
    sd: float
    sd_source: str
    response_drop: float | None = None
    remission_below: int | None = None


@dataclass(frozen=True)
class Skip:
    """The form's own instruction: when `gate` is answered `answer`, `items` are not asked
    and score `score_as` (e.g. BAM: no drinking days, so no heavy-drinking days)."""
    gate: str
    answer: int
    items: tuple[str, ...]
    score_as: int
    why: str


MISSING_RULE_SOURCES = {  # translated where shown (gettext)
    "published": i18n.N_("the published scoring rule"),
    "clinic": i18n.N_("this clinic's own rule — the instrument's authors publish none"),
}


@dataclass(frozen=True)
class Form:
    key: str
    label: str
    window: str
    days: str


@dataclass(frozen=True)
class Instrument:
    id: str
    title: str
    name: str
    instructions: str
    reference: str
    max_missing: int
    raw_items: tuple[dict, ...]
    option_sets: dict
    scales: tuple[Scale, ...]
    forms: dict[str, Form] = field(default_factory=dict)
    skips: tuple[Skip, ...] = ()
    missing_rule: str = ""
    missing_rule_source: str = "clinic"
    outcomes: dict[str, ReliableChange] = field(default_factory=dict)
    outcomes_note: str = ""
    plain: str = ""   # what it is in two words ("Mood check"), for short places
    languages: dict[str, dict] = field(default_factory=dict)  # "es" -> the file's [es] table

    def words(self, language: str | None = None) -> dict:
        """The file's table for `language` (default: this run's); {} for English."""
        code = i18n.normalise(language) or i18n.current()
        return {} if code == i18n.DEFAULT else self.languages.get(code, {})

    def validated_in(self, language: str | None = None) -> bool:
        """Is the instrument itself shown in `language`? English always; another language
        only with the publisher's validated wording in the file."""
        code = i18n.normalise(language) or i18n.current()
        return code == i18n.DEFAULT or bool(self.words(code).get("validated"))

    def _published(self, language: str | None) -> dict:
        """The validated wording in `language`, or {} (the English as published)."""
        return self.words(language) if self.validated_in(language) else {}

    @property
    def short(self) -> str:
        """"Mood check (PHQ-9)": fits a phone's picker and a caseload card (this run's
        language)."""
        plain = self.words().get("plain", self.plain)
        return f"{plain} ({self.title})" if plain else self.title

    @property
    def shown_name(self) -> str:
        return self.words().get("name", self.name)

    @property
    def shown_reference(self) -> str:
        return self.words().get("reference", self.reference)

    @property
    def shown_missing_rule(self) -> str:
        return self.words().get("missing_rule", self.missing_rule)

    def scale_label(self, scale: "Scale", language: str | None = None) -> str:
        return self.words(language).get("scales", {}).get(scale.id, {}).get("label", scale.label)

    def band_words(self, scale: "Scale", band: "Band",
                   language: str | None = None) -> tuple[str, str]:
        """A band's label and meaning in `language` (stored flags keep the English)."""
        shown = self.words(language).get("scales", {}).get(scale.id, {}).get("bands")
        if not shown:
            return band.label, band.meaning
        words = shown[scale.bands.index(band)]
        return words["label"], words["meaning"]

    def skip_why(self, rule: "Skip", language: str | None = None) -> str:
        whys = self.words(language).get("skips", {})
        return whys.get(rule.gate, rule.why)

    def form_label(self, key: str, language: str | None = None) -> str:
        chosen = self.form(key)
        if chosen is None:
            return ""
        return self.words(language).get("forms", {}).get(key, chosen.label)

    @property
    def missing_rule_label(self) -> str:
        """Where the skipped-item rule comes from, in words (shown wherever the rule is)."""
        return MISSING_RULE_SOURCES[self.missing_rule_source]

    def form(self, key: str = "") -> Form | None:
        if not self.forms:
            return None
        if key not in self.forms:
            raise InstrumentError(f"{self.id} has no form {key!r}")
        return self.forms[key]

    def items(self, form: str = "", language: str | None = None) -> list[Item]:
        """Items with the form's window filled in and its option set resolved, in
        `language` (default: this run's) where the file has its validated wording."""
        chosen = self.form(form)
        published = self._published(language)
        found = []
        for raw in self.raw_items:
            set_name = raw["options"]
            if set_name == "days" and chosen is not None:
                set_name = chosen.days
            labels = published.get("option_sets", {}).get(set_name)
            options = tuple(Option(labels[n] if labels else o["label"], o["score"])
                            for n, o in enumerate(self.option_sets[set_name]))
            text = published.get("items", {}).get(raw["id"], raw["text"])
            text = text.replace("{window}", chosen.window if chosen else "")
            found.append(Item(raw["id"], text, options, raw.get("scored", True),
                              raw.get("risk", False)))
        return found

    def intro(self, form: str = "", language: str | None = None) -> str:
        chosen = self.form(form)
        text = self._published(language).get("instructions", self.instructions)
        return text.replace("{window}", chosen.window if chosen else "")


@dataclass(frozen=True)
class Scored:
    values: dict[str, int | None]     # scale -> total (None: not scored, items missing)
    missing: dict[str, int]           # scale -> items the person left out (not skips by rule)
    risk_items: tuple[str, ...]       # risk items answered above 0
    risk_unanswered: tuple[str, ...] = ()  # risk items left out (PHQ-9 item 9 blank)
    skipped_by_rule: tuple[str, ...] = ()  # items the form's skip instructions passed over


def skipped_by_rule(instrument: Instrument, answers: dict[str, int | None]) -> set[str]:
    """Unanswered items that the form's own skip instructions say not to ask. An answer the
    person gave anyway is kept: nothing they chose is overwritten by a rule."""
    return {item for rule in instrument.skips if answers.get(rule.gate) == rule.answer
            for item in rule.items if answers.get(item) is None}


def score(instrument: Instrument, answers: dict[str, int | None], form: str = "") -> Scored:
    """Sum each scale. Items skipped by the form's rules score as the rule says. Items left
    out are prorated only when no more than `max_missing` of the scale's are, and never when
    one of them is a risk item: a blank PHQ-9 item 9 leaves the total unscored."""
    items = instrument.items(form)
    valid = {item.id: {o.score for o in item.options} for item in items}
    for item_id, value in answers.items():
        if item_id not in valid:
            raise InstrumentError(f"{instrument.id} has no item {item_id!r}")
        if value is not None and value not in valid[item_id]:
            raise InstrumentError(f"{instrument.id} item {item_id}: {value!r} is not an answer")
    by_rule = skipped_by_rule(instrument, answers)
    filled = dict(answers)
    for rule in instrument.skips:
        for item_id in rule.items:
            if item_id in by_rule:
                filled[item_id] = rule.score_as
    risk = {i.id for i in items if i.risk}
    values, missing = {}, {}
    for scale in instrument.scales:
        answered = [filled[i] for i in scale.items if filled.get(i) is not None]
        left_out = [i for i in scale.items if filled.get(i) is None]
        missing[scale.id] = len(left_out)
        if not left_out:
            values[scale.id] = sum(answered)
        elif len(left_out) <= instrument.max_missing and answered and not risk & set(left_out):
            values[scale.id] = int(sum(answered) / len(answered) * len(scale.items) + 0.5)
        else:
            values[scale.id] = None
    risky = tuple(i.id for i in items if i.risk and (answers.get(i.id) or 0) > 0)
    blank = tuple(i.id for i in items if i.risk and answers.get(i.id) is None)
    return Scored(values, missing, risky, blank,
                  tuple(i.id for i in items if i.id in by_rule))


def _require(raw: dict, path: Path, where: str, *names: str) -> None:
    for name in names:
        if name not in raw:
            raise InstrumentError(f"{path.name}: {where}: missing field {name!r}")


def parse(path: Path) -> Instrument:
    try:
        raw = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise InstrumentError(f"{path.name}: not valid TOML: {exc}") from exc
    _require(raw, path, "top level", "id", "title", "name", "instructions", "reference",
             "option_sets", "items", "scales")
    sets = raw["option_sets"]
    forms = {k: Form(k, **v) for k, v in raw.get("forms", {}).items()}
    ids = []
    for n, item in enumerate(raw["items"], start=1):
        _require(item, path, f"items[{n}]", "id", "text", "options")
        if item["options"] == "days" and not forms:
            raise InstrumentError(f"{path.name}: items[{n}]: 'days' options need [forms]")
        if item["options"] != "days" and item["options"] not in sets:
            raise InstrumentError(f"{path.name}: items[{n}]: unknown option set "
                                  f"{item['options']!r}")
        ids.append(item["id"])
    scales = []
    for n, s in enumerate(raw["scales"], start=1):
        _require(s, path, f"scales[{n}]", "id", "label", "items", "min", "max", "bands")
        unknown = set(s["items"]) - set(ids)
        if unknown:
            raise InstrumentError(f"{path.name}: scales[{n}].items: unknown {sorted(unknown)}")
        bands = tuple(Band(**b) for b in s["bands"])
        covered = [v for b in bands for v in range(b.low, b.high + 1)]
        if sorted(covered) != list(range(s["min"], s["max"] + 1)):
            raise InstrumentError(f"{path.name}: scales[{n}].bands: must cover "
                                  f"{s['min']}–{s['max']} exactly once")
        scales.append(Scale(s["id"], s["label"], tuple(s["items"]), s["min"], s["max"], bands,
                            s.get("severe_from"), s.get("worsening_points"),
                            s.get("higher_is_better", False)))
    _require(raw, path, "top level", "missing_rule", "missing_rule_source")
    if raw["missing_rule_source"] not in MISSING_RULE_SOURCES:
        raise InstrumentError(f"{path.name}: missing_rule_source: must be one of "
                              f"{sorted(MISSING_RULE_SOURCES)}")
    skips = _skips(raw, path, ids, sets, forms)
    return Instrument(raw["id"], raw["title"], raw["name"], raw["instructions"],
                      raw["reference"], raw.get("max_missing", 0), tuple(raw["items"]), sets,
                      tuple(scales), forms, skips, raw["missing_rule"],
                      raw["missing_rule_source"], _outcomes(raw, path, scales),
                      raw.get("outcomes_note", ""), raw.get("plain", ""),
                      _languages(raw, path, ids, sets, scales))


def _languages(raw: dict, path: Path, ids: list[str], sets: dict,
               scales: list[Scale]) -> dict[str, dict]:
    """`[es]`: where it says `validated = true`, the instructions, every item and every
    option set's labels (in score order) must be there, with the `source` they come from;
    band words, where given, one per band."""
    found = {}
    for code in i18n.LANGUAGES:
        table = raw.get(code)
        if code == i18n.DEFAULT or table is None:
            continue
        where = f"[{code}]"
        _require(table, path, where, "validated", "plain")
        if table["validated"]:
            _require(table, path, where, "source", "instructions", "items", "option_sets")
            missing = sorted(set(ids) - set(table["items"]))
            if missing:
                raise InstrumentError(f"{path.name}: {where}.items: missing {missing}")
            for name, options in sets.items():
                labels = table["option_sets"].get(name)
                if labels is None or len(labels) != len(options):
                    raise InstrumentError(f"{path.name}: {where}.option_sets.{name}: one label "
                                          f"for each of its {len(options)} answers")
        for scale in scales:
            bands = table.get("scales", {}).get(scale.id, {}).get("bands")
            if bands is not None and len(bands) != len(scale.bands):
                raise InstrumentError(f"{path.name}: {where}.scales.{scale.id}.bands: one for "
                                      f"each of its {len(scale.bands)} bands")
        found[code] = table
    return found


def _outcomes(raw: dict, path: Path, scales: list[Scale]) -> dict[str, ReliableChange]:
    """`[outcomes.<scale>]`: a known scale, 0 < reliability < 1, SD > 0, both cited."""
    found = {}
    known = {s.id for s in scales}
    for scale_id, figures in raw.get("outcomes", {}).items():
        where = f"outcomes.{scale_id}"
        if scale_id not in known:
            raise InstrumentError(f"{path.name}: {where}: no scale {scale_id!r}")
        _require(figures, path, where, "reliability", "reliability_kind",
                 "reliability_source", "sd", "sd_source")
        if not 0 < figures["reliability"] < 1 or figures["sd"] <= 0:
            raise InstrumentError(f"{path.name}: {where}: reliability must be between 0 and 1 "
                                  "and sd above 0")
        try:
            found[scale_id] = ReliableChange(**figures)
        except TypeError as exc:
            raise InstrumentError(f"{path.name}: {where}: {exc}") from exc
    return found


def _skips(raw: dict, path: Path, ids: list[str], sets: dict,
           forms: dict[str, Form]) -> tuple[Skip, ...]:
    """`[[skips]]`: each gate and skipped item must exist, the skipped items come after the
    gate, and the gate's answer must be one of its options in every form."""
    found = []
    for n, rule in enumerate(raw.get("skips", []), start=1):
        where = f"skips[{n}]"
        _require(rule, path, where, "when", "is", "skip", "score_as", "why")
        unknown = sorted({rule["when"], *rule["skip"]} - set(ids))
        if unknown:
            raise InstrumentError(f"{path.name}: {where}: unknown item(s) {unknown}")
        if any(ids.index(i) <= ids.index(rule["when"]) for i in rule["skip"]):
            raise InstrumentError(f"{path.name}: {where}: skipped items must follow "
                                  f"item {rule['when']!r}")
        by_id = {i["id"]: i for i in raw["items"]}
        if any(by_id[i].get("risk") for i in rule["skip"]):
            raise InstrumentError(f"{path.name}: {where}: a risk item is never skipped")

        def answers_to(item_id: str) -> list[set[int]]:
            name = by_id[item_id]["options"]
            names = [f.days for f in forms.values()] if name == "days" else [name]
            return [{o["score"] for o in sets[n]} for n in names]

        if any(rule["is"] not in scores for scores in answers_to(rule["when"])):
            raise InstrumentError(f"{path.name}: {where}.is: {rule['is']!r} is not an "
                                  f"answer to item {rule['when']!r}")
        if any(rule["score_as"] not in scores for i in rule["skip"] for scores in answers_to(i)):
            raise InstrumentError(f"{path.name}: {where}.score_as: {rule['score_as']!r} is "
                                  "not an answer to every skipped item")
        found.append(Skip(rule["when"], rule["is"], tuple(rule["skip"]), rule["score_as"],
                          rule["why"]))
    return tuple(found)


@lru_cache(maxsize=1)
def load_all(folder: str = str(FOLDER)) -> dict[str, Instrument]:
    found = {}
    for path in sorted(Path(folder).glob("*.toml")):
        if path.name == "schedule.toml":
            continue
        instrument = parse(path)
        found[instrument.id] = instrument
    return found


def get(instrument_id: str) -> Instrument:
    try:
        return load_all()[instrument_id]
    except KeyError as exc:
        raise InstrumentError(f"unknown instrument {instrument_id!r}") from exc


def schedule(folder: str = str(FOLDER)) -> tuple[dict, ...]:
    """Read once per version of schedule.toml (modification time and size): an edit is
    seen at the next call, with no restart."""
    stat = (Path(folder) / "schedule.toml").stat()
    return _schedule(folder, (stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=4)
def _schedule(folder: str, _version: tuple[int, int]) -> tuple[dict, ...]:
    with open(Path(folder) / "schedule.toml", "rb") as fh:
        return tuple(tomllib.load(fh)["due"])
