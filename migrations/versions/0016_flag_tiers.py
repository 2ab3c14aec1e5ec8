"""flag tiers: urgent / same day / routine kept on each flag, replacing the urgent boolean

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02

Backfill from what the flag already says: urgent flags (and any self-harm answer) become
"urgent"; a strong craving, a reported use and a severe score become "same_day" (a use's tier
now depends on whether it followed a use-free run, which old rows don't record, so they are
read the conservative way); everything else "routine". See companion/flags.py.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tier', sqlmodel.sql.sqltypes.AutoString(length=16),
                                      nullable=False, server_default='routine'))
    flags = sa.table('flags', sa.column('tier', sa.String), sa.column('rule', sa.String),
                     sa.column('urgent', sa.Boolean))
    op.execute(flags.update().where(flags.c.rule.in_(("craving_high", "use_reported",
                                                      "severe_score")))
               .values(tier='same_day'))
    op.execute(flags.update().where(sa.or_(flags.c.urgent == sa.true(),
                                           flags.c.rule == 'self_harm'))
               .values(tier='urgent'))
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.drop_column('urgent')


def downgrade() -> None:
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.add_column(sa.Column('urgent', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    flags = sa.table('flags', sa.column('tier', sa.String), sa.column('urgent', sa.Boolean))
    op.execute(flags.update().where(flags.c.tier == 'urgent').values(urgent=sa.true()))
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.drop_column('tier')
