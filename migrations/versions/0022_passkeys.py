"""passkeys: WebAuthn credentials per account and single-use ceremony challenges (issue 21)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import companion.core.timeutil

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('passkey_credentials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('credential_id', sqlmodel.sql.sqltypes.AutoString(length=1400), nullable=False),
    sa.Column('public_key', sa.LargeBinary(), nullable=False),
    sa.Column('user_handle', sqlmodel.sql.sqltypes.AutoString(length=88), nullable=False),
    sa.Column('sign_count', sa.Integer(), nullable=False),
    sa.Column('multi_device', sa.Boolean(), nullable=False),
    sa.Column('backed_up', sa.Boolean(), nullable=False),
    sa.Column('transports', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('created_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('last_used_at', companion.core.timeutil.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', companion.core.timeutil.UTCDateTime(), nullable=True),
    sa.Column('revoke_reason', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('credential_id')
    )
    with op.batch_alter_table('passkey_credentials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_passkey_credentials_user_id'), ['user_id'],
                              unique=False)
    op.create_table('webauthn_challenges',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
    sa.Column('challenge', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('session_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('user_handle', sqlmodel.sql.sqltypes.AutoString(length=88), nullable=True),
    sa.Column('created_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('expires_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('webauthn_challenges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webauthn_challenges_expires_at'), ['expires_at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('webauthn_challenges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webauthn_challenges_expires_at'))
    op.drop_table('webauthn_challenges')
    with op.batch_alter_table('passkey_credentials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_passkey_credentials_user_id'))
    op.drop_table('passkey_credentials')
