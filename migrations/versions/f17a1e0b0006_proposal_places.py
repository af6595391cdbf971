"""proposal places

Revision ID: f17a1e0b0006
Revises: f17a1e0b0005
Create Date: 2026-12-02 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f17a1e0b0006'
down_revision = 'f17a1e0b0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('latitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('longitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('place', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_column('place')
        batch_op.drop_column('longitude')
        batch_op.drop_column('latitude')
