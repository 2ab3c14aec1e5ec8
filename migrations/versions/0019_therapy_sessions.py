"""therapy sessions: that an individual, family or group session took place (issue 19 item 4)

`therapy_sessions` holds the day, the kind and one optional agreed next step (encrypted at
rest); the pre-session brief's period starts at the client's last one. Clinical notes stay
in the clinic's record system.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import companion.core.timeutil

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('therapy_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('therapist_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('next_step', sa.Text(), nullable=False),  # EncryptedText
    sa.Column('created_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['therapist_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_therapy_sessions_client_day', 'therapy_sessions', ['client_id', 'day'])


def downgrade() -> None:
    op.drop_index('ix_therapy_sessions_client_day', table_name='therapy_sessions')
    op.drop_table('therapy_sessions')
