"""The schema users get comes from the migrations, and matches the models."""
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from companion import db


def test_upgrade_downgrade_upgrade_from_empty(tmp_path):
    url = f"sqlite:///{tmp_path / 'walk.db'}"
    cfg = db.alembic_config(url)
    command.upgrade(cfg, "head")
    command.downgrade(cfg, "base")
    engine = db.make_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(cfg, "head")
    assert {"users", "enrolments", "login_throttle", "audit_events"} <= set(
        inspect(engine).get_table_names())
    engine.dispose()


def test_models_match_the_migrated_schema(db_url):
    engine = db.engine_for(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(db_url):
    with db.engine_for(db_url).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
