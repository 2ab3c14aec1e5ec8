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
os.environ["COMPANION_KEYS_DIR"] = str(_BASE / "keys")  # apart from the data, as in service
os.environ["COOKIE_KEY"] = secrets.token_urlsafe(48)
os.environ.pop("DATABASE_URL", None)
if os.environ.get("COMPANION_TEST_DB") == "postgres":  # PostgreSQL never generates keys
    from cryptography.fernet import Fernet

    for _name in ("ENCRYPTION_KEY", "LABEL_HASH_KEY", "AUDIT_KEY"):
        os.environ[_name] = Fernet.generate_key().decode()

from companion.core import db  # noqa: E402
from companion.actors import Actor  # noqa: E402
from companion.core.config import get_settings  # noqa: E402
from companion.models import Enrolment, Role, User  # noqa: E402
from companion.passwords import hash_password  # noqa: E402

PASSWORD = "a quiet harbor at dawn 42"
STAFF_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # test staff accounts share this secret

_used_steps: dict[tuple[str, str], int] = {}


def totp_code(secret: str = STAFF_TOTP, scope: str = "") -> str:
    """A code the server will accept once: RFC 6238 allows one use per time step per account,
    and the server takes the previous, current and next step. The current step comes first
    (the previous one stops working the moment the clock turns, which under load is before
    the server checks it), then the next: a test may sign one account in twice a half-minute
    (`scope`: the database and the account)."""
    import pyotp

    from companion.core.timeutil import utcnow

    totp = pyotp.TOTP(secret)
    now = totp.timecode(utcnow())
    step = max(_used_steps.get((scope, secret), now - 1) + 1, now)
    assert step <= now + 1, "more than two sign-ins in 30 s with one secret"
    _used_steps[(scope, secret)] = step
    return totp.generate_otp(step)


# COMPANION_TEST_DB=postgres runs the suite on PostgreSQL: TEST_DATABASE_URL names a database
# whose role may CREATE DATABASE; each test gets its own copy of a migrated template database.
ON_POSTGRES = os.environ.get("COMPANION_TEST_DB") == "postgres"


def _pg_admin():
    import sqlalchemy as sa

    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.exit("COMPANION_TEST_DB=postgres needs TEST_DATABASE_URL=postgresql+psycopg://…",
                    returncode=2)
    return sa.make_url(url), sa.create_engine(url, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def template_db():
    if not ON_POSTGRES:
        path = _BASE / "template.db"
        db.migrate(f"sqlite:///{path}")
        yield path
        return
    import sqlalchemy as sa

    base, admin = _pg_admin()
    name = f"companion_tpl_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    db.migrate(url)
    db.engine_for(url).dispose()
    with admin.connect() as conn:  # no one (autovacuum included) may hold it open now
        conn.execute(sa.text(f'ALTER DATABASE "{name}" WITH IS_TEMPLATE true '
                             'ALLOW_CONNECTIONS false'))
    yield name
    with admin.connect() as conn:
        conn.execute(sa.text(f'ALTER DATABASE "{name}" WITH IS_TEMPLATE false'))
        leftovers = conn.execute(sa.text("SELECT datname FROM pg_database WHERE datname LIKE "
                                         f"'companion_t_{os.getpid()}_%'")).scalars().all()
    for leftover in [*leftovers, name]:
        _drop_quietly(admin, leftover)
    admin.dispose()


_counter = iter(range(1, 10**9))


@pytest.fixture
def db_url(template_db, tmp_path, monkeypatch) -> str:
    if ON_POSTGRES:
        import sqlalchemy as sa

        base, admin = _pg_admin()
        name = f"companion_t_{os.getpid()}_{next(_counter)}"
        with admin.connect() as conn:
            for attempt in range(5):  # the server may still be closing a previous copy
                try:
                    conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"'))
                    break
                except sa.exc.OperationalError:
                    if attempt == 4:
                        raise
        url = base.set(database=name).render_as_string(hide_password=False)
    else:
        path = tmp_path / "companion.db"
        shutil.copy(template_db, path)
        url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    db.engine_for(url).dispose()
    get_settings.cache_clear()
    if ON_POSTGRES:
        _drop_quietly(admin, name)
        admin.dispose()


def _drop_quietly(admin, name: str) -> None:
    """Drop a test's database. A server process of another role (autovacuum) may still be in
    it for a moment; then try again, and in the end leave it for the session's sweep."""
    import sqlalchemy as sa

    for _ in range(20):
        try:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            return
        except sa.exc.DBAPIError:
            continue


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
        from companion.core.timeutil import utcnow

        staff = role in (Role.THERAPIST, Role.ADMIN)
        user = User(username=username, display_name=f"Test {role.value.title()} {self.n}",
                    role=role, password_hash=self._hash, must_change_password=False,
                    totp_secret=STAFF_TOTP if staff else None,
                    notice_acknowledged_at=None if staff else utcnow(), **kw)
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


def bound_cookie(session, user: User, token: dict) -> dict:
    """`token` as a cookie the sign-in gate issued: bound to a new session of `user` (a
    cookie of no session signs nobody in)."""
    from companion import auth

    auth.bind_cookie(session, auth.start_session(session, user), token["exp_date"])
    session.flush()
    return token


def insert_user_row(conn, role: str = "client", username: str = "c") -> None:
    """User id 1 written with plain SQL, as a test at an older schema revision needs it."""
    import sqlalchemy as sa

    conn.execute(sa.text(
        "INSERT INTO users (id, username, display_name, role, password_hash, "
        "must_change_password, is_active, sessions_valid_after, created_at, updated_at) VALUES "
        "(1, :name, :name, :role, 'x', FALSE, TRUE, '2026-01-01', '2026-01-01', '2026-01-01')"),
        {"name": username, "role": role})


def pytest_collection_modifyitems(config, items):
    """On the PostgreSQL pass, run only the tests that touch a database: the others don't
    depend on the backend, and running them twice would prove nothing."""
    if not ON_POSTGRES:
        return
    keep = [item for item in items if "db_url" in getattr(item, "fixturenames", ())]
    dropped = [item for item in items if item not in keep]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.fixture
def surf_clock(monkeypatch):
    """The urge-surfing timer's clock, moved by the test: `surf_clock.at = t` sets what
    `companion.ui.surf.now()` returns."""
    from companion.ui import surf

    class Clock:
        at = 1_000_000.0

    fake = Clock()
    monkeypatch.setattr(surf, "now", lambda: fake.at)
    return fake
