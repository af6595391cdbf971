"""moderated live questions and the revealed result kept with the session

Revision ID: e5a1c3b7d9f2
Revises: c7d2e9f1a3b8
Create Date: 2026-12-02 10:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5a1c3b7d9f2'
down_revision = 'c7d2e9f1a3b8'
branch_labels = None
depends_on = None


def upgrade():
    # Existing sessions keep their behaviour: questions shown at once (moderated false).
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('moderated', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('revealed_result', sa.JSON(), nullable=True))
    with op.batch_alter_table('live_questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_reason', sa.String(length=400), nullable=True))


def downgrade():
    with op.batch_alter_table('live_questions', schema=None) as batch_op:
        batch_op.drop_column('hidden_reason')
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.drop_column('revealed_result')
        batch_op.drop_column('moderated')
