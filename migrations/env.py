"""Alembic environment: the URL comes from the caller's config or the app's settings."""
from alembic import context
from sqlmodel import SQLModel

import companion.models  # noqa: F401  (registers the tables)
from companion.config import get_settings
from companion.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=url.startswith("sqlite"),
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
