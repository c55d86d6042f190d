"""The PostgreSQL extensions every schema uses, created once in the public schema (tenant schemas
reach them through the `tenant, public` search path)."""
from django.contrib.postgres.operations import CreateExtension
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        CreateExtension("vector"),
        CreateExtension("pg_trgm"),
    ]
