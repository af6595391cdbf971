"""ballots, stored counts, imported rounds

Revision ID: 519892f1c573
Revises: 2862df309d77
Create Date: 2026-11-22 16:00:11.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '519892f1c573'
down_revision = '2862df309d77'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ballots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('voter_key', sa.String(length=128), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('cast_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_ballots_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballots')),
    sa.UniqueConstraint('round_id', 'voter_key', name='uq_ballots_round_voter')
    )
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballots_round_id'), ['round_id'], unique=False)

    op.create_table('tally_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=64), nullable=False),
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('ballots', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.JSON(), nullable=False),
    sa.Column('seconds', sa.Double(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_tally_runs_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tally_runs')),
    sa.UniqueConstraint('round_id', 'digest', name='uq_tally_runs_digest')
    )
    with op.batch_alter_table('tally_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tally_runs_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tally_runs_state'), ['state'], unique=False)

    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_id', sa.String(length=64), nullable=True))

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_meta', sa.JSON(), nullable=True))
        batch_op.alter_column('tally_rule',
               existing_type=sa.VARCHAR(length=20),
               type_=sa.String(length=40),
               existing_nullable=False)


def downgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.alter_column('tally_rule',
               existing_type=sa.String(length=40),
               type_=sa.VARCHAR(length=20),
               existing_nullable=False)
        batch_op.drop_column('source_meta')

    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_column('external_id')

    with op.batch_alter_table('tally_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tally_runs_state'))
        batch_op.drop_index(batch_op.f('ix_tally_runs_round_id'))

    op.drop_table('tally_runs')
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballots_round_id'))

    op.drop_table('ballots')
