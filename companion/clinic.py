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
    # The same help for people who read Spanish (issue #20): lines that answer in Spanish.
    crisis_resources_es: tuple[CrisisResource, ...] = ()
    substances: tuple[str, ...] = ()
    triggers: tuple[str, ...] = ()
    coping: tuple[str, ...] = ()
    weekly_hours: float = 9  # group hours a week the program asks of a client

    def crisis_for(self, language: str) -> tuple[CrisisResource, ...]:
        """The lines to show someone reading `language` (English when none are listed)."""
        if language == "es" and self.crisis_resources_es:
            return self.crisis_resources_es
        return self.crisis_resources

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

# Checked against each service's own page: see data/clinic.toml, [[crisis_resources_es]].
FALLBACK_CRISIS_ES = (
    CrisisResource("988 Línea de Prevención del Suicidio y Crisis, en español",
                   "Llama al 988 y oprime 2, o envía AYUDA por mensaje de texto al 988.", "988",
                   "988", "AYUDA"),
    CrisisResource("Emergencias", "Si corres peligro o puede haber una sobredosis, llama al "
                   "911 y di «Spanish».", "911"),
    CrisisResource("Línea Nacional de Ayuda de SAMHSA", "Gratis, confidencial, 24/7, en "
                   "español.", "1-800-662-4357"),
    CrisisResource("Crisis Text Line en español", "Envía AYUDA al 741741.", None, "741741",
                   "AYUDA"),
)


def fallback_crisis(language: str) -> tuple[CrisisResource, ...]:
    return FALLBACK_CRISIS_ES if language == "es" else FALLBACK_CRISIS


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
        crisis_resources_es=tuple(CrisisResource(**r)
                                  for r in raw.get("crisis_resources_es", ())),
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
