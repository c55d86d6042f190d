"""Background jobs that know which tenant they belong to.

`enqueue(func, *ids)` records the schema that is active when it is called; the worker runs the job
body inside `schema_context(schema)`. A job with no schema, or enqueued from the public schema without
saying so, fails loudly: running a tenant's job in `public` would at best crash and at worst touch the
wrong data. Jobs take ids, never model instances, and must be idempotent."""
from __future__ import annotations

import datetime

import django_rq
from django.db import connection
from django.utils.module_loading import import_string
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context


class MissingTenantSchema(RuntimeError):
    pass


def _path(func) -> str:
    if isinstance(func, str):
        return func
    return f"{func.__module__}.{func.__qualname__}"


def _current_schema(public: bool) -> str:
    schema = getattr(connection, "schema_name", None)
    if not schema:
        raise MissingTenantSchema("No schema is active; jobs must be enqueued inside a tenant.")
    if schema == get_public_schema_name() and not public:
        raise MissingTenantSchema(
            "A tenant job was enqueued from the public schema; set the tenant first (or pass public=True).")
    return schema


def enqueue(func, *args, queue: str = "default", public: bool = False, job_id: str | None = None, **options):
    """Queue `func(*args)` to run in the current tenant's schema.

    Inside a transaction the job reaches Redis only when the transaction commits (django-rq's
    `on_db_commit` mode), so a job never sees data that may yet be rolled back; it then returns None.
    Outside a transaction it is queued at once and the RQ job is returned."""
    schema = _current_schema(public)
    return django_rq.get_queue(queue).enqueue(run_in_schema, schema, _path(func), *args, job_id=job_id,
                                              **options)


def enqueue_at(when: datetime.datetime, func, *args, queue: str = "default", public: bool = False, **options):
    schema = _current_schema(public)
    return django_rq.get_queue(queue).enqueue_at(when, run_in_schema, schema, _path(func), *args, **options)


def run_in_schema(schema: str, func_path: str, *args):
    """The function RQ actually runs."""
    if not schema:
        raise MissingTenantSchema(f"Job {func_path} has no tenant schema; refusing to run it.")
    func = import_string(func_path)
    # The real tenant row, not just its schema: jobs read the tenant's settings (its rules, its channel
    # credentials), its plan and its host name.
    tenant = _tenant_for(schema)
    if tenant is None:
        with schema_context(schema):
            return func(*args)
    with tenant_context(tenant):
        return func(*args)


def _tenant_for(schema: str):
    from dealix.tenancy.models import Tenant

    with schema_context(get_public_schema_name()):
        return Tenant.objects.filter(schema_name=schema).first()
