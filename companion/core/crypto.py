"""Free text encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256, from `cryptography`).

Notes, plan and safety-plan text, exercise answers and look-backs are stored as ciphertext,
so a copied database file or backup reveals none of them. The key comes from the settings;
`companion rotate-key` re-encrypts every value under a new one.
"""
from __future__ import annotations

import json
from functools import lru_cache

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy.types import TypeDecorator

from companion.core.config import get_settings


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def fernet() -> MultiFernet:
    """The primary key encrypts; older keys (during a rotation) still decrypt."""
    settings = get_settings()
    return _fernet((settings.encryption_key, *settings.old_encryption_keys))


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ValueError("stored text could not be decrypted: wrong or missing key") from exc


class EncryptedText(TypeDecorator):
    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(str(value))

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)


class EncryptedJSON(TypeDecorator):
    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(json.dumps(value, ensure_ascii=False))

    def process_result_value(self, value, dialect):
        return None if value is None else json.loads(decrypt(value))


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


def encrypted_columns(metadata: sa.MetaData) -> dict[str, list[str]]:
    """Every table's encrypted columns, read from the models (nothing to keep in sync)."""
    found: dict[str, list[str]] = {}
    for table in metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (EncryptedText, EncryptedJSON)):
                found.setdefault(table.name, []).append(column.name)
    return found


def rotate(engine: sa.Engine, metadata: sa.MetaData) -> int:
    """Re-encrypt every stored value under the primary key (old keys must still be set)."""
    multi, changed = fernet(), 0
    with engine.begin() as conn:
        for table, columns in encrypted_columns(metadata).items():
            pk = next(iter(metadata.tables[table].primary_key.columns)).name
            t = sa.table(table, sa.column(pk), *[sa.column(c) for c in columns])
            for row in conn.execute(sa.select(t)).mappings().all():
                values = {c: multi.rotate(row[c].encode()).decode() for c in columns
                          if row[c] is not None}
                if values:
                    conn.execute(t.update().where(t.c[pk] == row[pk]).values(**values))
                    changed += 1
    return changed
