"""Validated questionnaires as data files (`data/instruments/*.toml`) and one scoring engine.

Each file gives the items with their published wording, answer options with scores, the
scales (which items sum into what, with severity bands), the rule for skipped items, and
the reference. Adding an instrument means adding a file; `load_all` names the file and field
at fault when one is wrong.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

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

    def form(self, key: str = "") -> Form | None:
        if not self.forms:
            return None
        if key not in self.forms:
            raise InstrumentError(f"{self.id} has no form {key!r}")
        return self.forms[key]

    def items(self, form: str = "") -> list[Item]:
        """Items with the form's window filled in and its option set resolved."""
        chosen = self.form(form)
        found = []
        for raw in self.raw_items:
            set_name = raw["options"]
            if set_name == "days" and chosen is not None:
                set_name = chosen.days
            options = tuple(Option(**o) for o in self.option_sets[set_name])
            text = raw["text"].replace("{window}", chosen.window if chosen else "")
            found.append(Item(raw["id"], text, options, raw.get("scored", True),
                              raw.get("risk", False)))
        return found

    def intro(self, form: str = "") -> str:
        chosen = self.form(form)
        return self.instructions.replace("{window}", chosen.window if chosen else "")


@dataclass(frozen=True)
class Scored:
    values: dict[str, int | None]     # scale -> total (None: too many skipped)
    missing: dict[str, int]           # scale -> skipped items
    risk_items: tuple[str, ...]       # risk items answered above 0


def score(instrument: Instrument, answers: dict[str, int | None], form: str = "") -> Scored:
    """Sum each scale; prorate when no more than `max_missing` of its items were skipped."""
    valid = {item.id: {o.score for o in item.options} for item in instrument.items(form)}
    for item_id, value in answers.items():
        if item_id not in valid:
            raise InstrumentError(f"{instrument.id} has no item {item_id!r}")
        if value is not None and value not in valid[item_id]:
            raise InstrumentError(f"{instrument.id} item {item_id}: {value!r} is not an answer")
    values, missing = {}, {}
    for scale in instrument.scales:
        answered = [answers[i] for i in scale.items if answers.get(i) is not None]
        missing[scale.id] = len(scale.items) - len(answered)
        if missing[scale.id] == 0:
            values[scale.id] = sum(answered)
        elif missing[scale.id] <= instrument.max_missing and answered:
            values[scale.id] = int(sum(answered) / len(answered) * len(scale.items) + 0.5)
        else:
            values[scale.id] = None
    risky = tuple(i.id for i in instrument.items(form) if i.risk and (answers.get(i.id) or 0) > 0)
    return Scored(values, missing, risky)


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
    return Instrument(raw["id"], raw["title"], raw["name"], raw["instructions"],
                      raw["reference"], raw.get("max_missing", 0), tuple(raw["items"]), sets,
                      tuple(scales), forms)


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
