"""Adapters: stores and backends behind the service ports."""
