"""iati: a project's OECD DAC sector (5-digit purpose code) for the IATI activity export

Revision ID: 0021_iati
Revises: 0020_calendar
Create Date: 2026-12-03 09:00:00

The column is nullable and starts empty: a project without its own sector is exported with
the configured default (``LMS_IATI_DEFAULT_SECTOR``, 33120 trade facilitation), so nothing
needs filling here. Downgrading drops the CHECK and the column (the sectors set per project
are lost; the export falls back to the default).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_iati'
down_revision = '0020_calendar'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dac_sector', sa.String(length=5), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f('ck_projects_dac_sector_five_digits'),
            'dac_sector IS NULL OR length(dac_sector) = 5',
        )


def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_projects_dac_sector_five_digits'), type_='check')
        batch_op.drop_column('dac_sector')
