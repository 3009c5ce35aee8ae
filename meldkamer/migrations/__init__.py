"""Alembic migrations of the Meldkamer schema; run them with ``meldkamer db upgrade``."""
