"""`manage.py seed_bench --tenant NAME --leads 100000`: volume data for benchmarks, with COPY.

Creates the tenant (through `tenant_create`) when it does not exist, a team of agents and managers,
then the leads with their contacts, companies, deals, customers and activities (crm/bulk_seed.py),
all in one transaction; then ANALYZE. Running it again adds another batch of leads."""
import json

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name, schema_context

from crm.bulk_seed import BENCH_PASSWORD, analyze, seed_leads
from dealix.tenancy.choices import Plan
from dealix.tenancy.models import Tenant
from dealix.tenancy.services import tenant_create


def ensure_tenant(slug: str) -> Tenant:
    with schema_context(get_public_schema_name()):
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            tenant = tenant_create(actor=None, name=f"Bench {slug}", slug=slug, owner_email=f"owner@{slug}.test",
                                   owner_full_name="Bench Owner", owner_password=BENCH_PASSWORD, language="ar",
                                   plan=Plan.ENTERPRISE)
    return tenant


def seed(*, slug: str, leads: int, seed_value: int = 2026) -> dict:
    """Seed and analyse; the figures as a dict (rows by table, seconds, rows per second)."""
    tenant = ensure_tenant(slug)
    with schema_context(tenant.schema_name):
        with transaction.atomic():
            result = seed_leads(count=leads, slug=slug, seed=seed_value)
        analyze()
    return {"tenant": slug, "leads": result.rows.get("leads", 0), "rows": result.rows,
            "total_rows": result.total_rows, "seconds": round(result.seconds, 2),
            "rows_per_second": round(result.total_rows / result.seconds) if result.seconds else None,
            "leads_per_second": round(result.rows.get("leads", 0) / result.seconds) if result.seconds else None}


class Command(BaseCommand):
    help = "Create N leads with their contacts, companies, deals and activities in one tenant, for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="the tenant's slug (created if it does not exist)")
        parser.add_argument("--leads", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same data)")
        parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")

    def handle(self, *args, **options):
        figures = seed(slug=options["tenant"], leads=options["leads"], seed_value=options["seed"])
        connection.set_schema_to_public()
        if options["json"]:
            self.stdout.write(json.dumps(figures))
            return
        rows = ", ".join(f"{count:,} {name}" for name, count in figures["rows"].items())
        self.stdout.write(f"Seeded {figures['tenant']}: {rows}.")
        self.stdout.write(f"{figures['total_rows']:,} rows in {figures['seconds']:.1f} s: "
                          f"{figures['rows_per_second']:,} rows/s ({figures['leads_per_second']:,} leads/s). "
                          f"ANALYZE done.")
