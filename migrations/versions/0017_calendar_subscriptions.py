"""calendar subscriptions: a private feed per person, and each event's SEQUENCE (issue 17)

`calendar_subscriptions` holds one feed per person (the token's SHA-256 only; NULL once
revoked), their choices and the feed's last ETag. `calendar_sequences` keeps each event's
RFC 5545 SEQUENCE as that person's calendar has seen it, so it only ever rises.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import companion.core.timeutil

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_subscriptions',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('show_site', sa.Boolean(), nullable=False),
    sa.Column('skip_not_going', sa.Boolean(), nullable=False),
    sa.Column('content_etag', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('content_changed_at', companion.core.timeutil.UTCDateTime(), nullable=True),
    sa.Column('last_fetched_at', companion.core.timeutil.UTCDateTime(), nullable=True),
    sa.Column('fetch_count', sa.Integer(), nullable=False),
    sa.Column('created_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', companion.core.timeutil.UTCDateTime(), nullable=True),
    sa.Column('updated_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('user_id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('calendar_sequences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('changed_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('user_id', 'uid')
    )


def downgrade() -> None:
    op.drop_table('calendar_sequences')
    op.drop_table('calendar_subscriptions')
