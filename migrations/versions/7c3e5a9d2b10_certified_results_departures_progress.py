"""certified results, departures from the vote, implementation updates

Revision ID: 7c3e5a9d2b10
Revises: 5677fe7e4815
Create Date: 2026-11-22 16:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3e5a9d2b10'
down_revision = '5677fe7e4815'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('tally_run_id', sa.Integer(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('record_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_certifications_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_certifications_round_id_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tally_run_id'], ['tally_runs.id'], name=op.f('fk_certifications_tally_run_id_tally_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certifications')),
    sa.UniqueConstraint('round_id', name=op.f('uq_certifications_round_id'))
    )
    op.create_table('departures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('record_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_departures_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_departures_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_departures_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departures'))
    )
    with op.batch_alter_table('departures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_departures_round_id'), ['round_id'], unique=False)

    op.create_table('implementation_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('spent_minor', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('record_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_implementation_updates_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_implementation_updates_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_implementation_updates'))
    )
    with op.batch_alter_table('implementation_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_implementation_updates_proposal_id'), ['proposal_id'], unique=False)


def downgrade():
    with op.batch_alter_table('implementation_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_implementation_updates_proposal_id'))
    op.drop_table('implementation_updates')
    with op.batch_alter_table('departures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_departures_round_id'))
    op.drop_table('departures')
    op.drop_table('certifications')
