"""Figures for tenancy: creating a tenant, and a no-op `migrate_schemas` over 100 tenants."""
import time

from django.core.management import call_command
from django.db import connection
from django_tenants.utils import get_public_schema_name, schema_context

from dealix.core.benchmarking import latency_figure, timed
from dealix.tenancy.models import Domain, Tenant
from dealix.tenancy.services import tenant_create

BENCH_PREFIX = "bench-"
# Only the tenants these figures make (bench-t0…, bench-m0…): other apps keep bench tenants of their own
# between runs (crm's bench-crm with its 100k leads).
OWN_BENCH_SLUGS = rf"^{BENCH_PREFIX}[tm][0-9]+$"


def _drop_bench_tenants():
    with schema_context(get_public_schema_name()):
        for tenant in Tenant.objects.filter(slug__regex=OWN_BENCH_SLUGS):
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{tenant.schema_name}" CASCADE')
            Domain.objects.filter(tenant=tenant).delete()
            Tenant.objects.filter(pk=tenant.pk).delete()


def tenant_create_time(count: int = 10) -> dict:
    _drop_bench_tenants()
    samples, queries = [], []
    for number in range(count):
        with timed() as measured:
            tenant_create(actor=None, name=f"Bench {number}", slug=f"{BENCH_PREFIX}t{number}",
                          owner_email=f"owner{number}@bench.test", owner_full_name="Bench Owner",
                          owner_password="bench-password-123")
        samples.append(measured.ms)
        queries.append(measured.queries)
    _drop_bench_tenants()
    return latency_figure("tenant_create", samples, max(queries), target_ms=2000)


def migrate_noop_over_100_tenants(count: int = 100) -> dict:
    _drop_bench_tenants()
    existing = Tenant.objects.exclude(schema_name=get_public_schema_name()).count()
    for number in range(max(0, count - existing)):
        tenant_create(actor=None, name=f"Bench {number}", slug=f"{BENCH_PREFIX}m{number}",
                      owner_email=f"owner{number}@bench.test", owner_full_name="Bench Owner",
                      owner_password="bench-password-123")
    tenants = Tenant.objects.exclude(schema_name=get_public_schema_name()).count()
    started = time.perf_counter()
    call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
    seconds = time.perf_counter() - started
    _drop_bench_tenants()
    return {"name": "migrate_schemas_noop", "unit": "s", "value": round(seconds, 2), "tenants": tenants}


FIGURES = [tenant_create_time, migrate_noop_over_100_tenants]
