"""groups: weekly group series, exceptions, RSVPs, attendance, check-in reminders

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import companion.core.timeutil

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('checkin_reminders',
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('minute_of_day', sa.Integer(), nullable=False),
    sa.Column('created_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('updated_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('client_id')
    )
    op.create_table('group_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('topic', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('track', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('link', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('facilitator_id', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('starts_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('rrule', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('tzid', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('updated_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['facilitator_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('group_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_series_facilitator_id'), ['facilitator_id'], unique=False)

    op.create_table('group_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('occurrence_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('starts_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('marked_by', sa.Integer(), nullable=False),
    sa.Column('created_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['marked_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['series_id'], ['group_series.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('series_id', 'occurrence_at', 'client_id', 'version')
    )
    with op.batch_alter_table('group_attendance', schema=None) as batch_op:
        batch_op.create_index('ix_group_attendance_client_at', ['client_id', 'starts_at', 'is_current'], unique=False)

    op.create_table('group_exceptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('occurrence_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('starts_at', companion.core.timeutil.UTCDateTime(), nullable=True),
    sa.Column('ends_at', companion.core.timeutil.UTCDateTime(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('updated_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['series_id'], ['group_series.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('series_id', 'occurrence_at')
    )
    op.create_table('group_rsvps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('occurrence_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('created_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('updated_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['series_id'], ['group_series.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('series_id', 'occurrence_at', 'client_id')
    )
    with op.batch_alter_table('group_rsvps', schema=None) as batch_op:
        batch_op.create_index('ix_group_rsvps_client_at', ['client_id', 'occurrence_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('group_rsvps', schema=None) as batch_op:
        batch_op.drop_index('ix_group_rsvps_client_at')

    op.drop_table('group_rsvps')
    op.drop_table('group_exceptions')
    with op.batch_alter_table('group_attendance', schema=None) as batch_op:
        batch_op.drop_index('ix_group_attendance_client_at')

    op.drop_table('group_attendance')
    with op.batch_alter_table('group_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_series_facilitator_id'))

    op.drop_table('group_series')
    op.drop_table('checkin_reminders')
