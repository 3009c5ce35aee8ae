"""PostgreSQL test databases used again: emptied and refilled instead of dropped.

A copy of a template (``CREATE DATABASE ... TEMPLATE``) dirties some 8 MB of shared
buffers and ``DROP DATABASE`` forces a checkpoint, which writes out the buffers of every
test database still open: with four workers, PostgreSQL spent most of the unit suite
writing databases that were about to be dropped, and a test waited up to seconds for its
database. So a used copy goes back to its worker's pool instead: the other connections
to it are ended, every table is emptied (``TRUNCATE``), the template's rows are put back
(``COPY``) and the sequences set to the template's values. A copy whose schema a test
changed (a trigger, a function, a downgrade: :data:`FINGERPRINT` differs) is dropped.
"""

from __future__ import annotations

import io
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import psycopg2
from psycopg2 import sql

#: Everything of a database's schema a test could change: relations with their columns
#: (tables, indexes, sequences, views), constraints, triggers, functions, types, enum
#: labels, schemas, extensions and the database's own settings.
FINGERPRINT = """
SELECT md5(coalesce(string_agg(item, ',' ORDER BY item), '')) FROM (
  SELECT format('rel %s.%s %s %s %s %s', n.nspname, c.relname, c.relkind, a.attname,
                format_type(a.atttypid, a.atttypmod), a.attnotnull) AS item
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
  UNION ALL SELECT format('con %s %s %s', conname, contype, conrelid::regclass)
    FROM pg_constraint WHERE connamespace NOT IN ('pg_catalog'::regnamespace,
                                                   'information_schema'::regnamespace)
  UNION ALL SELECT format('trg %s %s', tgname, tgrelid::regclass)
    FROM pg_trigger WHERE NOT tgisinternal
  UNION ALL SELECT format('fun %s %s', p.oid::regprocedure, md5(p.prosrc))
    FROM pg_proc p WHERE pronamespace NOT IN ('pg_catalog'::regnamespace,
                                              'information_schema'::regnamespace)
  UNION ALL SELECT format('typ %s %s', t.typname, t.typtype) FROM pg_type t
   WHERE typnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
     AND t.typnamespace::regnamespace::text NOT LIKE 'pg_toast%'
  UNION ALL SELECT format('enum %s %s', enumtypid::regtype, enumlabel) FROM pg_enum
  UNION ALL SELECT format('nsp %s', nspname) FROM pg_namespace
  UNION ALL SELECT format('ext %s', extname) FROM pg_extension
  UNION ALL SELECT format('set %s', setconfig) FROM pg_db_role_setting
   WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
) items
"""

TABLES = """
SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1
"""

SEQUENCES = """
SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences ORDER BY 1
"""


@dataclass(frozen=True)
class Snapshot:
    """A template's state: its schema's fingerprint, its rows per table, its sequences."""

    fingerprint: str
    rows: dict[str, bytes]
    sequences: dict[str, int | None]


def snapshot(dsn: str) -> Snapshot:
    """Read what a used copy of the database at ``dsn`` must be given back."""
    with connect(dsn) as connection, connection.cursor() as cursor:
        cursor.execute(FINGERPRINT)
        fingerprint = cursor.fetchone()[0]
        cursor.execute(TABLES)
        rows = {}
        for (table,) in cursor.fetchall():
            buffer = io.BytesIO()
            cursor.copy_expert(f"COPY {table} TO STDOUT (FORMAT binary)", buffer)
            rows[table] = buffer.getvalue()
        cursor.execute(SEQUENCES)
        sequences = dict(cursor.fetchall())
    return Snapshot(fingerprint, rows, sequences)


def reset(admin_dsn: str, dsn: str, name: str, template: Snapshot) -> bool:
    """Give the copy ``name`` (at ``dsn``) the template's rows again; False if it cannot be.

    Other connections are ended first (a test's pool may still hold some), as ``DROP
    DATABASE ... WITH (FORCE)`` would.
    """
    with connect(admin_dsn) as admin, admin.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (name,),
        )
    with connect(dsn, autocommit=False) as connection, connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '5s'")
        cursor.execute(FINGERPRINT)
        if cursor.fetchone()[0] != template.fingerprint:
            return False
        cursor.execute(TABLES)
        tables = [table for (table,) in cursor.fetchall()]
        if set(tables) != set(template.rows):
            return False
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        # The rows go back as they were: no foreign key or trigger fires on them.
        cursor.execute("SET LOCAL session_replication_role = replica")
        for table, data in template.rows.items():
            cursor.copy_expert(f"COPY {table} FROM STDIN (FORMAT binary)", io.BytesIO(data))
        for sequence, value in template.sequences.items():
            _restore_sequence(cursor, sequence, value)
        connection.commit()
    return True


def connect(dsn: str, autocommit: bool = True) -> closing[Any]:
    """A psycopg2 connection closed when the block ends (its own ``with`` only commits)."""
    connection = psycopg2.connect(dsn)
    connection.autocommit = autocommit
    return closing(connection)


def _restore_sequence(cursor: Any, sequence: str, value: int | None) -> None:
    if value is None:  # never used in the template
        cursor.execute(sql.SQL("ALTER SEQUENCE {} RESTART").format(sql.SQL(sequence)))
    else:
        cursor.execute("SELECT setval(%s, %s, true)", (sequence, value))
