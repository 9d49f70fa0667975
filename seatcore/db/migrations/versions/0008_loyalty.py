"""members, points and coupons: tiers, members, the points ledger, campaigns, coupons, order discounts

Also each order's price breakdown (``orders.price``).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table('coupon_campaigns',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('cap_fen', sa.Integer(), server_default='0', nullable=False),
    sa.Column('min_spend_fen', sa.Integer(), server_default='0', nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('valid_from', sa.DateTime(), nullable=False),
    sa.Column('valid_until', sa.DateTime(), nullable=False),
    sa.Column('per_user_limit', sa.Integer(), nullable=False),
    sa.Column('stock', sa.Integer(), nullable=False),
    sa.Column('issued', sa.Integer(), server_default='0', nullable=False),
    sa.Column('distribution', sa.String(length=16), nullable=False),
    sa.Column('shared_code', sa.String(length=32), nullable=True),
    sa.Column('return_on_refund', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('status', sa.String(length=16), server_default='active', nullable=False),
    sa.Column('created_by', sa.String(length=100), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coupon_campaigns')),
    sa.UniqueConstraint('shared_code', name=op.f('uq_coupon_campaigns_shared_code'))
    )
    op.create_table('member_tiers',
    sa.Column('level', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('threshold_fen', sa.BigInteger(), nullable=False),
    sa.Column('discount_percent', sa.Integer(), server_default='0', nullable=False),
    sa.Column('zone_prices', sa.Text(), nullable=False),
    sa.Column('free_exchanges_per_month', sa.Integer(), server_default='0', nullable=False),
    sa.Column('free_refunds_per_month', sa.Integer(), server_default='0', nullable=False),
    sa.Column('early_booking_hours', sa.Integer(), server_default='0', nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('level', name=op.f('pk_member_tiers'))
    )
    op.create_table('order_discounts',
    sa.Column('order_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', _ID, nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.Column('coupon_id', _ID, nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_order_discounts'))
    )
    op.create_index(op.f('ix_order_discounts_state_created_at'), 'order_discounts', ['state', 'created_at'], unique=False)
    op.create_table('coupons',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('campaign_id', _ID, nullable=False),
    sa.Column('user_id', _ID, nullable=True),
    sa.Column('claim_no', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=32), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('order_id', sa.String(length=32), nullable=True),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['coupon_campaigns.id'], name=op.f('fk_coupons_campaign_id_coupon_campaigns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coupons')),
    sa.UniqueConstraint('campaign_id', 'user_id', 'claim_no', name=op.f('uq_coupons_campaign_id_user_id_claim_no')),
    sa.UniqueConstraint('code', name=op.f('uq_coupons_code'))
    )
    op.create_index(op.f('ix_coupons_user_id_state'), 'coupons', ['user_id', 'state'], unique=False)
    op.create_table('members',
    sa.Column('user_id', _ID, autoincrement=False, nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('points', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('version', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('spend_12m_fen', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('joined_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_members_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_members'))
    )
    op.create_table('points_ledger',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('user_id', _ID, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.Column('order_id', sa.String(length=32), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('note', sa.String(length=200), server_default='', nullable=False),
    sa.Column('created_by', sa.String(length=100), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_points_ledger_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_ledger')),
    sa.UniqueConstraint('order_id', 'kind', name=op.f('uq_points_ledger_order_id_kind'))
    )
    op.create_index(op.f('ix_points_ledger_user_id_id'), 'points_ledger', ['user_id', 'id'], unique=False)
    op.add_column('orders', sa.Column('price', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('orders') as batch:
        batch.drop_column('price')
    for table in ('order_discounts', 'coupons', 'coupon_campaigns', 'points_ledger', 'members', 'member_tiers'):
        op.drop_table(table)  # their indexes and keys go with them
