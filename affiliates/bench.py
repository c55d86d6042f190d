"""Figures for the affiliate programme at volume (docs/PERFORMANCE.md):

* `commission_monthly_run` (in the tenant `bench-affiliates`, created, seeded through COPY and dropped
  afterwards): seconds of `run_monthly` for the month that just ended, with 1,000 active
  affiliates and 50,000 won attributed deals closed over the twelve months before it (each with its
  customer and deal commission, as closing the deal makes them), every customer paying each month since
  activation (a few cancelled, a few on trial). The run settles tiers, re-prices the month's deal
  commissions, writes a recurring commission (and its audit row) per payment of the month and the
  bonuses. Also reported: the rows it wrote and the time of a second run (which writes nothing).
* `portal_home`: the partner portal's pages at 5,000 referrals (affiliates/portal_bench.py)."""
from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from affiliates import commissions
from affiliates.choices import AffiliateStatus, AttributionStatus, CommissionKind, CommissionStatus, Tier
from affiliates.models import Affiliate, AffiliateDeal, Commission
from affiliates.periods import add_months
from crm.choices import DealStage, LeadSource, LeadStatus, PaymentStatus
from crm.models import Customer, Deal, Lead, Payment
from dealix.core.seeding import copy_rows
from dealix.tenancy.models import Domain, Tenant

BENCH_TENANT = "bench-affiliates"
AFFILIATES = 1_000
DEALS = 50_000
HISTORY_MONTHS = 12
PRICES = {"starter": Decimal("299"), "pro": Decimal("699"), "enterprise": Decimal("1499")}
PLAN_WEIGHTS = {"starter": 45, "pro": 38, "enterprise": 12, "trial": 5}
CANCELLED_SHARE = 0.06
CENT = Decimal("0.01")


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _drop(slug: str) -> None:
    with schema_context(get_public_schema_name()):
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            return
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{tenant.schema_name}" CASCADE')
        Domain.objects.filter(tenant=tenant).delete()
        Tenant.objects.filter(pk=tenant.pk).delete()


def _seed(*, period: dt.date, seed: int = 2026) -> dict:
    """The programme's history up to the end of `period`, written with COPY in the current schema."""
    rng = random.Random(f"{seed}-commissions")
    rules_days = dt.timedelta(days=commissions.current_rules().guarantee_days)
    zone = commissions._zone()
    now = timezone.now()
    first_month = add_months(period, -(HISTORY_MONTHS - 1))
    rows: dict[str, int] = {}

    affiliate_ids = [_uuid(rng) for _ in range(AFFILIATES)]
    approved = now - dt.timedelta(days=400)
    rows["affiliates"] = copy_rows(Affiliate, ("id", "created_at", "updated_at", "full_name", "email", "status", "tier",
                                               "referral_code", "approved_at", "risk_score"), (
        (pk, approved, approved, f"Partner {number:04d}", f"partner{number:04d}@bench.test", AffiliateStatus.ACTIVE,
         Tier.BRONZE, f"BENCH{number:04d}", approved, rng.choice((0, 0, 0, 5, 20, 40)))
        for number, pk in enumerate(affiliate_ids, start=1)))
    # A few busy partners and many occasional ones, so the month has every tier and bonus level.
    weights = [rng.paretovariate(1.2) for _ in affiliate_ids]

    leads, deals, customers, attributions, deal_commissions, payments = [], [], [], [], [], []
    plans, plan_weights = list(PLAN_WEIGHTS), list(PLAN_WEIGHTS.values())
    for number in range(DEALS):
        affiliate_id = rng.choices(affiliate_ids, weights=weights)[0]
        plan = rng.choices(plans, weights=plan_weights)[0]
        month = add_months(first_month, rng.randrange(HISTORY_MONTHS))
        closed = dt.datetime(month.year, month.month, rng.randint(1, 28), rng.randint(9, 16), rng.randrange(60),
                             tzinfo=zone)
        price = PRICES.get(plan, Decimal("0"))
        lead_id, deal_id, customer_id = _uuid(rng), _uuid(rng), _uuid(rng)
        registered = closed - dt.timedelta(days=rng.randint(3, 60))
        leads.append((lead_id, registered, closed, f"Lead {number}", "", f"lead{number}@bench.test",
                      LeadSource.AFFILIATE, LeadStatus.CONVERTED, closed))
        deals.append((deal_id, registered, closed, lead_id, f"Subscription {number}", DealStage.CLOSED_WON, price,
                      "SAR", 100, closed, plan))
        cancelled = None
        if rng.random() < CANCELLED_SHARE:
            cancelled = closed + dt.timedelta(days=rng.randint(20, 200))
        customers.append((customer_id, closed, closed, lead_id, deal_id, f"Customer {number}", plan, price, price,
                          closed, cancelled))
        attributions.append((_uuid(rng), registered, closed, affiliate_id, deal_id, lead_id, price, 100,
                             AttributionStatus.CONFIRMED, registered, registered + dt.timedelta(days=90)))
        if plan != "trial":
            rate = commissions.commission_rate(tier=Tier.BRONZE, plan=plan)
            amount = (price * rate / 100).quantize(CENT, ROUND_HALF_UP)
            deal_commissions.append((
                _uuid(rng), closed, closed, affiliate_id, deal_id, CommissionKind.DEAL, amount, "SAR", rate,
                CommissionStatus.PENDING if month >= add_months(period, -1) else CommissionStatus.APPROVED,
                month, {"v": 1, "kind": "deal", "revenue": str(price), "share_percent": "100.00",
                        "attributed_revenue": str(price), "plan": plan, "tier": Tier.BRONZE, "rate": str(rate),
                        "amount": str(amount), "period": month.isoformat(),
                        "guarantee_ends": (closed + rules_days).isoformat()}))
        paying = month
        while paying <= period:
            if cancelled is not None and paying > cancelled.astimezone(zone).date().replace(day=1):
                break
            paid = dt.datetime(paying.year, paying.month, min(closed.day, 28), 10, tzinfo=zone)
            payments.append((_uuid(rng), paid, paid, customer_id, paying, price, "SAR", PaymentStatus.CONFIRMED, paid))
            paying = add_months(paying, 1)

    rows["leads"] = copy_rows(Lead, ("id", "created_at", "updated_at", "full_name", "phone", "email", "source",
                                     "status", "converted_at"), leads)
    rows["deals"] = copy_rows(Deal, ("id", "created_at", "updated_at", "lead_id", "title", "stage", "value",
                                     "currency", "probability", "closed_at", "plan"), deals)
    rows["customers"] = copy_rows(Customer, (
        "id", "created_at", "updated_at", "lead_id", "deal_id", "full_name", "plan", "monthly_amount", "lifetime_value",
        "activated_at", "cancelled_at"), customers)
    rows["attributions"] = copy_rows(AffiliateDeal, (
        "id", "created_at", "updated_at", "affiliate_id", "deal_id", "lead_id", "attributed_revenue", "share_percent",
        "status", "attributed_at", "expires_at"), attributions)
    rows["deal_commissions"] = copy_rows(Commission, (
        "id", "created_at", "updated_at", "affiliate_id", "deal_id", "kind", "amount", "currency", "rate", "status",
        "period", "basis"), deal_commissions)
    rows["payments"] = copy_rows(Payment, ("id", "created_at", "updated_at", "customer_id", "period", "amount",
                                           "currency", "status", "paid_at"), payments)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for model in (Affiliate, Lead, Deal, Customer, AffiliateDeal, Commission, Payment):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return rows


def commission_monthly_run() -> dict:
    from crm.management.commands.seed_bench import ensure_tenant

    _drop(BENCH_TENANT)  # what a crashed earlier run left behind
    tenant = ensure_tenant(BENCH_TENANT)
    try:
        with tenant_context(tenant):
            period = commissions.parse_period()  # the month that just ended, as on the 1st
            started = time.perf_counter()
            with transaction.atomic():
                seeded = _seed(period=period)
            seed_seconds = time.perf_counter() - started
            payments_in_month = Payment.objects.filter(period=period).count()
            started = time.perf_counter()
            result = commissions.run_monthly(period)
            seconds = time.perf_counter() - started
            started = time.perf_counter()
            again = commissions.run_monthly(period)
            second_seconds = time.perf_counter() - started
            written = {key: value for key, value in result.items() if key != "period"}
    finally:
        connection.set_schema_to_public()
        _drop(BENCH_TENANT)
    return {"name": "commission_monthly_run", "unit": "s", "value": round(seconds, 2), "affiliates": AFFILIATES,
            "deals": DEALS, "payments_in_month": payments_in_month, "rows_written": sum(written.values()),
            "written": written, "second_run_s": round(second_seconds, 2),
            "second_run_written": sum(value for key, value in again.items() if key != "period"),
            "seed_s": round(seed_seconds, 2), "seeded": seeded, "period": period.isoformat()}


def _portal_home():
    # The partner portal's figures (portal_home, portal_referrals) live in affiliates/portal_bench.py.
    from affiliates.portal_bench import portal_home
    return portal_home()


_portal_home.__name__ = "portal_home"

FIGURES = [commission_monthly_run, _portal_home]
