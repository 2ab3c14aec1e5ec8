"""The schema users get comes from the migrations, and matches the models."""
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import pytest

from companion.core import db
from tests.conftest import ON_POSTGRES


def test_upgrade_from_every_earlier_revision_and_back_to_empty(db_url):
    """From head, step down to each earlier revision and come back up; then empty and up."""
    from alembic.script import ScriptDirectory

    cfg = db.alembic_config(db_url)
    revisions = [r.revision for r in ScriptDirectory.from_config(cfg).walk_revisions()]
    for revision in revisions[1:]:  # newest first; skip head itself
        command.downgrade(cfg, revision)
        command.upgrade(cfg, "head")
    command.downgrade(cfg, "base")
    engine = db.engine_for(db_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(cfg, "head")
    assert {"users", "enrolments", "login_throttle", "audit_events", "checkins",
            "aftercare_plans"} <= set(inspect(engine).get_table_names())


def test_models_match_the_migrated_schema(db_url):
    engine = db.engine_for(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite settings")
def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(db_url):
    with db.engine_for(db_url).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_flag_tiers_are_backfilled_from_rule_and_urgent_and_back(db_url):
    import sqlalchemy as sa

    cfg = db.alembic_config(db_url)
    command.downgrade(cfg, "0015")
    engine = db.engine_for(db_url)
    rows = [("self_harm", True), ("craving_high", False), ("use_reported", False),
            ("severe_score", False), ("mood_drop", False), ("no_checkin", False),
            ("absence", False), ("worsening", False)]
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO users (id, username, display_name, role, "
                             "password_hash, must_change_password, is_active, "
                             "sessions_valid_after, created_at, updated_at) VALUES (1, 'c', 'C',"
                             " 'client', 'x', FALSE, TRUE, '2026-01-01', '2026-01-01', "
                             "'2026-01-01')"))
        for rule, urgent in rows:
            conn.execute(sa.text("INSERT INTO flags (client_id, rule, reason, raised_at, urgent, "
                                 "ack_note) VALUES (1, :rule, 'r', '2026-01-01', :urgent, '')"),
                         {"rule": rule, "urgent": urgent})
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        tiers = dict(conn.execute(sa.text("SELECT rule, tier FROM flags")).all())
    assert tiers == {"self_harm": "urgent", "craving_high": "same_day",
                     "use_reported": "same_day", "severe_score": "same_day",
                     "mood_drop": "routine", "no_checkin": "routine", "absence": "routine",
                     "worsening": "routine"}
    command.downgrade(cfg, "0015")
    with engine.connect() as conn:
        urgent = {r: bool(u) for r, u in conn.execute(sa.text("SELECT rule, urgent FROM flags"))}
    assert urgent == {rule: u for rule, u in rows}
    command.upgrade(cfg, "head")
