"""staff console: audit trail and box-office summary

Revision ID: 0003
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0001'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('staff_id', _ID, nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('cinema_id', _ID, nullable=True),
    sa.Column('target_type', sa.String(length=32), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_index(op.f('ix_audit_log_cinema_id_id'), 'audit_log', ['cinema_id', 'id'], unique=False)
    op.create_index(op.f('ix_audit_log_target_type_target_id'), 'audit_log', ['target_type', 'target_id'], unique=False)
    op.create_table('boxoffice_showtimes',
    sa.Column('showtime_id', _ID, autoincrement=False, nullable=False),
    sa.Column('cinema_id', _ID, nullable=False),
    sa.Column('hall_id', _ID, nullable=False),
    sa.Column('movie_id', _ID, nullable=False),
    sa.Column('show_date', sa.Date(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('cancelled', sa.Boolean(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('tickets', sa.Integer(), nullable=False),
    sa.Column('revenue_fen', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('showtime_id', name=op.f('pk_boxoffice_showtimes'))
    )
    op.create_index(op.f('ix_boxoffice_showtimes_cinema_id_show_date'), 'boxoffice_showtimes', ['cinema_id', 'show_date'], unique=False)
    op.create_index(op.f('ix_boxoffice_showtimes_show_date'), 'boxoffice_showtimes', ['show_date'], unique=False)
    op.create_table('boxoffice_hours',
    sa.Column('showtime_id', _ID, autoincrement=False, nullable=False),
    sa.Column('sale_date', sa.Date(), nullable=False),
    sa.Column('sale_hour', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('cinema_id', _ID, nullable=False),
    sa.Column('tickets', sa.Integer(), nullable=False),
    sa.Column('revenue_fen', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('showtime_id', 'sale_date', 'sale_hour', name=op.f('pk_boxoffice_hours'))
    )
    op.create_index(op.f('ix_boxoffice_hours_cinema_id_sale_date'), 'boxoffice_hours', ['cinema_id', 'sale_date'], unique=False)
    op.create_index(op.f('ix_boxoffice_hours_sale_date'), 'boxoffice_hours', ['sale_date'], unique=False)
    op.create_index('ix_orders_updated_at', 'orders', ['updated_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_orders_updated_at', table_name='orders')
    op.drop_index(op.f('ix_boxoffice_hours_sale_date'), table_name='boxoffice_hours')
    op.drop_index(op.f('ix_boxoffice_hours_cinema_id_sale_date'), table_name='boxoffice_hours')
    op.drop_table('boxoffice_hours')
    op.drop_index(op.f('ix_boxoffice_showtimes_show_date'), table_name='boxoffice_showtimes')
    op.drop_index(op.f('ix_boxoffice_showtimes_cinema_id_show_date'), table_name='boxoffice_showtimes')
    op.drop_table('boxoffice_showtimes')
    op.drop_index(op.f('ix_audit_log_target_type_target_id'), table_name='audit_log')
    op.drop_index(op.f('ix_audit_log_cinema_id_id'), table_name='audit_log')
    op.drop_table('audit_log')
