"""Trigger, skill, substance and coping labels are encrypted at rest and counted in SQL by a
keyed hash: a client's own trigger never appears in the database, and every count still works."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from cryptography.fernet import Fernet
from sqlmodel import select

from companion import export, support, tags, trends
from companion.checkins import record_checkin
from companion.core import crypto, db
from companion.core.config import get_settings
from companion.cravings import CravingEntry, log_craving, record_followup
from companion.core.timeutil import utcnow
from companion.models import Craving, EntryTag, PersonalTrigger
from tests.conftest import actor, insert_user_row
from tests.support.entries import answered

OWN = "walking past Dale's house on 5th street"


@pytest.fixture
def me(users):
    return actor(users.client(users.therapist(name="thera"), name="me"))


def raw(db_url, sql):
    with db.engine_for(db_url).connect() as conn:
        return conn.execute(sa.text(sql)).all()


def test_labels_are_ciphertext_with_a_keyed_hash(db_url, session, me):
    record_checkin(session, me, answered(triggers=["Bored"], new_trigger=OWN,
                                         skills=["Slow breathing"]))
    session.commit()
    rows = raw(db_url, "SELECT label, label_hash FROM entry_tags") + raw(
        db_url, "SELECT label, label_hash FROM personal_triggers")
    assert len(rows) == 4
    for label, digest in rows:
        assert OWN not in label and "Bored" not in label and "breathing" not in label
        assert crypto.decrypt(label) in {OWN, "Bored", "Slow breathing"}
        assert digest == crypto.label_hash(crypto.decrypt(label)) and len(digest) == 64
    import hashlib

    assert crypto.label_hash(OWN) != hashlib.sha256(OWN.encode()).hexdigest()  # keyed
    assert tags.personal_triggers(session, me.id) == [OWN]
    assert OWN in tags.trigger_options(session, me.id)


def test_a_label_is_hashed_in_its_normal_form():
    assert crypto.label_hash("  Payday   stress ") == crypto.label_hash("Payday stress")
    assert crypto.label_hash("Café") == crypto.label_hash("Cafe\u0301")  # NFC
    assert crypto.label_hash("Work") != crypto.label_hash("work")  # as typed, case kept


def test_every_count_still_groups_by_label(session, me):
    for days_ago in (0, 1):  # the same own trigger on two days, typed with stray spaces
        record_checkin(session, me, answered(triggers=["Bored"], skills=["Slow breathing"],
                                             new_trigger=f"  {OWN} " if days_ago else ""),
                       day=trends.clinic_today() - timedelta(days=days_ago))
    log_craving(session, me, CravingEntry(intensity=7, triggers=[OWN],
                                          coping=["Slow breathing"]),
                at=utcnow() - timedelta(hours=1))
    craving = session.exec(select(Craving)).one()
    record_followup(session, me, craving.id, 2)
    counts = trends.trigger_counts(session, me, me.id, 30)
    assert dict(zip(counts["label"], counts["count"])) == {"Bored": 2, OWN: 2}
    works = trends.what_works(session, me, me.id)
    assert works.to_dict("records") == [{"strategy": "Slow breathing", "uses": 1,
                                         "avg_drop": 5.0}]
    assert support.coping_actions(session, me.id)[0] == "Slow breathing"
    assert session.exec(select(PersonalTrigger.label)).all() == [OWN]  # kept once
    import io
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(export.export_zip(session, me)))
    assert OWN in archive.read("personal-triggers.csv").decode()
    assert archive.read("tags.csv").decode().count(OWN) == 2


def test_a_replica_with_another_label_key_is_named(db_url, session, monkeypatch):
    assert tags.key_problem(session) is None
    monkeypatch.setenv("LABEL_HASH_KEY", Fernet.generate_key().decode())
    get_settings.cache_clear()
    assert "LABEL_HASH_KEY is not the key" in tags.key_problem(session)


def test_migration_encrypts_labels_written_before_it(db_url):
    cfg = db.alembic_config(db_url)
    command.downgrade(cfg, "0011")
    engine = db.engine_for(db_url)
    with engine.begin() as conn:
        insert_user_row(conn)
        for i, label in enumerate((OWN, f"{OWN}  ", "Bored"), 1):
            conn.execute(sa.text(
                "INSERT INTO entry_tags (client_id, entry_kind, entry_id, tag_type, label, day)"
                f" VALUES (1, 'craving', {i}, 'trigger', :label, '2026-01-01')"), {"label": label})
        for label in (OWN, f" {OWN}"):  # two spellings that are one label once normalised
            conn.execute(sa.text("INSERT INTO personal_triggers (client_id, label, created_at) "
                                 "VALUES (1, :label, '2026-01-01')"), {"label": label})
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        tags_raw = conn.execute(sa.text("SELECT label, label_hash FROM entry_tags")).all()
        own_raw = conn.execute(sa.text("SELECT label FROM personal_triggers")).scalars().all()
        grouped = conn.execute(sa.text("SELECT count(*) FROM entry_tags GROUP BY label_hash "
                                       "ORDER BY count(*) DESC")).scalars().all()
    assert all(OWN not in label and "Bored" not in label for label, _ in tags_raw)
    assert {crypto.decrypt(label) for label, _ in tags_raw} == {OWN, "Bored"}
    assert grouped == [2, 1]
    assert [crypto.decrypt(v) for v in own_raw] == [OWN]
    command.downgrade(cfg, "0011")
    with engine.connect() as conn:
        assert sorted(conn.execute(sa.text("SELECT label FROM entry_tags")).scalars()) == [
            "Bored", OWN, OWN]
    command.upgrade(cfg, "head")
