"""bilingual: French text for catalogue content (frameworks, competencies and their level
indicators, scales and levels, tracks, courses, session venues) and the
language a report run is rendered in (a schedule renders once per recipients' language)

Revision ID: 0017_bilingual
Revises: 0016_progsummary
Create Date: 2026-12-02 06:45:00

The English text stays in the existing columns; the ``*_fr`` columns are nullable (no French
text yet). Downgrading drops the French columns (their text is lost), keeps one run per
schedule and due time (the English one, else the lowest id) so the old unique constraint can
come back, and drops ``report_runs.language``.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_bilingual'
down_revision = '0016_progsummary'
branch_labels = None
depends_on = None


FRENCH_COLUMNS = {
    'proficiency_scales': [('name_fr', sa.String(length=160)), ('description_fr', sa.Text())],
    'scale_levels': [('name_fr', sa.String(length=80)), ('descriptor_fr', sa.Text())],
    'frameworks': [('name_fr', sa.String(length=200)), ('description_fr', sa.Text())],
    'competencies': [('short_name_fr', sa.String(length=200)), ('description_fr', sa.Text())],
    'level_indicators': [('text_fr', sa.Text())],
    'tracks': [('name_fr', sa.String(length=160)), ('description_fr', sa.Text())],
    'courses': [
        ('title_fr', sa.String(length=200)),
        ('summary_fr', sa.Text()),
        ('objectives_fr', sa.Text()),
    ],
    'course_sessions': [('venue_fr', sa.String(length=200))],
}


def upgrade():
    for table, columns in FRENCH_COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, type_ in columns:
                batch_op.add_column(sa.Column(name, type_, nullable=True))
    with op.batch_alter_table('report_runs', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('language', sa.String(length=5), nullable=False, server_default='en')
        )
        batch_op.drop_constraint(
            batch_op.f('uq_report_runs_schedule_id_scheduled_for'), type_='unique'
        )
        batch_op.create_unique_constraint(
            batch_op.f('uq_report_runs_schedule_id_scheduled_for_language'),
            ['schedule_id', 'scheduled_for', 'language'],
        )


def downgrade():
    # One run per schedule and due time again: keep the English one (else the lowest id).
    op.execute(
        "DELETE FROM report_runs WHERE schedule_id IS NOT NULL AND id NOT IN ("
        " SELECT COALESCE(MIN(CASE WHEN language = 'en' THEN id END), MIN(id))"
        " FROM report_runs WHERE schedule_id IS NOT NULL"
        " GROUP BY schedule_id, scheduled_for)"
    )
    with op.batch_alter_table('report_runs', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('uq_report_runs_schedule_id_scheduled_for_language'), type_='unique'
        )
        batch_op.create_unique_constraint(
            batch_op.f('uq_report_runs_schedule_id_scheduled_for'),
            ['schedule_id', 'scheduled_for'],
        )
        batch_op.drop_column('language')
    for table, columns in reversed(list(FRENCH_COLUMNS.items())):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _type in reversed(columns):
                batch_op.drop_column(name)
