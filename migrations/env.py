"""Alembic environment: the URL comes from the caller's config or the app's settings."""
from alembic import context
from sqlmodel import SQLModel

import companion.models  # noqa: F401  (registers the tables)
from companion.core.config import get_settings
from companion.core.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as connection:
        if url.startswith("sqlite"):
            # Batch mode rebuilds a table by copy-and-rename; with foreign keys on, SQLite
            # would refuse to drop a table others point at (e.g. users). Checked after.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()  # end the autobegun transaction; the pragma stays set
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=url.startswith("sqlite"),
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        if url.startswith("sqlite"):
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
    engine.dispose()


run_migrations_online()
