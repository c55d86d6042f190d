"""Creating and changing tenants (customer companies)."""
from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from dealix.accounts.choices import Role
from dealix.core.audit import audit_create
from dealix.tenancy.choices import Plan
from dealix.tenancy.models import Domain, Tenant, slug_validator


def schema_name_for(slug: str) -> str:
    return slug.replace("-", "_")


def host_for(slug: str) -> str:
    return f"{slug}.{settings.DEALIX_DOMAIN}"


def tenant_url(path: str, tenant=None) -> str:
    """An absolute link to `path` on the tenant's host, for emails, messages and invites written outside a
    request (jobs). Inside a request prefer `request.build_absolute_uri`."""
    tenant = tenant or connection.tenant
    port = f":{settings.DEALIX_PUBLIC_PORT}" if settings.DEALIX_PUBLIC_PORT else ""
    return f"{settings.DEALIX_URL_SCHEME}://{host_for(tenant.slug)}{port}{path}"


def validate_slug(slug: str) -> str:
    """The slug becomes a subdomain and a schema name; refuse what cannot be either."""
    if slug != slug.strip() or re.search(r"\s", slug):
        raise ValidationError(_("The address may not contain spaces."), code="spaces")
    if slug != slug.lower():
        raise ValidationError(_("Use lower-case letters only."), code="upper_case")
    if len(slug) > 32:
        raise ValidationError(_("The address may be at most 32 characters long."), code="too_long")
    slug_validator(slug)
    if slug in settings.RESERVED_TENANT_SLUGS or slug.startswith(("pg-", "pg_")):
        raise ValidationError(_("“%(slug)s” is reserved. Please choose another address.") % {"slug": slug},
                              code="reserved")
    if Tenant.objects.filter(slug=slug).exists() or Tenant.objects.filter(schema_name=schema_name_for(slug)).exists():
        raise ValidationError(_("“%(slug)s” is already taken. Please choose another address.") % {"slug": slug},
                              code="taken")
    return slug


@transaction.atomic
def tenant_create(*, actor, name: str, slug: str, owner_email: str, owner_full_name: str,
                  owner_password: str | None, language: str = "ar", plan: str = Plan.FREE,
                  extra_domains: tuple[str, ...] = ()) -> Tenant:
    """Create a tenant: its row, its schema (cloned from the template), its host name and its owner.

    All or nothing: a failure anywhere (a bad owner email, a clash) leaves no row and no schema behind,
    because PostgreSQL's DDL is transactional."""
    with schema_context(get_public_schema_name()):
        tenant = _tenant_row_create(actor=actor, name=name, slug=slug, plan=plan, language=language,
                                    extra_domains=extra_domains)
    with schema_context(tenant.schema_name):
        from dealix.accounts.services import user_create
        user_create(actor=None, email=owner_email, full_name=owner_full_name, role=Role.OWNER,
                    password=owner_password, language=language, check_permission=False)
    return tenant


def _tenant_row_create(*, actor, name, slug, plan, language, extra_domains) -> Tenant:
    validate_slug(slug)
    tenant = Tenant(name=name.strip(), slug=slug, schema_name=schema_name_for(slug), plan=plan,
                    settings={"language": language})
    tenant.full_clean(exclude=["schema_name"])
    tenant.save()
    Domain.objects.create(domain=host_for(slug), tenant=tenant, is_primary=True)
    for host in extra_domains:
        Domain.objects.create(domain=host, tenant=tenant, is_primary=False)
    audit_create(actor=actor, instance=tenant)
    return tenant
