"""Free text is encrypted at rest: a canary written through the app never appears in the
database files; keys rotate; rows from before the migration are encrypted in place."""
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from sqlmodel import SQLModel, select

from companion import aftercare, chains, cli, safety
from companion.core import backup, crypto, db
from companion.checkins import record_checkin
from companion.core.config import get_settings
from companion.cravings import CravingEntry, log_craving
from companion.models import CheckIn, SafetyPlan
from tests.conftest import actor, insert_user_row
from tests.support.entries import answered

CANARY = "zebra-canary-7731 hidden under the stairs"


def _raw_bytes(url: str) -> bytes:
    path = Path(url.split("///", 1)[1])
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_canary_never_reaches_the_database_files(db_url, users, session):
    me = actor(users.client(users.therapist()))
    record_checkin(session, me, answered(note=CANARY, bring_to_group=CANARY,
                                         new_trigger=CANARY))  # a trigger in own words
    log_craving(session, me, CravingEntry(intensity=3, where=CANARY, note=CANARY,
                                          triggers=[CANARY]))
    safety.save(session, me, {"reasons": CANARY})
    chains.record(session, me, {"before": CANARY})
    sections = aftercare.empty_sections()
    sections["routine"] = CANARY
    aftercare.save(session, me, sections)
    session.commit()
    with db.engine_for(db_url).connect() as conn:  # what any SQL client would see
        for table, columns in crypto.encrypted_columns(SQLModel.metadata).items():
            for column in columns:
                values = conn.execute(sa.text(f'SELECT "{column}" FROM {table}')).scalars()
                assert not any(CANARY in str(v) for v in values), (table, column)
    if db_url.startswith("sqlite"):  # and the files a backup would copy, and a backup
        db.engine_for(db_url).dispose()
        assert CANARY.encode() not in _raw_bytes(db_url)
        copy = Path(db_url.split("///", 1)[1]).with_name("backup.bin")
        backup.backup(copy, url=db_url)
        raw = copy.read_bytes()
        assert CANARY.encode() not in raw and me.display_name.encode() not in raw
        assert b"SQLite format 3" not in raw  # not even the names and numbers in clear
    assert session.exec(select(CheckIn)).one().note == CANARY  # and reads back intact


def test_rotating_the_key_reencrypts_everything(db_url, users, session, monkeypatch, capsys):
    me = actor(users.client(users.therapist()))
    safety.save(session, me, {"reasons": CANARY})
    session.commit()
    old, new = get_settings().encryption_key, crypto.new_key()
    monkeypatch.setenv("ENCRYPTION_KEY", new)
    monkeypatch.setenv("OLD_ENCRYPTION_KEYS", old)
    get_settings.cache_clear()
    assert cli.main(["rotate-key"]) == 0 and "Re-encrypted" in capsys.readouterr().out
    monkeypatch.delenv("OLD_ENCRYPTION_KEYS")
    get_settings.cache_clear()
    with db.session_scope() as s:  # only the new key now
        assert s.exec(select(SafetyPlan)).one().sections["reasons"] == CANARY


def test_every_free_text_column_is_encrypted():
    import companion.models  # noqa: F401

    found = crypto.encrypted_columns(SQLModel.metadata)
    for table, columns in {"checkins": {"note", "use_details", "bring_to_group"},
                           "cravings": {"note", "where", "with_whom"},
                           "safety_plans": {"sections"}, "chain_analyses": {"answers"},
                           "aftercare_versions": {"sections"}, "aftercare_comments": {"text"},
                           "flags": {"ack_note"}, "group_rsvps": {"reason"},
                           "skill_answers": {"answers"}, "entry_tags": {"label"},
                           "personal_triggers": {"label"}}.items():
        assert columns <= set(found[table]), table


def test_migration_encrypts_rows_written_before_it(db_url):
    cfg = db.alembic_config(db_url)
    command.downgrade(cfg, "0008")
    engine = db.engine_for(db_url)
    with engine.begin() as conn:
        insert_user_row(conn)
        conn.execute(sa.text("INSERT INTO checkins (client_id, day, version, is_current, mood, "
                             "craving, stress, sleep_hours, sleep_quality, used, use_details, "
                             "note, bring_to_group, created_at) VALUES (1, '2026-01-01', 1, TRUE, "
                             f"5, 0, 0, 7, 3, 'no', '', '{CANARY}', '', '2026-01-01')"))
        conn.execute(sa.text("INSERT INTO safety_plans (client_id, version, is_current, sections,"
                             f" created_at) VALUES (1, 1, TRUE, '{{\"reasons\": \"{CANARY}\"}}', "
                             "'2026-01-01')"))
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        raw = conn.execute(sa.text("SELECT note FROM checkins")).scalar()
        assert CANARY not in raw and crypto.decrypt(raw) == CANARY
        plan = conn.execute(sa.text("SELECT sections FROM safety_plans")).scalar()
        assert '"reasons"' in crypto.decrypt(plan)
    command.downgrade(cfg, "0008")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT note FROM checkins")).scalar() == CANARY
