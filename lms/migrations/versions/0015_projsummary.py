"""projsummary: a stored RAG and progress summary per project (project_summaries), read by
the portfolio and the project page

Revision ID: 0015_projsummary
Revises: 0014_sex
Create Date: 2026-12-02 06:50:00

The table is created empty, not filled here: filling it means running the RAG rules, which
are application code reading today's models, and a migration must not depend on code that
changes after it. Until a row exists (or while it was computed for another day) the read
model rates that project live, so nothing shows wrong; run ``lms rebuild-project-summaries``
after upgrading (the nightly ``projects.refresh_summaries`` job also fills missing rows).

Downgrading drops the table (the rows are derived data, rebuilt by the command).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_projsummary'
down_revision = '0014_sex'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('project_summaries',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('computed_for', sa.Date(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rating', sa.Enum('green', 'amber', 'red', name='project_summary_rating', native_enum=False, create_constraint=True, length=5), nullable=True),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('done_share', sa.Float(), nullable=True),
    sa.Column('elapsed_share', sa.Float(), nullable=False),
    sa.Column('late_milestones', sa.Integer(), nullable=False),
    sa.Column('indicators_on_track', sa.Integer(), nullable=False),
    sa.Column('indicators_off_track', sa.Integer(), nullable=False),
    sa.CheckConstraint('done_share IS NULL OR (done_share >= 0 AND done_share <= 1)', name=op.f('ck_project_summaries_done_share_is_a_share')),
    sa.CheckConstraint('elapsed_share >= 0 AND elapsed_share <= 1', name=op.f('ck_project_summaries_elapsed_share_is_a_share')),
    sa.CheckConstraint('late_milestones >= 0 AND indicators_on_track >= 0 AND indicators_off_track >= 0', name=op.f('ck_project_summaries_counts_not_negative')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_summaries_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', name=op.f('pk_project_summaries'))
    )
    with op.batch_alter_table('project_summaries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_summaries_computed_for'), ['computed_for'], unique=False)


def downgrade():
    with op.batch_alter_table('project_summaries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_summaries_computed_for'))

    op.drop_table('project_summaries')
