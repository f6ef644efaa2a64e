"""evidence files: uploaded files kept as evidence for ratings and prior-learning claims

Revision ID: 0008_evidence
Revises: 0007_reports
Create Date: 2026-12-02 01:28:51.271493

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_evidence'
down_revision = '0007_reports'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evidence_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=True),
    sa.Column('claim_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('pdf', 'png', 'jpeg', 'docx', 'xlsx', 'pptx', 'odt', name='evidence_file_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('stored_name', sa.String(length=32), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_evidence_files_sha256_length')),
    sa.CheckConstraint('length(stored_name) = 32', name=op.f('ck_evidence_files_random_name')),
    sa.CheckConstraint('rating_id IS NULL OR claim_id IS NULL', name=op.f('ck_evidence_files_one_record')),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_evidence_files_not_empty')),
    sa.ForeignKeyConstraint(['claim_id'], ['prior_learning_claims.id'], name=op.f('fk_evidence_files_claim_id_prior_learning_claims'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['competency_id'], ['competencies.id'], name=op.f('fk_evidence_files_competency_id_competencies'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['rating_id'], ['competency_ratings.id'], name=op.f('fk_evidence_files_rating_id_competency_ratings'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_evidence_files_uploaded_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_evidence_files_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_files')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_evidence_files_stored_name'))
    )
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_files_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_files_rating_id'), ['rating_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_files_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_files_user_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_files_rating_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_files_claim_id'))

    op.drop_table('evidence_files')
