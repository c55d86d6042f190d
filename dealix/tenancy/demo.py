"""The demo workspaces `make demo` opens: acme (Arabic) and gulf-trading (English), a user per role."""
from __future__ import annotations

from django.db import transaction
from django_tenants.utils import schema_context

from dealix.accounts.choices import Role
from dealix.accounts.models import User
from dealix.tenancy.choices import Plan
from dealix.tenancy.models import Tenant
from dealix.tenancy.services import tenant_create

DEMO_PASSWORD = "dealix-demo"

DEMO_TENANTS = [
    {"slug": "acme", "name": "أكمي للحلول التجارية", "language": "ar", "plan": Plan.PRO, "people": {
        Role.OWNER: "سارة العتيبي", Role.ADMIN: "خالد الشهري", Role.MANAGER: "نورة القحطاني",
        Role.AGENT: "أحمد الغامدي", Role.AFFILIATE: "فيصل الدوسري", Role.VIEWER: "ريم الحربي"}},
    {"slug": "gulf-trading", "name": "Gulf Trading Co.", "language": "en", "plan": Plan.STARTER, "people": {
        Role.OWNER: "Omar Haddad", Role.ADMIN: "Lina Saleh", Role.MANAGER: "Yousef Nasser",
        Role.AGENT: "Maha Al-Zahrani", Role.AFFILIATE: "Tariq Mansour", Role.VIEWER: "Dana Khalil"}},
]


def demo_email(role: str, slug: str) -> str:
    return f"{role}@{slug}.test"


@transaction.atomic
def ensure_demo_tenant(spec: dict) -> Tenant:
    """Create the tenant and its people if they are missing; leave whatever exists alone."""
    tenant = Tenant.objects.filter(slug=spec["slug"]).first()
    if tenant is None:
        tenant = tenant_create(actor=None, name=spec["name"], slug=spec["slug"],
                               owner_email=demo_email(Role.OWNER, spec["slug"]),
                               owner_full_name=spec["people"][Role.OWNER], owner_password=DEMO_PASSWORD,
                               language=spec["language"], plan=spec["plan"])
    with schema_context(tenant.schema_name):
        from dealix.accounts.services import user_create
        for role, full_name in spec["people"].items():
            email = demo_email(role, spec["slug"])
            if not User.objects.filter(email=email).exists():
                user_create(actor=None, email=email, full_name=full_name, role=role, password=DEMO_PASSWORD,
                            language=spec["language"], check_permission=False)
    return tenant


def ensure_operator() -> User:
    """The platform operator, in the public schema."""
    user = User.objects.filter(email="operator@dealix.test").first()
    if user is None:
        user = User.objects.create_superuser("operator@dealix.test", DEMO_PASSWORD, full_name="Dealix Operator",
                                             language="en")
    return user
