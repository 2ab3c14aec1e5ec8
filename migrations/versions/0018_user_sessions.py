"""user_sessions: one row per signed-in browser, so an ended session stays ended

A session revoked or idle past the limit used to be judged by account-wide timestamps only
(`users.sessions_valid_after`, `users.last_seen_at`), so a browser left idle came back to
life through its re-login cookie while the owner was active elsewhere. Each sign-in now
starts a session with its own id and activity clock; an ended one is never reopened.
Cookies issued before this revision belong to no session and are refused (sign in again).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import companion.core.timeutil

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('user_sessions',
                    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
                    sa.Column('user_id', sa.Integer(), nullable=False),
                    sa.Column('started_at', companion.core.timeutil.UTCDateTime(),
                              nullable=False),
                    sa.Column('active_at', companion.core.timeutil.UTCDateTime(), nullable=False),
                    sa.Column('cookie_exp', sa.Float(), nullable=True),
                    sa.Column('ended_at', companion.core.timeutil.UTCDateTime(), nullable=True),
                    sa.Column('end_reason', sqlmodel.sql.sqltypes.AutoString(length=64),
                              nullable=False),
                    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
                    sa.PrimaryKeyConstraint('id'))
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_sessions_cookie_exp'), ['cookie_exp'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_cookie_exp'))
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
    op.drop_table('user_sessions')
