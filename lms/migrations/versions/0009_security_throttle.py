"""security: throttle key rows (atomic login and reset throttling), password-reset requests

Revision ID: 0009_security
Revises: 0008_evidence
Create Date: 2026-12-02 01:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_security'
down_revision = '0008_evidence'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('throttle_keys',
    sa.Column('key', sa.String(length=340), nullable=False),
    sa.Column('touched_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_throttle_keys'))
    )
    with op.batch_alter_table('throttle_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_throttle_keys_touched_at'), ['touched_at'], unique=False)

    op.create_table('password_reset_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('ip_address', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_requests'))
    )
    with op.batch_alter_table('password_reset_requests', schema=None) as batch_op:
        batch_op.create_index('ix_password_reset_requests_email_at', ['email', 'at'], unique=False)
        batch_op.create_index('ix_password_reset_requests_ip_address_at', ['ip_address', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('password_reset_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_password_reset_requests_ip_address_at')
        batch_op.drop_index('ix_password_reset_requests_email_at')

    op.drop_table('password_reset_requests')
    with op.batch_alter_table('throttle_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_throttle_keys_touched_at'))

    op.drop_table('throttle_keys')
