"""who assigned a group's facilitator, and when (security review, issue 14 finding 5)

Facilitator access (attendance, RSVPs and "bring to group" for clients expected at a session)
now holds only when an admin made that therapist the facilitator. Existing groups:

- created by an admin and never edited since (updated_at within a second of created_at):
  assigned by that admin, at its creation;
- everything else (created by a therapist, or edited since: before this revision a therapist
  could edit any group and name themself its facilitator, and edits were not attributed)
  waits for an admin to confirm the facilitator on the schedule page; until then the
  facilitator sees only the clients on their own caseload.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27
"""
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import companion.core.timeutil

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

UNEDITED = timedelta(seconds=1)  # created_at and updated_at are two calls to utcnow()


def upgrade() -> None:
    with op.batch_alter_table('group_series', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facilitator_assigned_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('facilitator_assigned_at',
                                      companion.core.timeutil.UTCDateTime(), nullable=True))
        batch_op.create_foreign_key('fk_group_series_facilitator_assigned_by_users', 'users',
                                    ['facilitator_assigned_by'], ['id'])
    conn = op.get_bind()
    series = sa.table('group_series', sa.column('id'), sa.column('created_by'),
                      sa.column('created_at', companion.core.timeutil.UTCDateTime()),
                      sa.column('updated_at', companion.core.timeutil.UTCDateTime()),
                      sa.column('facilitator_assigned_by'),
                      sa.column('facilitator_assigned_at', companion.core.timeutil.UTCDateTime()))
    users = sa.table('users', sa.column('id'), sa.column('role'))
    rows = conn.execute(sa.select(series.c.id, series.c.created_by, series.c.created_at,
                                  series.c.updated_at)
                        .join(users, users.c.id == series.c.created_by)
                        .where(users.c.role == 'admin')).mappings().all()
    for row in rows:
        if abs(row['updated_at'] - row['created_at']) <= UNEDITED:
            conn.execute(series.update().where(series.c.id == row['id']).values(
                facilitator_assigned_by=row['created_by'],
                facilitator_assigned_at=row['created_at']))


def downgrade() -> None:
    with op.batch_alter_table('group_series', schema=None) as batch_op:
        batch_op.drop_constraint('fk_group_series_facilitator_assigned_by_users',
                                 type_='foreignkey')
        batch_op.drop_column('facilitator_assigned_at')
        batch_op.drop_column('facilitator_assigned_by')
