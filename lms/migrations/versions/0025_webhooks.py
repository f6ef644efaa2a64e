"""webhooks: subscriptions of partners' addresses to events, each with its signing secret

Revision ID: 0025_webhooks
Revises: 0024_badges
Create Date: 2026-12-03 08:00:00

Two new tables and nothing else. Downgrading drops them: the subscriptions (and their
secrets) are lost, and partners must be subscribed again after upgrading; the deliveries
already made stay in the HTTP outbox, whose table this migration does not touch.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025_webhooks'
down_revision = '0024_badges'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('webhook_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('secret', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('length(secret) >= 32', name=op.f('ck_webhook_subscriptions_secret_length')),
    sa.CheckConstraint("url LIKE 'http://%' OR url LIKE 'https://%'", name=op.f('ck_webhook_subscriptions_url_scheme')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_webhook_subscriptions_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_subscriptions'))
    )
    op.create_table('webhook_events',
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.Enum('enrolment.changed', 'result.recorded', 'certificate.issued', 'milestone.late', name='webhook_event', native_enum=False, create_constraint=True, length=18), nullable=False),
    sa.ForeignKeyConstraint(['subscription_id'], ['webhook_subscriptions.id'], name=op.f('fk_webhook_events_subscription_id_webhook_subscriptions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('subscription_id', 'event', name=op.f('pk_webhook_events'))
    )


def downgrade():
    op.drop_table('webhook_events')
    op.drop_table('webhook_subscriptions')
