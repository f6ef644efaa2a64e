"""xapi: registration UUIDs on session enrolments, completions from other platforms, the
statements received, and the evidence and ratings a completion gave

Revision ID: 0023_xapi
Revises: 0022_http_outbox
Create Date: 2026-12-03 08:00:00

- ``session_enrolments.registration``: the xAPI registration every statement about the
  enrolment carries; existing enrolments get a random UUID each here, then the column is
  made required and unique.
- ``external_completions``: a course completed elsewhere (an xAPI statement), one per
  statement id; ``competency_evidence`` and ``competency_ratings`` get
  ``external_completion_id`` (what the pass came from, like ``session_enrolment_id``).
- ``xapi_received_statements``: every valid statement received, once per statement id.

Downgrading drops them: the registrations (statements already sent keep theirs), the
completions recorded from other platforms with the statements received, and the link from
their evidence and ratings; the evidence and ratings themselves stay.
"""
import uuid

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023_xapi'
down_revision = '0022_http_outbox'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('session_enrolments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registration', sa.Uuid(), nullable=True))
    enrolments = sa.table(
        'session_enrolments', sa.column('id', sa.Integer), sa.column('registration', sa.Uuid)
    )
    connection = op.get_bind()
    ids = connection.execute(sa.select(enrolments.c.id)).scalars().all()
    for enrolment_id in ids:
        connection.execute(
            enrolments.update()
            .where(enrolments.c.id == enrolment_id)
            .values(registration=uuid.uuid4())
        )
    with op.batch_alter_table('session_enrolments', schema=None) as batch_op:
        batch_op.alter_column('registration', existing_type=sa.Uuid(), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f('uq_session_enrolments_registration'), ['registration']
        )

    op.create_table(
        'external_completions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('statement_id', sa.Uuid(), nullable=False),
        sa.Column('verb', sa.String(length=20), nullable=False),
        sa.Column('score_scaled', sa.Numeric(precision=5, scale=4), nullable=True),
        sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('platform', sa.String(length=200), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("verb IN ('completed', 'passed')", name=op.f('ck_external_completions_verb_known')),
        sa.CheckConstraint(
            'score_scaled IS NULL OR (score_scaled >= 0 AND score_scaled <= 1)',
            name=op.f('ck_external_completions_score_scaled_range'),
        ),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_external_completions_course_id_courses'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_external_completions_recorded_by_id_users'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_external_completions_user_id_users'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_external_completions')),
        sa.UniqueConstraint('statement_id', name=op.f('uq_external_completions_statement_id')),
    )
    with op.batch_alter_table('external_completions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_external_completions_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_external_completions_user_id'), ['user_id'], unique=False)

    op.create_table(
        'xapi_received_statements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('statement_id', sa.Uuid(), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('received_by_id', sa.Integer(), nullable=True),
        sa.Column('actor_mbox', sa.String(length=261), nullable=False),
        sa.Column('verb_id', sa.String(length=500), nullable=False),
        sa.Column('object_id', sa.String(length=2000), nullable=False),
        sa.Column(
            'outcome',
            sa.Enum('recorded', 'ignored', name='received_outcome', native_enum=False,
                    create_constraint=True, length=8),
            nullable=False,
        ),
        sa.Column('note', sa.String(length=300), nullable=False),
        sa.Column('external_completion_id', sa.Integer(), nullable=True),
        sa.Column('statement', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['external_completion_id'], ['external_completions.id'], name=op.f('fk_xapi_received_statements_external_completion_id_external_completions'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['received_by_id'], ['users.id'], name=op.f('fk_xapi_received_statements_received_by_id_users'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_xapi_received_statements')),
        sa.UniqueConstraint('statement_id', name=op.f('uq_xapi_received_statements_statement_id')),
    )
    with op.batch_alter_table('xapi_received_statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_xapi_received_statements_received_by_id'), ['received_by_id'], unique=False)

    for table in ('competency_evidence', 'competency_ratings'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('external_completion_id', sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_external_completion_id'), ['external_completion_id'], unique=False)
            batch_op.create_foreign_key(
                batch_op.f(f'fk_{table}_external_completion_id_external_completions'),
                'external_completions', ['external_completion_id'], ['id'], ondelete='RESTRICT',
            )


def downgrade():
    for table in ('competency_ratings', 'competency_evidence'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f'fk_{table}_external_completion_id_external_completions'), type_='foreignkey'
            )
            batch_op.drop_index(batch_op.f(f'ix_{table}_external_completion_id'))
            batch_op.drop_column('external_completion_id')
    with op.batch_alter_table('xapi_received_statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_xapi_received_statements_received_by_id'))
    op.drop_table('xapi_received_statements')
    with op.batch_alter_table('external_completions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_external_completions_user_id'))
        batch_op.drop_index(batch_op.f('ix_external_completions_course_id'))
    op.drop_table('external_completions')
    with op.batch_alter_table('session_enrolments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_session_enrolments_registration'), type_='unique')
        batch_op.drop_column('registration')
