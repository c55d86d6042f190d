from getpass import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dealix.tenancy.choices import Plan
from dealix.tenancy.services import host_for, tenant_create


class Command(BaseCommand):
    help = "Create a tenant (company workspace) and its owner, cloned from the template schema."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the subdomain, e.g. acme")
        parser.add_argument("--name", required=True, help="the company's name")
        parser.add_argument("--owner-email", required=True)
        parser.add_argument("--owner-name", required=True)
        parser.add_argument("--owner-password", help="prompted for when left out")
        parser.add_argument("--language", choices=["ar", "en"], default="ar")
        parser.add_argument("--plan", choices=Plan.values, default=Plan.FREE)

    def handle(self, *args, **options):
        password = options["owner_password"] or getpass("Owner's password: ")
        try:
            tenant = tenant_create(actor=None, name=options["name"], slug=options["slug"],
                                   owner_email=options["owner_email"], owner_full_name=options["owner_name"],
                                   owner_password=password, language=options["language"], plan=options["plan"])
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Created {tenant.name} at {host_for(tenant.slug)}"))
