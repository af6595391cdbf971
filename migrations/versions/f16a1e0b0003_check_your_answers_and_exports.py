"""check your answers and exports

Revision ID: f16a1e0b0003
Revises: f16a1e0b0002
Create Date: 2026-12-02 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f16a1e0b0003'
down_revision = 'f16a1e0b0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('councils', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publish_rule', sa.String(length=20), nullable=False,
                                      server_default='chair'))
        batch_op.add_column(sa.Column('chair_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_councils_chair_id_users'), 'users',
                                    ['chair_id'], ['id'], ondelete='SET NULL')
    # Councils that exist already have no chair: publishing by a majority of members keeps
    # them able to publish (any one member could before) until an officer names a chair.
    op.execute("UPDATE councils SET publish_rule = 'majority'")
    op.create_table(
        'advice_approvals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('referral_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('draft_sha256', sa.String(length=64), nullable=False),
        sa.Column('approved_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'],
                                name=op.f('fk_advice_approvals_referral_id_referrals'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_advice_approvals_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_advice_approvals')),
        sa.UniqueConstraint('referral_id', 'user_id', name='uq_advice_approvals_member'),
    )
    with op.batch_alter_table('advice_approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_advice_approvals_referral_id'), ['referral_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('advice_approvals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_advice_approvals_referral_id'))
    op.drop_table('advice_approvals')
    with op.batch_alter_table('councils', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_councils_chair_id_users'), type_='foreignkey')
        batch_op.drop_column('chair_id')
        batch_op.drop_column('publish_rule')
