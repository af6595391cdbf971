"""content in both languages

Revision ID: f17a1e0b0007
Revises: f17a1e0b0006
Create Date: 2026-12-02 19:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f17a1e0b0007'
down_revision = 'f17a1e0b0006'
branch_labels = None
depends_on = None

TRANSLATED = ("rounds", "proposals", "referrals", "recommendations", "responses",
              "proposal_pictures")


def upgrade():
    for table in TRANSLATED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('translations', sa.JSON(), nullable=True))
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('both_languages', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('category_names', sa.JSON(), nullable=True))
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))
    with op.batch_alter_table('proposal_pictures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('proposal_pictures', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('category_names')
        batch_op.drop_column('both_languages')
    for table in reversed(TRANSLATED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('translations')
