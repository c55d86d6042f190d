"""Bring the whole database up to date: the public schema, the tenant template, then every tenant."""
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from dealix.tenancy.schemas import ensure_public_tenant, ensure_template_schema


class Command(BaseCommand):
    help = "Migrate the public schema, the tenant template schema and every tenant schema."

    def handle(self, *args, **options):
        started = time.monotonic()
        verbosity = max(options["verbosity"] - 1, 0)
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        ensure_public_tenant()
        ensure_template_schema(verbosity=verbosity)
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=verbosity)
        self.stdout.write(f"Database ready in {time.monotonic() - started:.1f} s.")
