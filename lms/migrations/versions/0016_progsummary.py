"""progsummary: the stored progress summary per trainee and track (track_progress_summaries)

Revision ID: 0016_progsummary
Revises: 0015_projsummary
Create Date: 2026-12-02 06:40:00

The table starts empty: pages compute (and store) a missing row the first time they read it,
and ``lms rebuild-summaries`` fills every row at once (run it after upgrading a database that
holds trainees). Downgrading drops the table; nothing is lost that cannot be recomputed.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_progsummary'
down_revision = '0015_projsummary'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('track_progress_summaries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.Column('enrolment_status', sa.Enum('active', 'completed', 'withdrawn', name='enrolment_status', native_enum=False, create_constraint=True, length=9), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('courses_total', sa.Integer(), nullable=False),
    sa.Column('required_total', sa.Integer(), nullable=False),
    sa.Column('required_done', sa.Integer(), nullable=False),
    sa.Column('targets_total', sa.Integer(), nullable=False),
    sa.Column('targets_met', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('is_complete', sa.Boolean(), nullable=False),
    sa.Column('gaps', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('courses_total >= required_total AND required_total >= required_done AND required_done >= 0', name=op.f('ck_track_progress_summaries_courses_counted')),
    sa.CheckConstraint('percent BETWEEN 0 AND 100', name=op.f('ck_track_progress_summaries_percent_range')),
    sa.CheckConstraint('targets_total >= targets_met AND targets_met >= 0', name=op.f('ck_track_progress_summaries_targets_counted')),
    sa.ForeignKeyConstraint(['track_id'], ['tracks.id'], name=op.f('fk_track_progress_summaries_track_id_tracks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_track_progress_summaries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_track_progress_summaries')),
    sa.UniqueConstraint('user_id', 'track_id', name=op.f('uq_track_progress_summaries_user_id_track_id'))
    )
    with op.batch_alter_table('track_progress_summaries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_track_progress_summaries_track_id'), ['track_id'], unique=False)


def downgrade():
    with op.batch_alter_table('track_progress_summaries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_track_progress_summaries_track_id'))
    op.drop_table('track_progress_summaries')
