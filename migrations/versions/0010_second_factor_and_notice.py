"""second factor (TOTP, recovery codes) and the confidentiality-notice acknowledgement

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import companion.core.crypto
import companion.core.timeutil

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', companion.core.crypto.EncryptedText(),
                                      nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('mfa_cookie_exp', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('notice_acknowledged_at',
                                      companion.core.timeutil.UTCDateTime(), nullable=True))
    op.create_table('recovery_codes',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('user_id', sa.Integer(), nullable=False),
                    sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(length=64),
                              nullable=False),
                    sa.Column('used_at', companion.core.timeutil.UTCDateTime(), nullable=True),
                    sa.Column('created_at', companion.core.timeutil.UTCDateTime(), nullable=False),
                    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
                    sa.PrimaryKeyConstraint('id'))
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_user_id'))
    op.drop_table('recovery_codes')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('notice_acknowledged_at')
        batch_op.drop_column('mfa_cookie_exp')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_secret')
