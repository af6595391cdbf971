"""proposal pictures and attachments

Revision ID: f17a1e0b0005
Revises: f16a1e0b0004
Create Date: 2026-12-02 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f17a1e0b0005'
down_revision = 'f16a1e0b0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'proposal_pictures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.Column('added_at', sa.DateTime(), nullable=False),
        sa.Column('alt', sa.Text(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('variants', sa.JSON(), nullable=False),
        sa.Column('removed_at', sa.DateTime(), nullable=True),
        sa.Column('hidden_at', sa.DateTime(), nullable=True),
        sa.Column('hidden_reason', sa.String(length=300), nullable=True),
        sa.Column('hidden_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['hidden_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('proposal_pictures') as batch_op:
        batch_op.create_index('ix_proposal_pictures_proposal_id', ['proposal_id'])
        batch_op.create_index('ix_proposal_pictures_key', ['key'])
    op.create_table(
        'papers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=True),
        sa.Column('referral_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('pages', sa.Integer(), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.Column('added_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('(round_id IS NULL) <> (referral_id IS NULL)',
                           name='paper_has_one_owner'),
        sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('papers') as batch_op:
        batch_op.create_index('ix_papers_round_id', ['round_id'])
        batch_op.create_index('ix_papers_referral_id', ['referral_id'])
    with op.batch_alter_table('rounds') as batch_op:
        batch_op.add_column(sa.Column('show_thumbnails', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    with op.batch_alter_table('proposal_revisions') as batch_op:
        batch_op.add_column(sa.Column('pictures', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('proposal_revisions') as batch_op:
        batch_op.drop_column('pictures')
    with op.batch_alter_table('rounds') as batch_op:
        batch_op.drop_column('show_thumbnails')
    with op.batch_alter_table('papers') as batch_op:
        batch_op.drop_index('ix_papers_referral_id')
        batch_op.drop_index('ix_papers_round_id')
    op.drop_table('papers')
    with op.batch_alter_table('proposal_pictures') as batch_op:
        batch_op.drop_index('ix_proposal_pictures_key')
        batch_op.drop_index('ix_proposal_pictures_proposal_id')
    op.drop_table('proposal_pictures')
