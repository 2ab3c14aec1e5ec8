"""The clinic's editable settings (`data/clinic.toml`): tracks, locations, crisis resources.

Read without touching the database, so the crisis control renders even when it is down.
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from companion.core.config import ROOT


@dataclass(frozen=True)
class Choice:
    key: str
    label: str


@dataclass(frozen=True)
class CrisisResource:
    name: str
    detail: str
    call: str | None = None
    text: str | None = None
    text_body: str | None = None

    @property
    def tel_link(self) -> str | None:
        return f"tel:{_dial(self.call)}" if self.call else None

    @property
    def sms_link(self) -> str | None:
        if not self.text:
            return None
        body = f"?&body={self.text_body}" if self.text_body else ""
        return f"sms:{_dial(self.text)}{body}"


@dataclass(frozen=True)
class Clinic:
    name: str
    phone: str
    tracks: tuple[Choice, ...]
    locations: tuple[Choice, ...]
    crisis_resources: tuple[CrisisResource, ...]
    substances: tuple[str, ...] = ()
    triggers: tuple[str, ...] = ()
    coping: tuple[str, ...] = ()
    weekly_hours: float = 9  # group hours a week the program asks of a client

    def track_label(self, key: str) -> str:
        return next((c.label for c in self.tracks if c.key == key), key)

    def location_label(self, key: str) -> str:
        return next((c.label for c in self.locations if c.key == key), key)


FALLBACK_CRISIS = (
    CrisisResource("988 Suicide & Crisis Lifeline", "Call or text 988, any time.", "988", "988"),
    CrisisResource("Emergency", "In immediate danger or a possible overdose, call 911.", "911"),
    CrisisResource("SAMHSA National Helpline", "Free, confidential, 24/7.", "1-800-662-4357"),
    CrisisResource("Georgia Crisis & Access Line", "24/7 crisis help.", "1-800-715-4225"),
    CrisisResource("Crisis Text Line", "Text HOME to 741741.", None, "741741", "HOME"),
)


def _dial(number: str) -> str:
    return re.sub(r"[^0-9+]", "", number)


def clinic_file() -> Path:
    return Path(os.environ.get("COMPANION_CLINIC_FILE", ROOT / "data" / "clinic.toml"))


@lru_cache(maxsize=4)
def _load(path: str, _version: tuple[int, int]) -> Clinic:
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    return Clinic(
        name=raw["name"],
        phone=raw.get("phone", ""),
        tracks=tuple(Choice(**t) for t in raw["tracks"]),
        locations=tuple(Choice(**loc) for loc in raw["locations"]),
        crisis_resources=tuple(CrisisResource(**r) for r in raw["crisis_resources"]),
        substances=tuple(raw.get("substances", ())),
        triggers=tuple(raw.get("triggers", ())),
        coping=tuple(raw.get("coping", ())),
        weekly_hours=float(raw.get("weekly_hours", 9)),
    )


def get_clinic() -> Clinic:
    """Read once per version of the file (its modification time and size): an edit is seen
    at the next call, in every process, with no restart."""
    path = clinic_file()
    stat = path.stat()
    return _load(str(path), (stat.st_mtime_ns, stat.st_size))
