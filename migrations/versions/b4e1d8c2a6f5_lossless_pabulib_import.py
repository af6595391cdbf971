"""lossless pabulib import: whole names and categories, the file's other columns and layout

Revision ID: b4e1d8c2a6f5
Revises: a2f0c7e1d9b3
Create Date: 2026-12-02 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4e1d8c2a6f5'
down_revision = 'a2f0c7e1d9b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_format', sa.JSON(), nullable=True))
        batch_op.alter_column('title', existing_type=sa.String(length=200), type_=sa.Text(),
                              existing_nullable=False)
        batch_op.alter_column('area', existing_type=sa.String(length=120), type_=sa.Text(),
                              existing_nullable=False)

    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_fields', sa.JSON(), nullable=True))
        batch_op.alter_column('title', existing_type=sa.String(length=200), type_=sa.Text(),
                              existing_nullable=False)
        batch_op.alter_column('summary', existing_type=sa.String(length=500), type_=sa.Text(),
                              existing_nullable=False)
        batch_op.alter_column('category', existing_type=sa.String(length=80), type_=sa.Text(),
                              existing_nullable=False)
        batch_op.alter_column('area', existing_type=sa.String(length=120), type_=sa.Text(),
                              existing_nullable=False)

    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_extra', sa.JSON(), nullable=True))


def downgrade():
    # Going back cuts long imported names to the old lengths (the old columns could not hold
    # them), and forgets the imported files' other columns.
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.drop_column('source_extra')

    for table, column, length in (('proposals', 'title', 200), ('proposals', 'summary', 500),
                                  ('proposals', 'category', 80), ('proposals', 'area', 120),
                                  ('rounds', 'title', 200), ('rounds', 'area', 120)):
        op.execute(sa.text(f"UPDATE {table} SET {column} = substr({column}, 1, {length}) "
                           f"WHERE length({column}) > {length}"))

    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.alter_column('area', existing_type=sa.Text(), type_=sa.String(length=120),
                              existing_nullable=False)
        batch_op.alter_column('category', existing_type=sa.Text(), type_=sa.String(length=80),
                              existing_nullable=False)
        batch_op.alter_column('summary', existing_type=sa.Text(), type_=sa.String(length=500),
                              existing_nullable=False)
        batch_op.alter_column('title', existing_type=sa.Text(), type_=sa.String(length=200),
                              existing_nullable=False)
        batch_op.drop_column('source_fields')

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.alter_column('area', existing_type=sa.Text(), type_=sa.String(length=120),
                              existing_nullable=False)
        batch_op.alter_column('title', existing_type=sa.Text(), type_=sa.String(length=200),
                              existing_nullable=False)
        batch_op.drop_column('source_format')
