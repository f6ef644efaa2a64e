"""sex: an optional profile field for a user's sex (female, male, prefer not to say; NULL is
not recorded), for results by sex in the directorate report

Revision ID: 0014_sex
Revises: 0013_dirrep
Create Date: 2026-12-02 03:40:00

Downgrading drops the column and its CHECK (the recorded values are lost).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_sex'
down_revision = '0013_dirrep'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sex', sa.Enum('female', 'male', 'prefer_not_to_say', name='sex', native_enum=False, create_constraint=True, length=17), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_sex'), type_='check')
        batch_op.drop_column('sex')
