"""dirrep: quarterly recurrence for report schedules (the directorate narrative lives in the
run's and the schedule's JSON parameters and needs no column)

Revision ID: 0013_dirrep
Revises: 0012_orgcert
Create Date: 2026-12-02 03:10:00

The recurrence column grows from VARCHAR(7) to VARCHAR(9) and its CHECK admits 'quarterly'.
Downgrading turns quarterly schedules into monthly ones (the nearest the old schema holds)
before the old CHECK comes back.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_dirrep'
down_revision = '0012_orgcert'
branch_labels = None
depends_on = None

OLD = ('daily', 'weekly', 'monthly', 'yearly')
NEW = ('daily', 'weekly', 'monthly', 'quarterly', 'yearly')


def _recurrence(values):
    return sa.Enum(*values, name='report_recurrence', native_enum=False, create_constraint=True,
                   length=max(len(v) for v in values))


def upgrade():
    with op.batch_alter_table('report_schedules', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_report_schedules_report_recurrence'), type_='check')
    with op.batch_alter_table('report_schedules', schema=None) as batch_op:
        batch_op.alter_column('recurrence', existing_type=sa.String(7), type_=_recurrence(NEW),
                              existing_nullable=False)


def downgrade():
    op.execute("UPDATE report_schedules SET recurrence = 'monthly' WHERE recurrence = 'quarterly'")
    with op.batch_alter_table('report_schedules', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_report_schedules_report_recurrence'), type_='check')
    with op.batch_alter_table('report_schedules', schema=None) as batch_op:
        batch_op.alter_column('recurrence', existing_type=sa.String(9), type_=_recurrence(OLD),
                              existing_nullable=False)
