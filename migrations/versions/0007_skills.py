"""skills: exercise answers (versioned), lessons read, practice log, assignments

Free text (answers, notes) is encrypted at rest from the start (companion.core.crypto), so
0009 has nothing to convert in these tables.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import companion.core.timeutil

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('skill_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
    sa.Column('exercise_id', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('answers', sa.Text(), nullable=False),  # EncryptedJSON (companion.core.crypto)
    sa.Column('created_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_id', 'module_id', 'exercise_id', 'version')
    )
    with op.batch_alter_table('skill_answers', schema=None) as batch_op:
        batch_op.create_index('ix_skill_answers_client_current', ['client_id', 'is_current'], unique=False)

    op.create_table('skill_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
    sa.Column('therapist_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),  # EncryptedText
    sa.Column('assigned_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('withdrawn_at', companion.core.timeutil.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['therapist_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('skill_assignments', schema=None) as batch_op:
        batch_op.create_index('ix_skill_assignments_client', ['client_id', 'withdrawn_at'], unique=False)

    op.create_table('skill_lessons_read',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
    sa.Column('lesson_id', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
    sa.Column('read_at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_id', 'module_id', 'lesson_id')
    )
    op.create_table('skill_practice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
    sa.Column('skill', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('helped', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),  # EncryptedText
    sa.Column('at', companion.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('local_day', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('skill_practice', schema=None) as batch_op:
        batch_op.create_index('ix_skill_practice_client_day', ['client_id', 'local_day'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('skill_practice', schema=None) as batch_op:
        batch_op.drop_index('ix_skill_practice_client_day')

    op.drop_table('skill_practice')
    op.drop_table('skill_lessons_read')
    with op.batch_alter_table('skill_assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_skill_assignments_client')

    op.drop_table('skill_assignments')
    with op.batch_alter_table('skill_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_skill_answers_client_current')

    op.drop_table('skill_answers')
