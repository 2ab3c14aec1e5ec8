"""Every test gets a fresh database built by the migrations (copied from a migrated template)."""
from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from pathlib import Path

import pytest

_BASE = Path(tempfile.mkdtemp(prefix="companion-tests-"))
os.environ.setdefault("BCRYPT_ROUNDS", "4")
os.environ["COMPANION_DATA_DIR"] = str(_BASE / "data")
os.environ["COOKIE_KEY"] = secrets.token_urlsafe(48)
os.environ.pop("DATABASE_URL", None)

from companion import db  # noqa: E402
from companion.actors import Actor  # noqa: E402
from companion.config import get_settings  # noqa: E402
from companion.models import Enrolment, Role, User  # noqa: E402
from companion.passwords import hash_password  # noqa: E402

PASSWORD = "a quiet harbor at dawn 42"


@pytest.fixture(scope="session")
def template_db() -> Path:
    path = _BASE / "template.db"
    db.migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def db_url(template_db, tmp_path, monkeypatch) -> str:
    path = tmp_path / "companion.db"
    shutil.copy(template_db, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    db.engine_for(url).dispose()
    get_settings.cache_clear()


@pytest.fixture
def session(db_url):
    with db.session_scope() as s:
        yield s


class People:
    """Builds users in a test database: `people.client()`, `people.therapist()`…"""

    def __init__(self, session):
        self.session = session
        self.n = 0
        self._hash = hash_password(PASSWORD)

    def _user(self, role: Role, name: str | None = None, **kw) -> User:
        self.n += 1
        username = name or f"{role.value}{self.n}"
        user = User(username=username, display_name=f"Test {role.value.title()} {self.n}",
                    role=role, password_hash=self._hash, must_change_password=False, **kw)
        self.session.add(user)
        self.session.flush()
        return user

    def admin(self, name=None) -> User:
        return self._user(Role.ADMIN, name)

    def therapist(self, name=None) -> User:
        return self._user(Role.THERAPIST, name)

    def client(self, therapist: User | None = None, name=None, role=Role.CLIENT) -> User:
        user = self._user(role, name)
        self.session.add(Enrolment(client_id=user.id,
                                   therapist_id=therapist.id if therapist else None,
                                   track="morning", location="north"))
        self.session.flush()
        return user

    def alumni(self, therapist: User | None = None, name=None) -> User:
        return self.client(therapist, name, role=Role.ALUMNI)


@pytest.fixture
def users(session) -> People:
    return People(session)


def actor(user: User) -> Actor:
    return Actor.of(user)
