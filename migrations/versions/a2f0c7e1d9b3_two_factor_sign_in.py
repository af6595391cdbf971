"""two-factor sign-in: TOTP secrets, recovery codes, session generations

Revision ID: a2f0c7e1d9b3
Revises: 39d4f6e821fd
Create Date: 2026-12-02 06:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a2f0c7e1d9b3'
down_revision = '39d4f6e821fd'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
