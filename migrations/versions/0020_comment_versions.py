"""aftercare comment versions: a reviewer may edit their comment; every wording is kept
(issue 19 item 12)

`aftercare_comments.edited_at` says when the current wording was written (NULL: never
edited); `aftercare_comment_versions` keeps each wording, version 1 the original.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

import companion.core.crypto
import companion.core.timeutil

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('aftercare_comments') as batch_op:
        batch_op.add_column(sa.Column('edited_at', companion.core.timeutil.UTCDateTime(),
                                      nullable=True))
    op.create_table('aftercare_comment_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('text', companion.core.crypto.EncryptedText(), nullable=False),
    sa.Column('created_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['aftercare_comments.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('comment_id', 'version')
    )
    op.create_index('ix_aftercare_comment_versions_comment_id', 'aftercare_comment_versions',
                    ['comment_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_aftercare_comment_versions_comment_id',
                  table_name='aftercare_comment_versions')
    op.drop_table('aftercare_comment_versions')
    with op.batch_alter_table('aftercare_comments') as batch_op:
        batch_op.drop_column('edited_at')
