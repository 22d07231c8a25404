"""deliveries.lease_owner: who holds a lease, so a restarted process can take back the
leases of a sender that died mid-send instead of waiting for them to expire.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 15:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_owner", sa.String(length=256), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("lease_owner")
