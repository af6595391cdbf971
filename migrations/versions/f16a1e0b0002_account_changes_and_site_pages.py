"""account changes and site pages

Revision ID: f16a1e0b0002
Revises: f16a1e0b0001
Create Date: 2026-12-02 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f16a1e0b0002'
down_revision = 'f16a1e0b0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_changed_at', sa.DateTime(), nullable=True))
    op.create_table(
        'site_pages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=40), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'],
                                name=op.f('fk_site_pages_updated_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_site_pages')),
        sa.UniqueConstraint('slug', 'language', name='uq_site_pages_slug_language'),
    )


def downgrade():
    op.drop_table('site_pages')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_changed_at')
