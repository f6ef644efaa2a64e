"""orgcert: organisation settings (name, logo, signatory, signature) printed on certificates

Revision ID: 0012_orgcert
Revises: 0011_records
Create Date: 2026-12-02 03:05:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_orgcert'
down_revision = '0011_records'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisation_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('signatory_name', sa.String(length=200), nullable=False),
    sa.Column('signatory_title', sa.String(length=200), nullable=False),
    sa.Column('logo', sa.LargeBinary(), nullable=True),
    sa.Column('signature', sa.LargeBinary(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_settings'))
    )


def downgrade():
    op.drop_table('organisation_settings')
