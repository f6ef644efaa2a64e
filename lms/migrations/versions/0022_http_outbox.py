"""http_outbox: outgoing HTTP requests (xAPI statements, webhooks) retried with back-off

Revision ID: 0022_http_outbox
Revises: 0021_iati
Create Date: 2026-12-03 07:30:00

A new table only. Downgrading drops it: requests still waiting there are lost (deliver them,
or accept that the LRS or the subscribers miss them); no other data is touched.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_http_outbox'
down_revision = '0021_iati'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outbound_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('channel', sa.String(length=40), nullable=False),
        sa.Column('reference', sa.String(length=100), nullable=True),
        sa.Column('method', sa.String(length=10), nullable=False),
        sa.Column('url', sa.String(length=2000), nullable=False),
        sa.Column('headers', sa.JSON(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column(
            'status',
            sa.Enum('pending', 'sent', 'dead', name='outbound_status', native_enum=False,
                    create_constraint=True, length=7),
            nullable=False,
        ),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('last_status_code', sa.Integer(), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('dedupe_key', sa.String(length=200), nullable=True),
        sa.CheckConstraint('attempts >= 0', name=op.f('ck_outbound_requests_attempts_not_negative')),
        sa.CheckConstraint(
            "method IN ('GET', 'POST', 'PUT', 'PATCH', 'DELETE')",
            name=op.f('ck_outbound_requests_method_known'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_requests')),
        sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbound_requests_dedupe_key')),
    )
    with op.batch_alter_table('outbound_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbound_requests_channel'), ['channel'], unique=False)
        batch_op.create_index('ix_outbound_requests_due', ['status', 'next_attempt_at'], unique=False)


def downgrade():
    with op.batch_alter_table('outbound_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_outbound_requests_due')
        batch_op.drop_index(batch_op.f('ix_outbound_requests_channel'))
    op.drop_table('outbound_requests')
