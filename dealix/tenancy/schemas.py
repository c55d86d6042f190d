"""Tenant schemas: a migrated template schema, cloned for every new tenant.

Replaying every migration for a new tenant gets slower with each migration we add; cloning a schema
that is already migrated costs the same whatever the history. django-tenants bundles a clone function
(pg-clone-schema) that has two known faults on our stack (DESIGN.md "Known pitfalls"):
  * a pgvector column is cloned as `vector` without its dimension, so its HNSW index cannot be built;
  * multi-column unique constraints get PostgreSQL's default names instead of Django's, so a later
    migration that removes the constraint by name fails on clones only.
`repair_clone` compares the clone with the template through the catalogue and fixes both, generally:
column types, constraint and index names, missing indexes. `catalogue()` is the same comparison the
tests use to prove a cloned tenant is indistinguishable from a migrated one.
"""
from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django_tenants import clone
from django_tenants.utils import schema_exists

# pg-clone-schema writes a user-defined type as `schema.type`, dropping its modifier, so `vector(512)`
# becomes `vector` and the HNSW index on it cannot be built inside the clone. It already asks
# format_type() (which keeps the modifier) for PostGIS geometries; we send pgvector's types down the
# same branch. The anchor is asserted so an upgrade of django-tenants that changes the text fails loudly.
_GEOMETRY_BRANCH = "ELSEIF v_colrec.udt_name in ('geometry') THEN"
assert _GEOMETRY_BRANCH in clone.CLONE_SCHEMA_FUNCTION, "django-tenants' clone function changed: review schemas.py"
_CLONE_FUNCTION = clone.CLONE_SCHEMA_FUNCTION.replace(
    _GEOMETRY_BRANCH, "ELSEIF v_colrec.udt_name in ('geometry', 'vector', 'halfvec', 'sparsevec') THEN")


class CloneSchema(clone.CloneSchema):
    def _create_clone_schema_function(self):
        db_user = settings.DATABASES["default"].get("USER", None) or "postgres"
        with connection.cursor() as cursor:
            cursor.execute(_CLONE_FUNCTION.format(db_user=db_user))


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
            CloneSchema().clone_schema(template_schema(), schema_name, "DATA")
            repair_clone(template_schema(), schema_name)
    else:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{schema_name}"')
        call_command("migrate_schemas", schema_name=schema_name, interactive=False, verbosity=0)
    connection.set_schema_to_public()
    return True


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

