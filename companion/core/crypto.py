"""Text encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256, from `cryptography`).

Notes, plan and safety-plan text, exercise answers, look-backs and labels (triggers, skills,
substances, coping) are stored as ciphertext, so a copied database file reveals none of them.
Labels are counted in SQL through a keyed hash of the normalised label (`label_hash`, HMAC
with LABEL_HASH_KEY) kept beside the ciphertext. Backups are one encrypted stream
(`encrypt_stream`: AES-256-GCM in chunks) under a key derived from ENCRYPTION_KEY, so a backup
never carries its own key. `companion rotate-key` re-encrypts every value under a new key.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import struct
import unicodedata
from functools import lru_cache
from typing import BinaryIO

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.types import TypeDecorator

from companion.core import keys
from companion.core.config import get_settings
from companion.core.errors import CompanionError


@lru_cache(maxsize=4)
def _fernet(all_keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in all_keys])


def encryption_keys() -> tuple[str, ...]:
    """ENCRYPTION_KEY then OLD_ENCRYPTION_KEYS, each checked (a clear error, not Fernet's)."""
    settings = get_settings()
    primary = keys.require("ENCRYPTION_KEY", settings.encryption_key)
    return (primary, *(keys.require("OLD_ENCRYPTION_KEYS", k)
                       for k in settings.old_encryption_keys))


def fernet() -> MultiFernet:
    """The primary key encrypts; older keys (during a rotation) still decrypt."""
    return _fernet(encryption_keys())


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


def normal_label(text: str) -> str:
    """One spelling per label: Unicode NFC, surrounding space trimmed, inner runs of space
    collapsed (case is kept: "Work" and "work" stay two labels, as typed)."""
    return " ".join(unicodedata.normalize("NFC", str(text)).split())


def label_key() -> bytes:
    return keys.fernet_bytes(keys.require("LABEL_HASH_KEY", get_settings().label_hash_key))


def label_hash(text: str) -> str:
    """The keyed hash labels are grouped and matched by in SQL (HMAC-SHA256, hex)."""
    return hmac.new(label_key(), normal_label(text).encode("utf-8"), hashlib.sha256).hexdigest()


def label_hash_default(context) -> str:
    """Column default: the hash of the row's label, for every insert (ORM or Core)."""
    return label_hash(context.get_current_parameters()["label"])


class EncryptedLabel(EncryptedText):
    """A label, normalised then encrypted; its `label_hash` column makes it countable."""

    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(normal_label(value))


class EncryptedJSON(TypeDecorator):
    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(json.dumps(value, ensure_ascii=False))

    def process_result_value(self, value, dialect):
        return None if value is None else json.loads(decrypt(value))


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


# --- backups: one encrypted stream -----------------------------------------------------------
# Layout: MAGIC, key id (8 bytes), nonce prefix (7), chunk size (4, big-endian); then chunks of
# AES-256-GCM ciphertext + tag. Each chunk's nonce is the prefix, its number (4 bytes) and a
# last-chunk flag, with the header as associated data, so a reordered, cut or altered file fails.

STREAM_MAGIC = b"IOPC-BACKUP-1\n"
CHUNK = 1 << 20
_HEADER = struct.Struct(">8s7sI")


def _stream_key(fernet_key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"iop-companion backup v1").derive(keys.fernet_bytes(fernet_key))


def _key_id(stream_key: bytes) -> bytes:
    return hmac.new(stream_key, b"key id", hashlib.sha256).digest()[:8]


def _nonce(prefix: bytes, n: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", n, 1 if last else 0)


def is_encrypted_stream(head: bytes) -> bool:
    return head.startswith(STREAM_MAGIC)


def encrypt_stream(src: BinaryIO, dst: BinaryIO) -> None:
    """Encrypt `src` into `dst` under a key derived from ENCRYPTION_KEY (never stored in it)."""
    key = _stream_key(encryption_keys()[0])
    prefix = os.urandom(7)
    header = STREAM_MAGIC + _HEADER.pack(_key_id(key), prefix, CHUNK)
    dst.write(header)
    aead, n = AESGCM(key), 0
    chunk = src.read(CHUNK)
    while True:
        following = src.read(CHUNK)
        last = not following
        dst.write(aead.encrypt(_nonce(prefix, n, last), chunk, header))
        if last:
            return
        chunk, n = following, n + 1


def decrypt_stream(src: BinaryIO, dst: BinaryIO) -> None:
    """Decrypt a backup stream with ENCRYPTION_KEY or one of OLD_ENCRYPTION_KEYS."""
    header = src.read(len(STREAM_MAGIC) + _HEADER.size)
    if not is_encrypted_stream(header) or len(header) < len(STREAM_MAGIC) + _HEADER.size:
        raise CompanionError("this is not an encrypted companion backup.")
    key_id, prefix, size = _HEADER.unpack(header[len(STREAM_MAGIC):])
    found = [k for k in map(_stream_key, encryption_keys()) if hmac.compare_digest(
        _key_id(k), key_id)]
    if not found:
        raise CompanionError(
            f"this backup was encrypted with another ENCRYPTION_KEY (key id {key_id.hex()}): "
            "set the key it was made with as ENCRYPTION_KEY or in OLD_ENCRYPTION_KEYS.")
    aead, n = AESGCM(found[0]), 0
    block = src.read(size + 16)
    while True:
        following = src.read(size + 16)
        last = not following
        try:
            dst.write(aead.decrypt(_nonce(prefix, n, last), block, header))
        except InvalidTag as exc:
            raise CompanionError(f"the backup is damaged or was altered (part {n + 1} fails its "
                                 "check); nothing was restored.") from exc
        if last:
            return
        block, n = following, n + 1


def encrypted_columns(metadata: sa.MetaData) -> dict[str, list[str]]:
    """Every table's encrypted columns, read from the models (nothing to keep in sync)."""
    found: dict[str, list[str]] = {}
    for table in metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (EncryptedText, EncryptedJSON)):
                found.setdefault(table.name, []).append(column.name)
    return found


def stored_text_opens(conn: sa.Connection, metadata: sa.MetaData) -> bool | None:
    """Whether the first encrypted value found opens with ENCRYPTION_KEY (or an old key);
    None if nothing is stored yet. A replica or a restore with another key says False."""
    for table, columns in encrypted_columns(metadata).items():
        for column in columns:
            value = conn.execute(sa.text(
                f'SELECT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL '
                f"AND \"{column}\" != '' LIMIT 1")).scalar()
            if value is None:
                continue
            try:
                decrypt(value)
            except ValueError:
                return False
            return True
    return None


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
