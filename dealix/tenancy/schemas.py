"""Tenant schemas: a migrated template schema, copied for every new tenant.

Replaying every migration for a new tenant gets slower with each migration we add; copying a schema
that is already migrated costs the same whatever the history. We copy it ourselves rather than with the
clone function bundled with django-tenants (pg-clone-schema), because that function
  * gets slower with every tenant: it walks the catalogue of the whole database, so at 70 tenants one
    clone took 7 s (and the platform is meant for thousands);
  * writes a pgvector column as `vector` without its dimension, so the HNSW index cannot be built;
  * gives multi-column unique constraints PostgreSQL's default names instead of Django's, so a later
    migration that removes one by name fails on clones only (DESIGN.md "Known pitfalls").
`clone_schema` copies table by table (`CREATE TABLE … (LIKE … INCLUDING ALL)`, which keeps exact column
types, defaults, identity, CHECK constraints and indexes), then the foreign keys and the rows, then
`repair_clone` gives indexes and constraints the template's names. `catalogue()` is the comparison the
tests use to prove a cloned tenant is indistinguishable from a migrated one.
"""
from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django_tenants.utils import schema_exists


def template_schema() -> str:
    return settings.TENANT_BASE_SCHEMA


def ensure_template_schema(verbosity: int = 0) -> None:
    """Create the template schema if needed and bring it up to date with the tenant migrations."""
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{template_schema()}"')
    call_command("migrate_schemas", schema_name=template_schema(), interactive=False, verbosity=verbosity)
    connection.set_schema_to_public()


def ensure_public_tenant() -> None:
    """The row django-tenants routes the bare domain (the public site) with."""
    from dealix.tenancy.models import Domain, Tenant
    public, _created = Tenant.objects.get_or_create(
        schema_name="public", defaults={"name": "Dealix", "slug": "public", "settings": {"language": "ar"}})
    Domain.objects.get_or_create(domain=settings.DEALIX_DOMAIN, defaults={"tenant": public, "is_primary": True})


def create_tenant_schema(schema_name: str, *, check_if_exists: bool = False, sync_schema: bool = True) -> bool:
    """Create `schema_name` by cloning the template, or by migrating when there is no template."""
    connection.set_schema_to_public()
    if check_if_exists and schema_exists(schema_name):
        return False
    if not sync_schema:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{schema_name}"')
        return True
    if schema_exists(template_schema()):
        with transaction.atomic():
            clone_schema(template_schema(), schema_name)
            repair_clone(template_schema(), schema_name)
    else:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{schema_name}"')
        call_command("migrate_schemas", schema_name=schema_name, interactive=False, verbosity=0)
    connection.set_schema_to_public()
    return True


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def clone_schema(source: str, target: str) -> None:
    """Copy every table of `source` (structure, foreign keys, rows, identity counters) into a new
    schema `target`, in the current transaction. Cost grows with the number of tables, not of schemas."""
    src, dst = _quote(source), _quote(target)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {dst}")
        cursor.execute("""
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname""", [source])
        tables = [name for (name,) in cursor.fetchall()]
        # One round trip per step, not per table: creating a tenant is on the sign-up page's clock.
        cursor.execute(";\n".join(f"CREATE TABLE {dst}.{_quote(table)} (LIKE {src}.{_quote(table)} INCLUDING ALL)"
                                   for table in tables))
        # Rows first (reference data such as migrations, content types, permissions, standard templates),
        # then the foreign keys, so the insertion order of tables does not matter.
        cursor.execute(";\n".join(f"INSERT INTO {dst}.{_quote(table)} SELECT * FROM {src}.{_quote(table)}"
                                   for table in tables))
        cursor.execute("""
            SELECT con.conname, c.relname, pg_get_constraintdef(con.oid)
            FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
            JOIN pg_namespace n ON n.oid = con.connamespace
            WHERE n.nspname = %s AND con.contype = 'f' ORDER BY con.conname""", [source])
        statements = []
        for name, table, definition in cursor.fetchall():
            # pg_get_constraintdef qualifies a referenced table with its schema when the schema is not on
            # the search path (it is not: the connection is on public); point it at the new schema.
            definition = definition.replace(f"REFERENCES {src}.", f"REFERENCES {dst}.").replace(
                f"REFERENCES {source}.", f"REFERENCES {dst}.")
            statements.append(f"ALTER TABLE {dst}.{_quote(table)} ADD CONSTRAINT {_quote(name)} {definition}")
        if statements:
            cursor.execute(";\n".join(statements))
        cursor.execute("""
            SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s AND a.attidentity IN ('a', 'd') AND NOT a.attisdropped""", [target])
        for table, column in cursor.fetchall():
            cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                           f"COALESCE((SELECT max({_quote(column)}) FROM {dst}.{_quote(table)}), 0) + 1, false)",
                           [f"{dst}.{_quote(table)}", column])


# --- catalogue ---------------------------------------------------------------------------------------

def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _unqualify(text: str, schema: str) -> str:
    return text.replace(f'"{schema}".', "").replace(f"{schema}.", "")


def columns(schema: str) -> dict[tuple[str, str], tuple]:
    rows = _rows("""
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               pg_get_expr(d.adbin, d.adrelid), a.attidentity
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
    """, [schema])
    return {(table, column): (_unqualify(kind, schema), not_null, _unqualify(default or "", schema), identity)
            for table, column, kind, not_null, default, identity in rows}


def constraints(schema: str) -> dict[str, tuple[str, str]]:
    """name -> (table, definition)"""
    rows = _rows("""
        SELECT con.conname, c.relname, pg_get_constraintdef(con.oid)
        FROM pg_constraint con
        JOIN pg_class c ON c.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = con.connamespace
        WHERE n.nspname = %s
    """, [schema])
    return {name: (table, _unqualify(definition, schema)) for name, table, definition in rows}


def indexes(schema: str) -> dict[str, tuple[str, str]]:
    """name -> (table, definition without the schema and with the index's own name taken out)"""
    rows = _rows("SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = %s", [schema])
    return {name: (table, _unqualify(definition, schema).replace(f"INDEX {name} ON", "INDEX ON", 1)
                   .replace(f'INDEX "{name}" ON', "INDEX ON", 1))
            for name, table, definition in rows}


def sequences(schema: str) -> set[str]:
    return {name for (name,) in _rows(
        "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = %s", [schema])}


def applied_migrations(schema: str) -> set[tuple[str, str]]:
    return set(_rows(f'SELECT app, name FROM "{schema}".django_migrations', []))


def catalogue(schema: str) -> dict:
    """Everything that must match between a cloned and a migrated schema."""
    return {
        "columns": columns(schema),
        "constraints": constraints(schema),
        "indexes": indexes(schema),
        "sequences": sequences(schema),
        "migrations": applied_migrations(schema),
    }


# --- repair ------------------------------------------------------------------------------------------

def repair_clone(source: str, target: str) -> None:
    """Make `target` (a fresh clone of `source`) match `source` in the catalogue."""
    with connection.cursor() as cursor:
        _repair_column_types(cursor, source, target)
        _repair_names(cursor, target, constraints(source), constraints(target), "CONSTRAINT")
        _repair_names(cursor, target, indexes(source), indexes(target), "INDEX")
        present = indexes(target)
        for name, table, definition in _rows(
                "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = %s", [source]):
            if name not in present:
                cursor.execute(definition.replace(f' ON {source}.', f' ON "{target}".', 1)
                               .replace(f' ON "{source}".', f' ON "{target}".', 1))


def _repair_column_types(cursor, source: str, target: str) -> None:
    wanted, present = columns(source), columns(target)
    for (table, column), (kind, *_rest) in wanted.items():
        current = present.get((table, column))
        if current and current[0] != kind:
            cursor.execute(f'ALTER TABLE "{target}"."{table}" ALTER COLUMN "{column}" TYPE {kind}'
                           f' USING "{column}"::{kind}')


def _repair_names(cursor, target: str, wanted: dict, present: dict, kind: str) -> None:
    """Rename objects of the clone whose (table, definition) matches the source's under another name."""
    by_shape = {}
    for name, shape in present.items():
        if name not in wanted:
            by_shape.setdefault(shape, []).append(name)
    for name, shape in wanted.items():
        if name in present:
            continue
        candidates = by_shape.get(shape, [])
        if not candidates:
            continue
        old = candidates.pop()
        if kind == "CONSTRAINT":
            cursor.execute(f'ALTER TABLE "{target}"."{shape[0]}" RENAME CONSTRAINT "{old}" TO "{name}"')
        else:
            cursor.execute(f'ALTER INDEX "{target}"."{old}" RENAME TO "{name}"')

