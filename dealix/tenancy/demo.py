"""The demo workspaces `make demo` opens: acme (Arabic) and gulf-trading (English), a user per role."""
from __future__ import annotations

import functools
import random

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from dealix.accounts.choices import Role
from dealix.accounts.models import User
from dealix.tenancy.choices import Plan
from dealix.tenancy.models import Domain, Subscription, Tenant
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


@functools.cache
def _demo_password_hash() -> str:
    """Hashed once per run: every demo login shares the password, and hashing costs ~0.2 s each."""
    return make_password(DEMO_PASSWORD)


@transaction.atomic
def ensure_demo_tenant(spec: dict) -> Tenant:
    """Create the tenant and its people if they are missing, then fill it with a month of business
    unless it already has some; leave whatever exists alone."""
    tenant = Tenant.objects.filter(slug=spec["slug"]).first()
    new_users = []
    new_tenant = tenant is None
    if new_tenant:
        tenant = tenant_create(actor=None, name=spec["name"], slug=spec["slug"],
                               owner_email=demo_email(Role.OWNER, spec["slug"]),
                               owner_full_name=spec["people"][Role.OWNER], owner_password=None,
                               language=spec["language"], plan=spec["plan"])
    with tenant_context(tenant):
        from dealix.accounts.services import user_create
        people = {}
        for role, full_name in spec["people"].items():
            email = demo_email(role, spec["slug"])
            user = User.objects.filter(email=email).first()
            if user is None:
                user = user_create(actor=None, email=email, full_name=full_name, role=role, password=None,
                                   language=spec["language"], check_permission=False)
                new_users.append(user)
            elif new_tenant and role == Role.OWNER:
                new_users.append(user)  # created by tenant_create just now, without a password
            people[role] = user
        for user in new_users:
            user.password = _demo_password_hash()
            user.save(update_fields=["password"])
        seed_demo_business(tenant=tenant, people=people, language=spec["language"])
    return tenant


def seed_demo_business(*, tenant: Tenant, people: dict, language: str) -> bool:
    """A believable month of business in the current schema (each app's `demo.py`): the CRM, the
    compliance centre, the partner programme and the knowledge base. Deterministic (one seeded random
    stream per tenant) and idempotent: a tenant that already has leads gets nothing new, except the
    templates, policies and articles it may lack. Returns whether the business data was seeded."""
    from affiliates.demo import seed_affiliates
    from compliance.demo import seed_compliance
    from crm.demo import seed_crm
    from knowledge.demo import seed_knowledge

    rng = random.Random(f"dealix-demo-{tenant.slug}")
    now = timezone.now()
    crm = seed_crm(language=language, people=people, slug=tenant.slug, tenant_name=tenant.name, rng=rng, now=now)
    seed_compliance(crm=crm, language=language, people=people, rng=rng, now=now)
    seed_affiliates(crm=crm, language=language, people=people, slug=tenant.slug, rng=rng, now=now)
    seed_knowledge(language=language, rng=rng, now=now)
    return crm is not None


@transaction.atomic
def drop_demo_tenant(slug: str) -> bool:
    """Remove a demo tenant completely (schema, host names, rows), for `seed_demo --reset`. Only the demo
    tenants: anything else is a customer's."""
    if slug not in {spec["slug"] for spec in DEMO_TENANTS}:
        raise ValueError(f"{slug!r} is not a demo tenant")
    with schema_context(get_public_schema_name()):
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            return False
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{tenant.schema_name}" CASCADE')
        Subscription.objects.filter(tenant=tenant).delete()
        Domain.objects.filter(tenant=tenant).delete()
        Tenant.objects.filter(pk=tenant.pk).delete()
    return True


def ensure_operator() -> User:
    """The platform operator, in the public schema."""
    user = User.objects.filter(email="operator@dealix.test").first()
    if user is None:
        user = User.objects.create_superuser("operator@dealix.test", DEMO_PASSWORD, full_name="Dealix Operator",
                                             language="en")
    return user
