"""trackfr: French text for a track's audience, entry requirements and stages, and job run
summaries kept as message and values (shown in the reader's language)

Revision ID: 0018_trackfr
Revises: 0017_bilingual
Create Date: 2026-12-02 13:30:00

All new columns are nullable: existing tracks have no French text yet, existing runs keep
their English summary (shown as it is). Downgrading drops the columns: the French text and
the summaries' values are lost, the English summaries stay.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_trackfr'
down_revision = '0017_bilingual'
branch_labels = None
depends_on = None


NEW_COLUMNS = {
    'tracks': [('target_audience_fr', sa.Text()), ('entry_requirements_fr', sa.Text())],
    'track_stages': [('name_fr', sa.String(length=160)), ('description_fr', sa.Text())],
    'job_runs': [('summary_message', sa.JSON())],
}


def upgrade():
    for table, columns in NEW_COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, type_ in columns:
                batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade():
    for table, columns in reversed(list(NEW_COLUMNS.items())):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _type in reversed(columns):
                batch_op.drop_column(name)
