"""records: session hours (daily start and end time) and a course's results-from-start setting

Revision ID: 0011_records
Revises: 0010_corrections
Create Date: 2026-12-02 01:30:00

Existing sessions get 09:00-17:00 in their time zone; existing courses take results once a
session has ended.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_records'
down_revision = '0010_corrections'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('results_from_start', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('course_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start_time', sa.Time(), nullable=False, server_default='09:00:00'))
        batch_op.add_column(sa.Column('end_time', sa.Time(), nullable=False, server_default='17:00:00'))
        batch_op.create_check_constraint('day_ends_after_start', 'end_time > start_time')
    # The defaults only filled the existing rows; new rows get theirs from the application.
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.alter_column('results_from_start', server_default=None)
    with op.batch_alter_table('course_sessions', schema=None) as batch_op:
        batch_op.alter_column('start_time', server_default=None)
        batch_op.alter_column('end_time', server_default=None)


def downgrade():
    with op.batch_alter_table('course_sessions', schema=None) as batch_op:
        batch_op.drop_constraint('day_ends_after_start', type_='check')
        batch_op.drop_column('end_time')
        batch_op.drop_column('start_time')
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('results_from_start')
