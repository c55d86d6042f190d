"""The commission engine (RULES.md §6): what an affiliate earns on a won deal and on each monthly payment,
the tiers, the bonuses, when a commission may be approved, and what a refund undoes."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from affiliates import commissions
from affiliates.choices import AttributionStatus, CommissionKind, CommissionStatus, PayoutStatus, Tier
from affiliates.models import Affiliate, AffiliateDeal, Commission
from crm import services as crm_services
from crm.choices import DealStage, PaymentStatus
from crm.models import Customer, Payment
from dealix.core.models import AuditLog
from tests import factories
from tests.conftest import user_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def staff(people, in_tenant_a):
    return {role: user_of(people[role]) for role in ("owner", "admin", "manager", "agent", "viewer")}


@pytest.fixture
def affiliate(in_tenant_a):
    return factories.AffiliateFactory(language="en", tier=Tier.BRONZE, commission_rate=None, risk_score=0)


def months_ago(count: int) -> dt.date:
    """The first day of the month `count` months before this one (Riyadh time)."""
    this_month = commissions.month_of(timezone.now())
    year, index = divmod(this_month.year * 12 + this_month.month - 1 - count, 12)
    return dt.date(year, index + 1, 1)


def mid_month(period: dt.date) -> dt.datetime:
    """Noon Riyadh time on the 10th of the month: far from the month's edges whatever the time zone."""
    return dt.datetime(period.year, period.month, 10, 12, tzinfo=dt.timezone(dt.timedelta(hours=3)))


def referred_deal(affiliate, *, plan="pro", value="699.00", stage=DealStage.NEGOTIATION, share=100):
    """A deal on a lead the affiliate referred (an attribution inside its window), not yet won."""
    lead = factories.LeadFactory(language="en", converted=True)
    factories.AffiliateDealFactory(affiliate=affiliate, lead=lead, share_percent=Decimal(share),
                                   attributed_at=timezone.now() - dt.timedelta(days=5))
    return factories.DealFactory(language="en", lead=lead, stage=stage, plan=plan, value=Decimal(value))


def close_won(deal, actor, capture):
    """Close the deal the way the team does; the commission arrives through the deal_won signal."""
    with capture(execute=True):
        return crm_services.deal_move(actor=actor, deal=deal, stage=DealStage.CLOSED_WON)


def won_in(period: dt.date, affiliate, *, plan="pro", value="699.00", monthly="699.00", share=100):
    """A deal won in an earlier month (mid-month), its customer activated then, and its deal commission
    created as the deal_won receiver does."""
    closed = mid_month(period)
    lead = factories.LeadFactory(language="en", converted=True)
    factories.AffiliateDealFactory(affiliate=affiliate, lead=lead, share_percent=Decimal(share),
                                   attributed_at=closed - dt.timedelta(days=5))
    deal = factories.DealFactory(language="en", lead=lead, stage=DealStage.CLOSED_WON, closed_at=closed, plan=plan,
                                 value=Decimal(value))
    customer = factories.CustomerFactory(language="en", deal=deal, plan=plan, monthly_amount=Decimal(monthly),
                                         activated_at=closed)
    commissions.commissions_for_won_deal(deal.pk)
    return deal, customer


def pay(customer, period, amount="699.00", actor=None):
    return crm_services.payment_record(actor=actor, customer=customer, period=period, amount=Decimal(amount),
                                       paid_at=mid_month(period))


def deal_commission(deal, affiliate) -> Commission:
    return Commission.objects.get(deal=deal, affiliate=affiliate, kind=CommissionKind.DEAL)


# --- the rate table and the deal commission --------------------------------------------------------

TABLE = [
    (Tier.BRONZE, "starter", "15"), (Tier.BRONZE, "pro", "20"), (Tier.BRONZE, "enterprise", "25"),
    (Tier.SILVER, "starter", "17"), (Tier.SILVER, "pro", "22"), (Tier.SILVER, "enterprise", "27"),
    (Tier.GOLD, "starter", "19"), (Tier.GOLD, "pro", "24"), (Tier.GOLD, "enterprise", "29"),
    (Tier.PLATINUM, "starter", "22"), (Tier.PLATINUM, "pro", "27"), (Tier.PLATINUM, "enterprise", "32"),
]
DEALS_FOR_TIER = {Tier.BRONZE: 1, Tier.SILVER: 5, Tier.GOLD: 8, Tier.PLATINUM: 10}


@pytest.mark.parametrize("tier, plan, rate", TABLE)
def test_a_won_deal_earns_the_rate_of_its_plan_at_the_tier_the_months_deals_reached(
        tier, plan, rate, affiliate, staff, django_capture_on_commit_callbacks):
    this_month = months_ago(0)
    for _ in range(DEALS_FOR_TIER[tier] - 1):  # the month's earlier deals
        factories.CommissionFactory(affiliate=affiliate, period=this_month, status=CommissionStatus.PENDING)
    deal = referred_deal(affiliate, plan=plan, value="12345.67")

    close_won(deal, staff["manager"], django_capture_on_commit_callbacks)

    commission = deal_commission(deal, affiliate)
    assert commissions.commission_rate(tier=tier, plan=plan) == Decimal(rate)
    assert commission.rate == Decimal(rate) and commission.status == CommissionStatus.PENDING
    assert commission.amount == (Decimal("12345.67") * Decimal(rate) / 100).quantize(Decimal("0.01"),
                                                                                      rounding="ROUND_HALF_UP")
    assert commission.basis["tier"] == tier and commission.basis["plan"] == plan
    assert commission.basis["deals_in_month"] == DEALS_FOR_TIER[tier]


def test_the_amount_is_rounded_half_up_to_the_halala(affiliate, staff, django_capture_on_commit_callbacks):
    deal = referred_deal(affiliate, plan="pro", value="0.25")  # 0.25 × 20 % = 0.05 exactly; 0.33 → 0.066

    close_won(deal, staff["manager"], django_capture_on_commit_callbacks)
    assert deal_commission(deal, affiliate).amount == Decimal("0.05")

    other = referred_deal(affiliate, plan="starter", value="0.30")  # 0.30 × 15 % = 0.045 → 0.05 (half up)
    close_won(other, staff["manager"], django_capture_on_commit_callbacks)
    assert deal_commission(other, affiliate).amount == Decimal("0.05")


def test_the_basis_explains_every_riyal(affiliate, staff, django_capture_on_commit_callbacks):
    deal = referred_deal(affiliate, plan="enterprise", value="10000.00", share=50)
    factories.AffiliateDealFactory(affiliate=factories.AffiliateFactory(language="en", risk_score=0), lead=deal.lead,
                                   share_percent=Decimal("50"), attributed_at=timezone.now() - dt.timedelta(days=4))

    close_won(deal, staff["manager"], django_capture_on_commit_callbacks)

    commission = deal_commission(deal, affiliate)
    basis = commission.basis
    assert basis["revenue"] == "10000.00" and basis["share_percent"] == "50.00"
    assert basis["attributed_revenue"] == "5000.00" and basis["rate"] == "25" and basis["amount"] == "1250.00"
    assert commission.amount == Decimal("1250.00")
    customer = Customer.objects.get(deal=deal)
    assert basis["guarantee_ends"] == (customer.activated_at + dt.timedelta(days=30)).isoformat()
    assert basis["period"] == months_ago(0).isoformat() and basis["payment_id"] is None
    words = " ".join(commissions.basis_lines(commission))
    assert "SAR\xa010,000.00" in words and "50 %" in words and "SAR\xa05,000.00" in words
    assert "25 %" in words and "SAR\xa01,250.00" in words and "Enterprise" in words and "Bronze" in words


def test_an_agreed_rate_above_the_table_applies_and_one_below_does_not(staff, in_tenant_a,
                                                                      django_capture_on_commit_callbacks):
    generous = factories.AffiliateFactory(language="en", commission_rate=Decimal("30"), risk_score=0)
    stingy = factories.AffiliateFactory(language="en", commission_rate=Decimal("10"), risk_score=0)
    first, second = referred_deal(generous, plan="pro"), referred_deal(stingy, plan="pro")

    close_won(first, staff["manager"], django_capture_on_commit_callbacks)
    close_won(second, staff["manager"], django_capture_on_commit_callbacks)

    assert deal_commission(first, generous).rate == Decimal("30")
    assert deal_commission(first, generous).basis["rate_source"] == "agreed"
    assert deal_commission(second, stingy).rate == Decimal("20")


def test_a_trial_earns_no_commission_and_the_attribution_says_why(affiliate, staff,
                                                                  django_capture_on_commit_callbacks):
    deal = referred_deal(affiliate, plan="trial")

    close_won(deal, staff["manager"], django_capture_on_commit_callbacks)

    assert not Commission.objects.filter(deal=deal).exists()
    attribution = AffiliateDeal.objects.get(lead=deal.lead)
    assert attribution.status == AttributionStatus.CONFIRMED
    assert deal.title in attribution.note and attribution.commission_amount == 0


def test_a_trial_customers_payments_earn_nothing_either(affiliate, in_tenant_a):
    deal, customer = won_in(months_ago(2), affiliate, plan="trial")
    pay(customer, months_ago(1))

    result = commissions.run_monthly(months_ago(1))

    assert result["recurring"] == 0 and not Commission.objects.filter(deal=deal).exists()


def test_a_deal_without_a_plan_earns_once_its_plan_is_set_and_the_month_is_run(affiliate, in_tenant_a):
    deal, _customer = won_in(months_ago(1), affiliate, plan="")
    assert not Commission.objects.filter(deal=deal).exists()

    deal.plan = "starter"
    deal.save(update_fields=["plan"])
    result = commissions.run_monthly(months_ago(1))

    assert result["deal_commissions"] == 1
    assert deal_commission(deal, affiliate).rate == Decimal("15")


def test_closing_the_same_deal_twice_makes_one_commission(affiliate, staff, django_capture_on_commit_callbacks):
    deal = referred_deal(affiliate)
    close_won(deal, staff["manager"], django_capture_on_commit_callbacks)

    again = commissions.commissions_for_won_deal(deal.pk)

    assert [item.pk for item in again] == [deal_commission(deal, affiliate).pk]
    assert Commission.objects.filter(deal=deal).count() == 1


def test_a_split_deal_pays_each_affiliate_its_share(staff, in_tenant_a, django_capture_on_commit_callbacks):
    first = factories.AffiliateFactory(language="en", commission_rate=None, risk_score=0)
    second = factories.AffiliateFactory(language="en", commission_rate=None, risk_score=0)
    deal = referred_deal(first, plan="pro", value="1000.00", share=60)
    factories.AffiliateDealFactory(affiliate=second, lead=deal.lead, share_percent=Decimal("40"),
                                   attributed_at=timezone.now() - dt.timedelta(days=4))

    close_won(deal, staff["manager"], django_capture_on_commit_callbacks)

    assert deal_commission(deal, first).amount == Decimal("120.00")  # 600 × 20 %
    assert deal_commission(deal, second).amount == Decimal("80.00")  # 400 × 20 %


def test_a_suspended_affiliates_new_commission_starts_held(staff, in_tenant_a, django_capture_on_commit_callbacks):
    affiliate = factories.AffiliateFactory(language="en", commission_rate=None, risk_score=10)
    deal = referred_deal(affiliate)
    Affiliate.objects.filter(pk=affiliate.pk).update(status="suspended", status_reason="Lead spike")

    close_won(deal, staff["manager"], django_capture_on_commit_callbacks)

    commission = deal_commission(deal, affiliate)
    assert commission.held and "Lead spike" in commission.hold_reason


# --- the monthly run: tiers, recurring months, bonuses ---------------------------------------------

def test_the_monthly_run_settles_the_month_at_the_tier_all_its_deals_reached(affiliate, in_tenant_a):
    month = months_ago(1)
    deals = [won_in(month, affiliate, plan="pro")[0] for _ in range(5)]
    # Priced when won: the first four at bronze (20 %), the fifth at silver (22 %).
    assert [deal_commission(deal, affiliate).rate for deal in deals] == [Decimal(20)] * 4 + [Decimal(22)]

    result = commissions.run_monthly(month)

    assert result["repriced"] == 4
    for deal in deals:
        commission = deal_commission(deal, affiliate)
        assert commission.rate == Decimal("22") and commission.amount == Decimal("153.78")  # 699 × 22 %
        assert commission.basis["tier"] == Tier.SILVER and commission.basis["deals_in_month"] == 5
    affiliate.refresh_from_db()
    assert affiliate.tier == Tier.SILVER


def test_a_month_without_deals_puts_the_affiliate_back_to_bronze(in_tenant_a):
    affiliate = factories.AffiliateFactory(language="en", tier=Tier.GOLD, commission_rate=None, risk_score=0)

    result = commissions.run_monthly(months_ago(1))

    affiliate.refresh_from_db()
    assert affiliate.tier == Tier.BRONZE and result["tiers_changed"] >= 1
    entry = AuditLog.objects.get(entity_id=affiliate.pk)
    assert entry.changes["tier"] == ["gold", "bronze"]


@pytest.mark.parametrize("deals, bonus", [(4, None), (5, "500.00"), (9, "500.00"), (10, "1500.00"), (14, "1500.00"),
                                          (15, "3000.00"), (17, "3000.00")])
def test_the_monthly_bonus_is_the_highest_level_reached(deals, bonus, affiliate):
    month = months_ago(1)
    for _ in range(deals):
        factories.CommissionFactory(affiliate=affiliate, period=month)

    commissions.run_monthly(month)

    found = list(Commission.objects.filter(affiliate=affiliate, kind=CommissionKind.BONUS))
    if bonus is None:
        assert found == []
    else:
        [commission] = found
        assert commission.amount == Decimal(bonus) and commission.period == month and commission.deal is None
        assert commission.basis["deals_in_month"] == deals


def test_a_cancelled_deal_does_not_count_toward_the_bonus(affiliate):
    month = months_ago(1)
    for _ in range(4):
        factories.CommissionFactory(affiliate=affiliate, period=month)
    factories.CommissionFactory(affiliate=affiliate, period=month, status=CommissionStatus.CANCELLED)

    commissions.run_monthly(month)

    assert not Commission.objects.filter(affiliate=affiliate, kind=CommissionKind.BONUS).exists()


def test_each_later_monthly_payment_earns_a_recurring_commission(affiliate, in_tenant_a):
    deal, customer = won_in(months_ago(3), affiliate, plan="pro", value="699.00")
    for months in (3, 2, 1):
        pay(customer, months_ago(months))

    for months in (3, 2, 1):
        commissions.run_monthly(months_ago(months))

    recurring = Commission.objects.filter(deal=deal, kind=CommissionKind.RECURRING).order_by("period")
    # The first month's payment is what the deal commission was paid on; the next two earn.
    assert [(item.period, item.amount) for item in recurring] == [
        (months_ago(2), Decimal("139.80")), (months_ago(1), Decimal("139.80"))]
    payment = Payment.objects.get(customer=customer, period=months_ago(1))
    assert recurring.last().basis["payment_id"] == str(payment.pk)
    assert recurring.last().status == CommissionStatus.PENDING


def test_a_deal_worth_more_than_a_month_covers_the_payments_it_paid_for(affiliate, in_tenant_a):
    deal, customer = won_in(months_ago(3), affiliate, plan="pro", value="1000.00")
    for months in (3, 2, 1):
        pay(customer, months_ago(months))

    for months in (3, 2, 1):
        commissions.run_monthly(months_ago(months))

    recurring = list(Commission.objects.filter(deal=deal, kind=CommissionKind.RECURRING).order_by("period"))
    # Paid 699 + 699 against a 1,000 deal: 398 of the second payment earns; all of the third.
    assert [(item.period, item.amount) for item in recurring] == [
        (months_ago(2), Decimal("79.60")), (months_ago(1), Decimal("139.80"))]
    assert recurring[0].basis["revenue"] == "398.00" and recurring[0].basis["deal_covers"] == "1000.00"


def test_recurring_commissions_stop_the_month_after_cancellation(affiliate, in_tenant_a):
    deal, customer = won_in(months_ago(3), affiliate, plan="pro")
    for months in (3, 2, 1):
        pay(customer, months_ago(months))
    Customer.objects.filter(pk=customer.pk).update(cancelled_at=mid_month(months_ago(2)))

    for months in (3, 2, 1):
        commissions.run_monthly(months_ago(months))

    periods = list(Commission.objects.filter(deal=deal, kind=CommissionKind.RECURRING).values_list("period", flat=True))
    assert periods == [months_ago(2)]


def test_a_refunded_payment_earns_no_recurring_commission(affiliate, staff, in_tenant_a):
    deal, customer = won_in(months_ago(3), affiliate, plan="pro")
    pay(customer, months_ago(3))
    payment = pay(customer, months_ago(2))
    crm_services.payment_refund(actor=staff["admin"], payment=payment, reason="Charged twice")

    commissions.run_monthly(months_ago(2))

    assert not Commission.objects.filter(deal=deal, kind=CommissionKind.RECURRING).exists()


def test_running_the_month_twice_creates_nothing_new(affiliate, in_tenant_a):
    month = months_ago(1)
    for _ in range(5):
        _deal, customer = won_in(months_ago(2), affiliate, plan="starter")
        pay(customer, months_ago(2))
        pay(customer, month)
    for _ in range(5):
        won_in(month, affiliate, plan="enterprise")

    first = commissions.run_monthly(month)
    rows = sorted(Commission.objects.values_list("pk", "amount", "status", "rate"))
    audits = AuditLog.objects.count()
    second = commissions.run_monthly(month)

    assert first["recurring"] == 5 and first["bonuses"] == 1 and first["repriced"] == 4
    assert second == {**second, "deal_commissions": 0, "refunds_settled": 0, "repriced": 0, "tiers_changed": 0,
                      "recurring": 0, "bonuses": 0}
    assert sorted(Commission.objects.values_list("pk", "amount", "status", "rate")) == rows
    assert AuditLog.objects.count() == audits


def test_the_monthly_run_writes_an_audit_row_for_each_commission_it_creates(affiliate, in_tenant_a):
    _deal, customer = won_in(months_ago(2), affiliate)
    pay(customer, months_ago(2))
    pay(customer, months_ago(1))

    commissions.run_monthly(months_ago(1))

    recurring = Commission.objects.get(kind=CommissionKind.RECURRING)
    entry = AuditLog.objects.get(entity_id=recurring.pk)
    assert entry.action == "create" and entry.user is None and entry.changes["amount"] == [None, "139.80"]


# --- approval ----------------------------------------------------------------------------------------

def test_approval_is_refused_inside_the_guarantee_window(affiliate, staff, django_capture_on_commit_callbacks):
    deal = referred_deal(affiliate)
    close_won(deal, staff["manager"], django_capture_on_commit_callbacks)
    customer = Customer.objects.get(deal=deal)
    pay(customer, months_ago(0))
    commission = deal_commission(deal, affiliate)

    with pytest.raises(ValidationError) as refused:
        commissions.commission_approve(actor=staff["manager"], commission=commission)

    assert "guarantee window ends" in refused.value.messages[0]
    commission.refresh_from_db()
    assert commission.status == CommissionStatus.PENDING
    later = customer.activated_at + dt.timedelta(days=30, minutes=1)
    assert commissions.approvable(commission, now=later) == (True, "")



@pytest.mark.parametrize("days, arabic", [(1, "البالغة يومًا واحدًا"), (7, "البالغة 7 أيام"), (30, "البالغة 30 يومًا"),
                                          (100, "البالغة 100 يوم")])
def test_the_guarantee_window_is_told_in_arabic_with_its_number_of_days(affiliate, staff, in_tenant_a,
                                                                        django_capture_on_commit_callbacks, days,
                                                                        arabic):
    in_tenant_a.settings = {**(in_tenant_a.settings or {}), "rules": {"guarantee_days": days}}
    deal = referred_deal(affiliate)
    close_won(deal, staff["manager"], django_capture_on_commit_callbacks)
    pay(Customer.objects.get(deal=deal), months_ago(0))
    commission = deal_commission(deal, affiliate)

    with translation.override("ar"):
        ok, reason = commissions.approvable(commission)

    assert not ok and reason.startswith(f"تنتهي فترة ضمان العميل {arabic} في ")

def test_approval_needs_a_confirmed_payment(affiliate, staff, in_tenant_a):
    deal, customer = won_in(months_ago(2), affiliate)
    commission = deal_commission(deal, affiliate)

    ok, reason = commissions.approvable(commission)
    assert not ok and reason == "No payment from the customer has been recorded yet."

    payment = pay(customer, months_ago(2))
    assert commissions.approvable(commission) == (True, "")
    crm_services.payment_refund(actor=staff["admin"], payment=payment, reason="Card dispute")  # signal not sent yet
    ok, reason = commissions.approvable(commission)
    assert not ok and "was refunded" in reason


def test_a_manager_approves_once_the_window_passed_and_the_payment_is_confirmed(affiliate, staff, in_tenant_a):
    deal, customer = won_in(months_ago(2), affiliate)
    payment = pay(customer, months_ago(2))
    commission = deal_commission(deal, affiliate)

    approved = commissions.commission_approve(actor=staff["manager"], commission=commission)

    assert approved.status == CommissionStatus.APPROVED and approved.approved_by == staff["manager"]
    assert approved.approved_at is not None and approved.basis["payment_id"] == str(payment.pk)
    entry = AuditLog.objects.filter(entity_id=commission.pk, user=staff["manager"]).get()
    assert entry.changes["status"] == ["pending", "approved"]


def test_a_held_commission_is_not_approvable_until_released(affiliate, staff, in_tenant_a):
    deal, customer = won_in(months_ago(2), affiliate)
    pay(customer, months_ago(2))
    commission = commissions.commission_hold(actor=staff["manager"], commission=deal_commission(deal, affiliate),
                                             reason="Checking the customer's identity")

    ok, reason = commissions.approvable(commission)
    assert not ok and "Checking the customer's identity" in reason

    commissions.commission_release(actor=staff["manager"], commission=commission)
    commission.refresh_from_db()
    assert commissions.approvable(commission) == (True, "") and commission.hold_reason == ""
    changes = [entry.changes for entry in AuditLog.objects.filter(entity_id=commission.pk, user=staff["manager"])
               .order_by("created_at")]
    assert changes[0]["held"] == [False, True] and changes[1]["held"] == [True, False]


def test_a_hold_needs_a_reason(affiliate, staff, in_tenant_a):
    deal, _customer = won_in(months_ago(2), affiliate)

    with pytest.raises(ValidationError):
        commissions.commission_hold(actor=staff["manager"], commission=deal_commission(deal, affiliate), reason=" ")


@pytest.mark.parametrize("role", ["agent", "viewer"])
def test_agents_and_viewers_cannot_approve(role, affiliate, staff, in_tenant_a):
    deal, customer = won_in(months_ago(2), affiliate)
    pay(customer, months_ago(2))

    with pytest.raises(PermissionDenied):
        commissions.commission_approve(actor=staff[role], commission=deal_commission(deal, affiliate))
    with pytest.raises(PermissionDenied):
        commissions.commission_hold(actor=staff[role], commission=deal_commission(deal, affiliate), reason="x")


def test_a_manager_cannot_cancel_but_an_admin_can(affiliate, staff, in_tenant_a):
    deal, _customer = won_in(months_ago(2), affiliate)
    commission = deal_commission(deal, affiliate)

    with pytest.raises(PermissionDenied):
        commissions.commission_cancel(actor=staff["manager"], commission=commission, reason="Duplicate")
    cancelled = commissions.commission_cancel(actor=staff["admin"], commission=commission, reason="Duplicate")

    assert cancelled.status == CommissionStatus.CANCELLED and cancelled.basis["cancelled"]["reason"] == "Duplicate"
    entry = AuditLog.objects.get(entity_id=commission.pk, user=staff["admin"])
    assert entry.changes["status"] == ["pending", "cancelled"]


def test_a_bonus_waits_for_the_windows_of_the_deals_it_counts(affiliate, in_tenant_a):
    month = months_ago(0)
    for _ in range(5):
        won_in(month, affiliate)
    commissions.run_monthly(month)
    bonus = Commission.objects.get(affiliate=affiliate, kind=CommissionKind.BONUS)

    ok, reason = commissions.approvable(bonus, now=mid_month(month) + dt.timedelta(days=1))
    assert not ok and "guarantee window" in reason
    assert commissions.approvable(bonus, now=mid_month(month) + dt.timedelta(days=31)) == (True, "")


# --- refunds -----------------------------------------------------------------------------------------

def test_a_refund_inside_the_window_cancels_the_deal_commission(affiliate, staff, django_capture_on_commit_callbacks):
    deal = referred_deal(affiliate)
    close_won(deal, staff["manager"], django_capture_on_commit_callbacks)
    payment = pay(Customer.objects.get(deal=deal), months_ago(0), actor=staff["admin"])

    with django_capture_on_commit_callbacks(execute=True):
        crm_services.payment_refund(actor=staff["admin"], payment=payment, reason="Gold guarantee claim approved")

    commission = deal_commission(deal, affiliate)
    assert commission.status == CommissionStatus.CANCELLED
    assert commission.basis["cancelled"]["inside_window"] is True
    assert commission.basis["cancelled"]["payment_id"] == str(payment.pk)
    assert not Commission.objects.filter(kind=CommissionKind.CLAWBACK).exists()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED and payment.refunded_at is not None
    entry = AuditLog.objects.get(entity_id=payment.pk, user=staff["admin"], changes__has_key="reason")
    assert entry.changes["reason"] == "Gold guarantee claim approved"


def test_a_refund_of_a_later_month_cancels_only_that_months_commission(affiliate, staff, in_tenant_a,
                                                                      django_capture_on_commit_callbacks):
    deal, customer = won_in(months_ago(3), affiliate)
    pay(customer, months_ago(3))
    second = pay(customer, months_ago(2))
    pay(customer, months_ago(1))
    for months in (2, 1):
        commissions.run_monthly(months_ago(months))

    with django_capture_on_commit_callbacks(execute=True):
        crm_services.payment_refund(actor=staff["admin"], payment=second, reason="Paid by mistake")

    statuses = dict(Commission.objects.filter(deal=deal, kind=CommissionKind.RECURRING).values_list("period", "status"))
    assert statuses == {months_ago(2): CommissionStatus.CANCELLED, months_ago(1): CommissionStatus.PENDING}
    assert deal_commission(deal, affiliate).status == CommissionStatus.PENDING


def test_a_refund_after_payout_creates_a_clawback_for_the_next_payout(affiliate, staff, in_tenant_a,
                                                                      django_capture_on_commit_callbacks):
    deal, customer = won_in(months_ago(2), affiliate)
    payment = pay(customer, months_ago(2))
    commission = commissions.commission_approve(actor=staff["manager"], commission=deal_commission(deal, affiliate))
    payout = factories.PayoutFactory(affiliate=affiliate, completed=True, amount=commission.amount)
    Commission.objects.filter(pk=commission.pk).update(status=CommissionStatus.PAID, payout=payout)

    with django_capture_on_commit_callbacks(execute=True):
        crm_services.payment_refund(actor=staff["admin"], payment=payment, reason="Customer left after 40 days")

    commission.refresh_from_db()
    assert commission.status == CommissionStatus.PAID  # what was paid stays paid …
    clawback = Commission.objects.get(kind=CommissionKind.CLAWBACK)
    assert clawback.reverses == commission and clawback.amount == -commission.amount < 0  # … and is taken back
    assert clawback.affiliate == affiliate and clawback.status == CommissionStatus.APPROVED
    assert clawback.basis["inside_window"] is False and clawback.period == months_ago(0)
    assert AuditLog.objects.filter(entity_id=clawback.pk, action="create").exists()
    from affiliates.payouts import payable_commissions
    assert clawback in payable_commissions(months_ago(0))

    commissions.payment_refunded(payment.pk)  # the signal again, or the monthly run settling refunds
    assert Commission.objects.filter(kind=CommissionKind.CLAWBACK).count() == 1


def test_an_approved_commission_in_a_pending_payout_is_taken_out_and_cancelled_on_refund(
        affiliate, staff, in_tenant_a, django_capture_on_commit_callbacks):
    deal, customer = won_in(months_ago(2), affiliate)
    payment = pay(customer, months_ago(2))
    commission = commissions.commission_approve(actor=staff["manager"], commission=deal_commission(deal, affiliate))
    payout = factories.PayoutFactory(affiliate=affiliate, amount=commission.amount, status=PayoutStatus.PENDING)
    Commission.objects.filter(pk=commission.pk).update(payout=payout)

    with django_capture_on_commit_callbacks(execute=True):
        crm_services.payment_refund(actor=staff["admin"], payment=payment, reason="Refunded")

    commission.refresh_from_db()
    assert commission.status == CommissionStatus.CANCELLED and commission.payout is None
    assert not Commission.objects.filter(kind=CommissionKind.CLAWBACK).exists()


def test_only_admins_refund_a_payment_and_a_reason_is_needed(affiliate, staff, in_tenant_a):
    _deal, customer = won_in(months_ago(2), affiliate)
    payment = pay(customer, months_ago(2))

    with pytest.raises(PermissionDenied):
        crm_services.payment_refund(actor=staff["manager"], payment=payment, reason="x")
    with pytest.raises(ValidationError):
        crm_services.payment_refund(actor=staff["admin"], payment=payment, reason="")
    crm_services.payment_refund(actor=staff["admin"], payment=payment, reason="ok")
    with pytest.raises(ValidationError):
        crm_services.payment_refund(actor=staff["admin"], payment=payment, reason="again")


def test_a_payment_is_recorded_once_per_month_and_audited(affiliate, staff, in_tenant_a):
    _deal, customer = won_in(months_ago(2), affiliate)

    payment = crm_services.payment_record(actor=staff["admin"], customer=customer,
                                          period=months_ago(1) + dt.timedelta(days=14), amount="699")

    assert payment.period == months_ago(1) and payment.amount == Decimal("699.00")
    assert AuditLog.objects.get(entity_id=payment.pk).user == staff["admin"]
    with pytest.raises(ValidationError):
        crm_services.payment_record(actor=staff["admin"], customer=customer, period=months_ago(1), amount="699")
    with pytest.raises(ValidationError):
        crm_services.payment_record(actor=staff["admin"], customer=customer, period=months_ago(0), amount="0")
    with pytest.raises(PermissionDenied):
        crm_services.payment_record(actor=staff["agent"], customer=customer, period=months_ago(0), amount="1")


# --- holding everything (fraud) ----------------------------------------------------------------------

def test_hold_all_and_release_all_touch_only_what_can_still_be_paid(affiliate, staff, in_tenant_a):
    pending = factories.CommissionFactory(affiliate=affiliate)
    paid = factories.CommissionFactory(affiliate=affiliate, paid=True)
    own_hold = factories.CommissionFactory(affiliate=affiliate, held=True, hold_reason="Manager's own check")

    assert commissions.hold_all(affiliate=affiliate, reason="Risk score 85") == 1
    assert Commission.objects.get(pk=pending.pk).held and not Commission.objects.get(pk=paid.pk).held

    assert commissions.release_all(affiliate=affiliate, reason="Risk score 85") == 1
    assert not Commission.objects.get(pk=pending.pk).held
    assert Commission.objects.get(pk=own_hold.pk).held


# --- the staff page ----------------------------------------------------------------------------------

COMMISSIONS_URL = "/affiliates/commissions/"


def test_the_commissions_page_shows_each_commission_its_basis_in_words_and_the_totals(
        affiliate, people, client_for, in_tenant_a):
    deal, customer = won_in(months_ago(2), affiliate, plan="enterprise", value="2000.00")
    factories.CommissionFactory(affiliate=affiliate, approved=True, amount=Decimal("300.00"))

    response = client_for(people["manager"], language="en").get(COMMISSIONS_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert affiliate.full_name in page and deal.title in page
    assert "Won deal “%s”: value SAR\xa02,000.00." % deal.title in page
    assert "Rate 25 % from the commission table." in page and "SAR\xa0500.00" in page
    assert "No payment from the customer has been recorded yet." in page  # why it cannot be approved yet
    totals = {item["status"]: item for item in response.context["totals"]}
    assert totals["pending"]["total"] == Decimal("500.00") and totals["approved"]["total"] == Decimal("300.00")


def test_the_list_filters_by_status_kind_affiliate_month_and_hold(affiliate, people, client_for, in_tenant_a):
    other = factories.AffiliateFactory(language="en")
    pending = factories.CommissionFactory(affiliate=affiliate, period=months_ago(1))
    approved = factories.CommissionFactory(affiliate=affiliate, approved=True, period=months_ago(0))
    bonus = factories.CommissionFactory(affiliate=other, bonus=True, period=months_ago(1))
    held = factories.CommissionFactory(affiliate=other, held=True, hold_reason="Review", period=months_ago(0))
    client = client_for(people["manager"], language="en")

    def shown(**query):
        return {row["commission"].pk for row in client.get(COMMISSIONS_URL, query).context["rows"]}

    assert shown(status="approved") == {approved.pk}
    assert shown(kind="bonus") == {bonus.pk}
    assert shown(affiliate=str(affiliate.pk)) == {pending.pk, approved.pk}
    assert shown(period=months_ago(1).strftime("%Y-%m")) == {pending.pk, bonus.pk}
    assert shown(held="yes") == {held.pk}
    assert shown() == {pending.pk, approved.pk, bonus.pk, held.pk}


@pytest.mark.parametrize("role, status", [("agent", 403), ("affiliate", 403), ("viewer", 200), ("admin", 200)])
def test_who_may_see_the_commissions_page(role, status, people, client_for, in_tenant_a):
    assert client_for(people[role]).get(COMMISSIONS_URL).status_code == status


def test_a_viewer_sees_no_actions_and_may_not_approve(affiliate, people, client_for, in_tenant_a):
    deal, customer = won_in(months_ago(2), affiliate)
    pay(customer, months_ago(2))
    commission = deal_commission(deal, affiliate)
    client = client_for(people["viewer"], language="en")

    page = client.get(COMMISSIONS_URL).content.decode()
    response = client.post(f"{COMMISSIONS_URL}{commission.pk}/approve/")

    assert 'data-testid="approve"' not in page and response.status_code == 403
    commission.refresh_from_db()
    assert commission.status == CommissionStatus.PENDING


def test_a_manager_approves_from_the_page_and_gets_the_row_back(affiliate, people, client_for, in_tenant_a):
    deal, customer = won_in(months_ago(2), affiliate)
    pay(customer, months_ago(2))
    commission = deal_commission(deal, affiliate)

    response = client_for(people["manager"], language="en").post(f"{COMMISSIONS_URL}{commission.pk}/approve/",
                                                                  HTTP_HX_REQUEST="true")

    assert response.status_code == 200 and "Commission approved." in response.content.decode()
    assert f'id="commission-{commission.pk}"' in response.content.decode()
    commission.refresh_from_db()
    assert commission.status == CommissionStatus.APPROVED and commission.approved_by.email == people["manager"].email


def test_approving_too_early_from_the_page_says_why_and_changes_nothing(affiliate, people, client_for, staff,
                                                                       django_capture_on_commit_callbacks):
    deal = referred_deal(affiliate)
    close_won(deal, staff["manager"], django_capture_on_commit_callbacks)
    commission = deal_commission(deal, affiliate)

    response = client_for(people["manager"], language="en").post(f"{COMMISSIONS_URL}{commission.pk}/approve/",
                                                                  HTTP_HX_REQUEST="true")

    assert "guarantee window ends" in response.content.decode()
    commission.refresh_from_db()
    assert commission.status == CommissionStatus.PENDING


def test_holding_from_the_page_needs_a_reason(affiliate, people, client_for, in_tenant_a):
    commission = factories.CommissionFactory(affiliate=affiliate)
    client = client_for(people["manager"], language="en")

    refused = client.post(f"{COMMISSIONS_URL}{commission.pk}/hold/", {"reason": ""}, HTTP_HX_REQUEST="true")
    commission.refresh_from_db()
    assert "Give a reason." in refused.content.decode() and not commission.held

    client.post(f"{COMMISSIONS_URL}{commission.pk}/hold/", {"reason": "Same phone as the affiliate"})
    commission.refresh_from_db()
    assert commission.held and commission.hold_reason == "Same phone as the affiliate"


def test_a_manager_may_not_cancel_from_the_page_but_an_admin_may(affiliate, people, client_for, in_tenant_a):
    commission = factories.CommissionFactory(affiliate=affiliate)
    url = f"{COMMISSIONS_URL}{commission.pk}/cancel/"

    assert client_for(people["manager"]).post(url, {"reason": "Duplicate"}).status_code == 403
    response = client_for(people["admin"], language="en").post(url, {"reason": "Duplicate"})

    assert response.status_code == 302
    commission.refresh_from_db()
    assert commission.status == CommissionStatus.CANCELLED


def test_an_admin_refunds_the_payment_behind_a_commission_from_the_page(
        affiliate, people, client_for, in_tenant_a, django_capture_on_commit_callbacks):
    deal, customer = won_in(months_ago(2), affiliate)
    payment = pay(customer, months_ago(2))

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(people["admin"], language="en").post(
            f"{COMMISSIONS_URL}payments/{payment.pk}/refund/", {"reason": "Customer cancelled in week one"})

    assert response.status_code == 302
    assert deal_commission(deal, affiliate).status == CommissionStatus.CANCELLED
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.REFUNDED


def test_a_manager_settles_a_month_from_the_page(affiliate, people, client_for, in_tenant_a):
    _deal, customer = won_in(months_ago(2), affiliate)
    pay(customer, months_ago(2))
    pay(customer, months_ago(1))

    response = client_for(people["manager"], language="en").post(
        f"{COMMISSIONS_URL}run/", {"period": months_ago(1).strftime("%Y-%m")}, follow=True)

    assert "1 recurring" in response.content.decode()
    assert Commission.objects.filter(kind=CommissionKind.RECURRING, period=months_ago(1)).count() == 1
    run = AuditLog.objects.get(entity_type="affiliates.commission_run")
    assert run.user.email == people["manager"].email and run.changes["recurring"] == 1


def test_the_month_in_progress_cannot_be_settled_from_the_page(people, client_for, in_tenant_a):
    response = client_for(people["manager"], language="en").post(
        f"{COMMISSIONS_URL}run/", {"period": months_ago(0).strftime("%Y-%m")}, follow=True)

    assert "A month can be settled once it has ended." in response.content.decode()
    assert not AuditLog.objects.filter(entity_type="affiliates.commission_run").exists()


def test_a_commission_made_by_hand_says_it_has_no_basis(affiliate, in_tenant_a):
    commission = factories.CommissionFactory(affiliate=affiliate, amount=Decimal("250.00"), rate=Decimal("20"))

    assert commissions.basis_lines(commission) == [
        "Recorded without a basis (entered by hand or imported): SAR\xa0250.00 at 20 %."]


def test_another_tenants_commission_is_not_found(affiliate, people, client_for, in_tenant_a):
    from tests.conftest import TENANT_B, Person, _host
    commission = factories.CommissionFactory(affiliate=affiliate)
    owner_b = Person(role="owner", email="owner@b.test", schema="tenant_b", host=_host(TENANT_B))

    response = client_for(owner_b).post(f"{COMMISSIONS_URL}{commission.pk}/approve/")

    assert response.status_code == 404
    assert client_for(people["manager"]).post(
        f"{COMMISSIONS_URL}00000000-0000-4000-8000-000000000000/approve/").status_code == 404


def test_the_page_asks_as_many_queries_for_many_commissions_as_for_one(affiliate, people, client_for, in_tenant_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    client = client_for(people["admin"], language="en")

    def queries() -> int:
        client.get(COMMISSIONS_URL)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(COMMISSIONS_URL).status_code == 200
        return len(captured.captured_queries)

    _deal, customer = won_in(months_ago(2), affiliate)
    pay(customer, months_ago(2))
    pay(customer, months_ago(1))
    commissions.run_monthly(months_ago(1))
    few = queries()
    for _ in range(6):
        _deal, customer = won_in(months_ago(2), affiliate)
        pay(customer, months_ago(2))
        pay(customer, months_ago(1))
    commissions.run_monthly(months_ago(1))

    assert queries() == few
