"""badges: an Open Badge award per certificate (the badge class is derived from the track)

Revision ID: 0024_badges
Revises: 0023_xapi
Create Date: 2026-12-03 08:00:00

A new table and nothing else; upgrading awards no badge for the certificates already issued
(`lms demo` does for the demo; elsewhere `award_missing_badges` does). Downgrading drops it:
the public assertions, credentials and status lists stop answering (404), and credentials
already downloaded can no longer be checked for revocation.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024_badges'
down_revision = '0023_xapi'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('badge_awards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('salt', sa.String(length=32), nullable=False),
    sa.Column('status_index', sa.Integer(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revocation_reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('status_index >= 0', name=op.f('ck_badge_awards_status_index_not_negative')),
    sa.CheckConstraint('length(uuid) = 36', name=op.f('ck_badge_awards_uuid_length')),
    sa.CheckConstraint('length(salt) > 0', name=op.f('ck_badge_awards_salt_not_empty')),
    sa.CheckConstraint('revoked_at IS NULL OR length(revocation_reason) > 0', name=op.f('ck_badge_awards_revoked_with_reason')),
    sa.CheckConstraint('expires_on IS NULL OR expires_on > issued_on', name=op.f('ck_badge_awards_expires_after')),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_badge_awards_certificate_id_certificates'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['track_id'], ['tracks.id'], name=op.f('fk_badge_awards_track_id_tracks'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_badge_awards_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_badge_awards')),
    sa.UniqueConstraint('certificate_id', name=op.f('uq_badge_awards_certificate_id')),
    sa.UniqueConstraint('status_index', name=op.f('uq_badge_awards_status_index')),
    sa.UniqueConstraint('uuid', name=op.f('uq_badge_awards_uuid'))
    )
    with op.batch_alter_table('badge_awards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badge_awards_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('badge_awards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_badge_awards_user_id'))

    op.drop_table('badge_awards')
