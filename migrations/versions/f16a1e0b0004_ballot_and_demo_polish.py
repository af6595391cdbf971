"""ballot and demo polish

Revision ID: f16a1e0b0004
Revises: f16a1e0b0003
Create Date: 2026-12-02 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f16a1e0b0004'
down_revision = 'f16a1e0b0003'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
