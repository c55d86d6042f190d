"""The partner portal at volume (issue 6's measure): one affiliate with 5,000 referrals, in a tenant whose
programme has 200 other affiliates, measured through the whole Django stack (middleware, tenant by host,
session, view, template) as that affiliate with `django.test.Client`: p50/p95 server time and queries
per request over n=30 after a warm-up, and the same page's SQL alone (see crm/page_bench.py).

The tenant `bench-portal` is seeded once with bulk inserts and kept between runs."""
from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal

from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

SLUG = "bench-portal"
REFERRALS = 5_000
OTHER_AFFILIATES = 200
OTHER_REFERRALS_EACH = 5
WON_SHARE = 0.06  # about 300 of the 5,000 referrals became customers, each with a deal commission
CODE = "BENCHPORTAL"
EMAIL = "partner@bench-portal.test"


def _tenant():
    from dealix.tenancy.models import Tenant
    from dealix.tenancy.services import tenant_create
    with schema_context(get_public_schema_name()):
        tenant = Tenant.objects.filter(slug=SLUG).first()
        if tenant is None:
            tenant = tenant_create(actor=None, name="Bench portal", slug=SLUG, owner_email=f"owner@{SLUG}.test",
                                   owner_full_name="Owner", owner_password="bench-password-123")
    return tenant


@transaction.atomic
def _seed(rng: random.Random) -> float:
    """Bulk-insert the programme; returns the seconds it took."""
    from affiliates.choices import AffiliateStatus, AttributionSource, AttributionStatus, CommissionStatus
    from affiliates.models import Affiliate, AffiliateDeal, Commission
    from crm.choices import DealStage, LeadSource, LeadStatus
    from crm.models import Customer, Deal, Lead
    from dealix.accounts.choices import Role
    from dealix.accounts.services import user_create

    started = time.perf_counter()
    now = timezone.now()
    user = user_create(actor=None, email=EMAIL, full_name="Bench Partner", role=Role.AFFILIATE,
                       password="bench-password-123", check_permission=False)
    me = Affiliate.objects.create(user=user, full_name="Bench Partner", email=EMAIL, status=AffiliateStatus.ACTIVE,
                                  referral_code=CODE, approved_at=now - dt.timedelta(days=400),
                                  iban="SA0380000000608010167519")
    others = Affiliate.objects.bulk_create([
        Affiliate(full_name=f"Partner {number}", email=f"partner{number}@bench-portal.test",
                  status=AffiliateStatus.ACTIVE, referral_code=f"BENCHP{number:04d}", approved_at=now)
        for number in range(OTHER_AFFILIATES)])

    owners = [me] * REFERRALS + [other for other in others for _ in range(OTHER_REFERRALS_EACH)]
    statuses = [rng.choice((LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED, LeadStatus.LOST))
                for _ in owners]
    leads = Lead.objects.bulk_create([
        Lead(full_name=f"Referral {number}", phone=f"+9665{number:08d}", source=LeadSource.AFFILIATE, status=status,
             lost_reason="No budget" if status == LeadStatus.LOST else "", referral_code=owner.referral_code)
        for number, (owner, status) in enumerate(zip(owners, statuses))], batch_size=2000)
    moments = [now - dt.timedelta(minutes=rng.randrange(90 * 24 * 60)) for _ in leads]
    AffiliateDeal.objects.bulk_create([
        AffiliateDeal(affiliate=owner, lead=lead, attributed_at=moment, expires_at=moment + dt.timedelta(days=90),
                      source=rng.choice((AttributionSource.FORM, AttributionSource.PORTAL)))
        for owner, lead, moment in zip(owners, leads, moments)], batch_size=2000)

    won_leads = [lead for lead, owner in zip(leads, owners) if owner is me and rng.random() < WON_SHARE]
    Lead.objects.filter(pk__in=[lead.pk for lead in won_leads]).update(status=LeadStatus.CONVERTED,
                                                                       lost_reason="")
    deals = Deal.objects.bulk_create([
        Deal(lead=lead, title=f"Subscription {lead.full_name}", stage=DealStage.CLOSED_WON, value=Decimal("8388.00"),
             plan="pro", closed_at=now - dt.timedelta(days=rng.randrange(60)), probability=100)
        for lead in won_leads])
    Customer.objects.bulk_create([
        Customer(deal=deal, lead=deal.lead, full_name=deal.lead.full_name, plan="pro", activated_at=deal.closed_at,
                 monthly_amount=Decimal("699.00")) for deal in deals])
    AffiliateDeal.objects.filter(affiliate=me, lead__in=won_leads).update(status=AttributionStatus.CONFIRMED,
                                                                           attributed_revenue=Decimal("8388.00"))
    kinds = [CommissionStatus.PENDING, CommissionStatus.PENDING, CommissionStatus.APPROVED, CommissionStatus.CANCELLED]
    Commission.objects.bulk_create([
        Commission(affiliate=me, deal=deal, amount=Decimal("1677.60"), rate=Decimal("20.00"),
                   status=rng.choice(kinds), period=timezone.localtime(deal.closed_at).date().replace(day=1),
                   basis={"revenue": "8388.00", "share_percent": "100", "attributed_revenue": "8388.00",
                          "plan": "pro", "tier": "bronze", "rate": "20", "rate_source": "table"})
        for deal in deals])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def _ensure_seeded() -> tuple[object, float | None]:
    from affiliates.models import Affiliate, AffiliateDeal
    tenant = _tenant()
    with schema_context(tenant.schema_name):
        me = Affiliate.objects.filter(referral_code=CODE).first()
        if me is not None and AffiliateDeal.objects.filter(affiliate=me).count() >= REFERRALS:
            return tenant, None
        if me is not None:
            raise RuntimeError(f"tenant {SLUG} holds a partial seed: drop it (make reset-data) and run again")
        return tenant, _seed(random.Random(6))


def portal_home() -> list[dict]:
    from crm.page_bench import _figure, _sql_floor, _time_page
    from dealix.accounts.models import User
    from dealix.tenancy.services import host_for

    tenant, seeded_seconds = _ensure_seeded()
    client = Client(HTTP_HOST=host_for(tenant.slug))
    with schema_context(tenant.schema_name):
        client.force_login(User.objects.get(email=EMAIL))
    figures = []
    for name, path in (("portal_home", "/affiliates/portal/"), ("portal_referrals", "/affiliates/portal/referrals/")):
        samples, queries, statements = _time_page(client, path)
        floor = _sql_floor(tenant.schema_name, statements)
        extra = {"referrals": REFERRALS, "other_affiliates": OTHER_AFFILIATES}
        if seeded_seconds is not None:
            extra["seeded_s"] = round(seeded_seconds, 1)
        figures.append(_figure(name, "affiliate", samples, queries, floor, **extra))
    connection.set_schema_to_public()
    return figures
