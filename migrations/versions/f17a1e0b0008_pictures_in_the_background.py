"""pictures re-encoded in the background

Revision ID: f17a1e0b0008
Revises: f17a1e0b0007
Create Date: 2026-12-02 19:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f17a1e0b0008'
down_revision = 'f17a1e0b0007'
branch_labels = None
depends_on = None


def upgrade():
    # Photos already kept were re-encoded in their request: they are "ready".
    with op.batch_alter_table('proposal_pictures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=12), server_default='ready',
                                      nullable=False))
        batch_op.add_column(sa.Column('pending', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('started_at', sa.DateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('failure', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('proposal_pictures', schema=None) as batch_op:
        batch_op.drop_column('failure')
        batch_op.drop_column('started_at')
        batch_op.drop_column('pending')
        batch_op.drop_column('state')
