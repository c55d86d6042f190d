"""Disputes (RULES.md §6): opened within 14 days of the statement, the amount frozen (and kept out of
payouts), decided with a written resolution within 5 business days, one appeal within 7 days."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from affiliates import disputes, payouts
from affiliates.choices import (AttributionStatus, CommissionKind, CommissionStatus, DisputeStatus, DisputeType,
                                PayoutMethod)
from affiliates.models import Commission, Dispute
from dealix.accounts.models import User
from dealix.core import sample_data
from tests.factories import AffiliateDealFactory, AffiliateFactory, CommissionFactory, DealFactory, month_start

pytestmark = pytest.mark.django_db

RIYADH = ZoneInfo("Asia/Riyadh")
LAST_MONTH = month_start(1)


@pytest.fixture
def manager(people, in_tenant_a):
    return User.objects.get(email=people["manager"].email)


@pytest.fixture
def admin(people, in_tenant_a):
    return User.objects.get(email=people["admin"].email)


@pytest.fixture
def affiliate(in_tenant_a):
    import random
    return AffiliateFactory(language="en", payout_method=PayoutMethod.BANK_TRANSFER,
                            iban=sample_data.saudi_iban(random.Random(3)), bank_name="Riyad Bank")


def commission_of(affiliate, amount="500.00", **fields):
    fields.setdefault("period", LAST_MONTH)
    fields.setdefault("status", CommissionStatus.APPROVED)
    if fields["status"] == CommissionStatus.APPROVED:
        fields.setdefault("approved_at", timezone.now())
    return CommissionFactory(language="en", affiliate=affiliate, amount=Decimal(amount), **fields)


def open_dispute(affiliate, commission, **extra):
    return disputes.dispute_open(actor=affiliate.user, affiliate=affiliate, type=DisputeType.COMMISSION,
                                 description="The set-up fee was left out of my revenue.", commission=commission,
                                 **extra)


def test_an_affiliate_disputes_their_commission_and_its_amount_is_frozen(affiliate):
    commission = commission_of(affiliate, "1677.60")

    dispute = open_dispute(affiliate, commission)

    commission.refresh_from_db()
    assert commission.status == CommissionStatus.DISPUTED
    assert dispute.status == DisputeStatus.OPEN and dispute.amount_frozen == Decimal("1677.60")
    assert dispute.description == "The set-up fee was left out of my revenue."


def test_the_decision_is_due_five_business_days_later_skipping_friday_and_saturday(affiliate):
    thursday = dt.datetime(2026, 11, 26, 10, 0, tzinfo=RIYADH)
    assert thursday.weekday() == 3
    commission = commission_of(affiliate)

    dispute = open_dispute(affiliate, commission, now=thursday)

    # Sunday 29, Monday 30, Tuesday 1, Wednesday 2, Thursday 3: due at the close of business.
    assert dispute.due_at.astimezone(RIYADH) == dt.datetime(2026, 12, 3, 17, 0, tzinfo=RIYADH)


def test_a_dispute_more_than_14_days_after_the_statement_is_refused(affiliate):
    paid = CommissionFactory(language="en", affiliate=affiliate, paid=True, amount=Decimal("800.00"),
                             period=month_start(2))
    completed = paid.payout.processed_at

    with pytest.raises(ValidationError) as refused:
        open_dispute(affiliate, paid, now=completed + dt.timedelta(days=14, minutes=1))
    assert refused.value.code == "window_closed"
    assert not Dispute.objects.filter(commission=paid).exists()

    dispute = open_dispute(affiliate, paid, now=completed + dt.timedelta(days=13))
    assert dispute.amount_frozen == 0  # paid already: nothing left to freeze
    paid.refresh_from_db()
    assert paid.status == CommissionStatus.PAID



@pytest.mark.parametrize("window, arabic", [
    (1, "يُفتح الاعتراض خلال يوم واحد من تاريخ كشف الحساب"),
    (2, "يُفتح الاعتراض خلال يومين من تاريخ كشف الحساب"),
    (3, "يُفتح الاعتراض خلال 3 أيام من تاريخ كشف الحساب"),
    (14, "يُفتح الاعتراض خلال 14 يومًا من تاريخ كشف الحساب"),
    (100, "يُفتح الاعتراض خلال 100 يوم من تاريخ كشف الحساب"),
])
def test_the_closed_dispute_window_is_told_in_arabic_with_its_number_of_days(affiliate, in_tenant_a, window, arabic):
    in_tenant_a.settings = {**(in_tenant_a.settings or {}), "rules": {"dispute_window_days": window}}
    paid = CommissionFactory(language="en", affiliate=affiliate, paid=True, amount=Decimal("800.00"),
                             period=month_start(2))

    with translation.override("ar"), pytest.raises(ValidationError) as refused:
        open_dispute(affiliate, paid, now=paid.payout.processed_at + dt.timedelta(days=window, minutes=1))

    assert refused.value.messages == [f"{arabic}، وقد انقضت هذه المدة."]

def test_an_unpaid_commission_may_be_disputed_until_14_days_after_its_month_ends(affiliate):
    commission = commission_of(affiliate, status=CommissionStatus.PENDING, period=month_start(3))
    created = dt.datetime.combine(month_start(3) + dt.timedelta(days=3), dt.time(11), tzinfo=RIYADH)
    Commission.objects.filter(pk=commission.pk).update(created_at=created)
    commission.refresh_from_db()
    month_end = dt.datetime.combine(month_start(2), dt.time.min, tzinfo=RIYADH)

    with pytest.raises(ValidationError):
        open_dispute(affiliate, commission, now=month_end + dt.timedelta(days=15))
    assert open_dispute(affiliate, commission, now=month_end + dt.timedelta(days=13)).amount_frozen == Decimal("500.00")


def test_a_frozen_amount_is_left_out_of_the_payout(affiliate, manager):
    kept = commission_of(affiliate, "300.00")
    disputed = commission_of(affiliate, "900.00")
    open_dispute(affiliate, disputed)

    [payout] = payouts.build_payouts(actor=manager)

    assert payout.amount == Decimal("300.00") and list(payout.commissions.all()) == [kept]


def test_disputing_a_commission_in_a_payout_not_yet_sent_takes_it_out_of_the_payout(affiliate, manager):
    commission_of(affiliate, "300.00")
    disputed = commission_of(affiliate, "900.00")
    [payout] = payouts.build_payouts(actor=manager)
    assert payout.amount == Decimal("1200.00")

    open_dispute(affiliate, disputed)

    payout.refresh_from_db()
    disputed.refresh_from_db()
    assert payout.amount == Decimal("300.00") and disputed.payout is None
    assert disputed.status == CommissionStatus.DISPUTED


def test_a_decision_needs_a_written_resolution(affiliate, manager):
    dispute = open_dispute(affiliate, commission_of(affiliate))

    with pytest.raises(ValidationError) as refused:
        disputes.dispute_resolve(actor=manager, dispute=dispute, resolution="   ", uphold=False)

    assert "resolution" in refused.value.message_dict
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN and dispute.resolved_at is None


def test_a_rejected_dispute_puts_the_commission_back_as_it_was(affiliate, manager):
    approved = commission_of(affiliate)
    pending = commission_of(affiliate, status=CommissionStatus.PENDING)
    first, second = open_dispute(affiliate, approved), open_dispute(affiliate, pending)

    disputes.dispute_resolve(actor=manager, dispute=first, resolution="The fee is not commissionable.", uphold=False)
    disputes.dispute_resolve(actor=manager, dispute=second, resolution="As the policy says.", uphold=False)

    approved.refresh_from_db()
    pending.refresh_from_db()
    first.refresh_from_db()
    assert approved.status == CommissionStatus.APPROVED and pending.status == CommissionStatus.PENDING
    assert first.status == DisputeStatus.RESOLVED and first.resolved_by == manager and first.resolved_at
    assert first.resolution == "The fee is not commissionable."


def test_an_upheld_dispute_adjusts_or_cancels_the_commission(affiliate, manager):
    adjusted, cancelled = commission_of(affiliate, "500.00"), commission_of(affiliate, "700.00")
    first, second = open_dispute(affiliate, adjusted), open_dispute(affiliate, cancelled)

    disputes.dispute_resolve(actor=manager, dispute=first, resolution="The set-up fee counts.", uphold=True,
                             amount=Decimal("587.50"))
    disputes.dispute_resolve(actor=manager, dispute=second, resolution="Booked twice.", uphold=True, cancel=True)

    adjusted.refresh_from_db()
    cancelled.refresh_from_db()
    assert adjusted.status == CommissionStatus.APPROVED and adjusted.amount == Decimal("587.50")
    assert adjusted.basis["adjusted"] == {"from": "500.00", "to": "587.50", "dispute": str(first.pk)}
    assert cancelled.status == CommissionStatus.CANCELLED


def test_an_upheld_dispute_about_a_paid_commission_pays_the_difference_next_time(affiliate, manager):
    paid = CommissionFactory(language="en", affiliate=affiliate, paid=True, amount=Decimal("500.00"),
                             period=LAST_MONTH)
    dispute = open_dispute(affiliate, paid)

    disputes.dispute_resolve(actor=manager, dispute=dispute, resolution="Pro plan rate applies.", uphold=True,
                             amount=Decimal("600.00"))

    correction = Commission.objects.get(basis__correction_of=str(paid.pk))
    assert correction.amount == Decimal("100.00") and correction.status == CommissionStatus.APPROVED
    assert correction in payouts.payable_commissions()


def test_an_attribution_dispute_freezes_the_commission_and_the_attribution(affiliate, manager):
    deal = DealFactory(language="en", won=True)
    attribution = AffiliateDealFactory(language="en", affiliate=affiliate, lead=deal.lead, deal=deal,
                                       status=AttributionStatus.CONFIRMED)
    commission = commission_of(affiliate, deal=deal)

    dispute = disputes.dispute_open(actor=affiliate.user, affiliate=affiliate, type=DisputeType.ATTRIBUTION,
                                    description="My share should be 100 %.", attribution=attribution)

    attribution.refresh_from_db()
    assert dispute.commission == commission and attribution.status == AttributionStatus.DISPUTED
    disputes.dispute_resolve(actor=manager, dispute=dispute, resolution="The split stands.", uphold=False)
    attribution.refresh_from_db()
    commission.refresh_from_db()
    assert attribution.status == AttributionStatus.CONFIRMED and commission.status == CommissionStatus.APPROVED



def test_a_referral_not_yet_won_can_be_disputed_and_the_decision_puts_it_back(affiliate, manager, client_for,
                                                                             people):
    from crm.models import Lead
    lead = Lead.objects.create(full_name="Hessa Al-Qahtani", company_name="Qahtani Clinics")
    attribution = AffiliateDealFactory(language="en", affiliate=affiliate, lead=lead, deal=None,
                                       status=AttributionStatus.PENDING)

    dispute = disputes.dispute_open(actor=affiliate.user, affiliate=affiliate, type=DisputeType.ATTRIBUTION,
                                    description="I introduced this clinic first.", attribution=attribution)

    attribution.refresh_from_db()
    assert dispute.commission is None and dispute.attribution == attribution
    assert attribution.status == AttributionStatus.DISPUTED
    page = client_for(people["manager"], language="en").get(reverse("affiliates:dispute", args=[dispute.pk]))
    assert 'data-testid="dispute-referral"' in page.content.decode() and "Hessa Al-Qahtani" in page.content.decode()

    decided = disputes.dispute_resolve(actor=manager, dispute=dispute, resolution="You were first: it is yours.",
                                       uphold=True)

    attribution.refresh_from_db()
    assert decided.status == DisputeStatus.RESOLVED and attribution.status == AttributionStatus.PENDING
    appeal = disputes.dispute_appeal(actor=affiliate.user, dispute=decided, description="And the share?")
    assert appeal.attribution == attribution


@pytest.mark.parametrize("window, arabic", [(3, "خلال 3 أيام"), (11, "خلال 11 يومًا")])
def test_the_closed_appeal_window_is_told_in_arabic_with_its_number_of_days(affiliate, manager, in_tenant_a,
                                                                            window, arabic):
    in_tenant_a.settings = {**(in_tenant_a.settings or {}), "rules": {"appeal_window_days": window}}
    dispute = disputes.dispute_resolve(actor=manager, dispute=open_dispute(affiliate, commission_of(affiliate)),
                                       resolution="Rejected.", uphold=False)

    with translation.override("ar"), pytest.raises(ValidationError) as late:
        disputes.dispute_appeal(actor=affiliate.user, dispute=dispute, description="Please look again.",
                                now=dispute.resolved_at + dt.timedelta(days=window, minutes=1))

    assert late.value.messages == [f"يُقدَّم الاستئناف {arabic} من تاريخ القرار، وقد انقضت هذه المدة."]

def test_one_appeal_within_seven_days_of_the_decision(affiliate, manager):
    commission = commission_of(affiliate)
    dispute = open_dispute(affiliate, commission)
    dispute = disputes.dispute_resolve(actor=manager, dispute=dispute, resolution="Rejected.", uphold=False)

    with pytest.raises(ValidationError) as late:
        disputes.dispute_appeal(actor=affiliate.user, dispute=dispute, description="Please look again.",
                                now=dispute.resolved_at + dt.timedelta(days=7, minutes=1))
    assert late.value.code == "appeal_window_closed"

    appeal = disputes.dispute_appeal(actor=affiliate.user, dispute=dispute, description="Please look again.",
                                     now=dispute.resolved_at + dt.timedelta(days=6))
    commission.refresh_from_db()
    assert appeal.appeal_of == dispute and appeal.status == DisputeStatus.OPEN
    assert commission.status == CommissionStatus.DISPUTED and appeal.amount_frozen == Decimal("500.00")

    with pytest.raises(ValidationError) as again:
        disputes.dispute_appeal(actor=affiliate.user, dispute=dispute, description="And again.")
    assert again.value.code == "already_appealed"
    appeal = disputes.dispute_resolve(actor=manager, dispute=appeal, resolution="Upheld on appeal.", uphold=True)
    with pytest.raises(ValidationError) as final:
        disputes.dispute_appeal(actor=affiliate.user, dispute=appeal, description="Once more.")
    assert final.value.code == "appeal_of_appeal"


def test_an_undecided_dispute_cannot_be_appealed(affiliate):
    dispute = open_dispute(affiliate, commission_of(affiliate))
    with pytest.raises(ValidationError):
        disputes.dispute_appeal(actor=affiliate.user, dispute=dispute, description="Too early.")


def test_a_commission_has_one_open_dispute_at_a_time(affiliate):
    commission = commission_of(affiliate)
    open_dispute(affiliate, commission)
    with pytest.raises(ValidationError):
        open_dispute(affiliate, commission)


def test_only_the_affiliate_disputes_their_own_commissions(affiliate, manager, people):
    other = AffiliateFactory(language="en")
    theirs = commission_of(other)

    with pytest.raises(Commission.DoesNotExist):
        open_dispute(affiliate, theirs)
    with pytest.raises(PermissionDenied):
        disputes.dispute_open(actor=manager, affiliate=affiliate, type=DisputeType.COMMISSION, description="x",
                              commission=commission_of(affiliate))
    with pytest.raises(PermissionDenied):
        disputes.dispute_open(actor=other.user, affiliate=affiliate, type=DisputeType.COMMISSION, description="x",
                              commission=commission_of(affiliate))


def test_managers_decide_and_an_escalated_dispute_goes_to_an_admin(affiliate, manager, admin, people):
    agent = User.objects.get(email=people["agent"].email)
    dispute = open_dispute(affiliate, commission_of(affiliate))

    with pytest.raises(PermissionDenied):
        disputes.dispute_resolve(actor=agent, dispute=dispute, resolution="No.", uphold=False)
    with pytest.raises(PermissionDenied):
        disputes.dispute_resolve(actor=affiliate.user, dispute=dispute, resolution="Mine.", uphold=True)
    with pytest.raises(ValidationError):
        disputes.dispute_escalate(actor=manager, dispute=dispute, reason="")
    disputes.dispute_escalate(actor=manager, dispute=dispute, reason="A commission error across the month.")
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.ESCALATED
    assert disputes.escalation_reason(dispute) == "A commission error across the month."

    with pytest.raises(PermissionDenied):
        disputes.dispute_resolve(actor=manager, dispute=dispute, resolution="Upheld.", uphold=True)
    resolved = disputes.dispute_resolve(actor=admin, dispute=dispute, resolution="Upheld by the admin.", uphold=True)
    assert resolved.status == DisputeStatus.RESOLVED and resolved.resolved_by == admin


# --- the staff pages ----------------------------------------------------------------------------------

def test_the_queue_lists_disputes_by_due_date_with_the_overdue_ones_marked(client_for, people, affiliate):
    late = open_dispute(affiliate, commission_of(affiliate, "111.00"))
    Dispute.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(hours=2))
    open_dispute(affiliate, commission_of(affiliate, "222.00"))

    response = client_for(people["manager"], language="en").get(reverse("affiliates:disputes"))

    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('data-testid="dispute-row"') == 2 and body.count('data-overdue="1"') == 1
    assert body.index("111.00") < body.index("222.00")  # the one due first comes first
    assert "Overdue" in body


def test_the_resolve_form_refuses_a_decision_without_a_resolution(client_for, people, affiliate):
    dispute = open_dispute(affiliate, commission_of(affiliate))
    client = client_for(people["manager"], language="en")

    response = client.post(reverse("affiliates:dispute_resolve", args=[dispute.pk]),
                           {"outcome": "reject", "resolution": ""})

    assert response.status_code == 400 and "This field is required" in response.content.decode()
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN

    response = client.post(reverse("affiliates:dispute_resolve", args=[dispute.pk]),
                           {"outcome": "adjust", "amount": "650.00", "resolution": "The fee counts."})
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.RESOLVED and dispute.commission.amount == Decimal("650.00")


def test_affiliates_and_agents_do_not_reach_the_staff_disputes_pages(client_for, people, affiliate):
    dispute = open_dispute(affiliate, commission_of(affiliate))
    for role in ("affiliate", "agent"):
        client = client_for(people[role], language="en")
        assert client.get(reverse("affiliates:disputes")).status_code in (403, 404)
        assert client.post(reverse("affiliates:dispute_resolve", args=[dispute.pk]),
                           {"outcome": "restore", "resolution": "Mine."}).status_code in (403, 404)
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN


def test_a_clawback_correction_is_an_admins_decision(affiliate, manager, admin):
    paid = CommissionFactory(language="en", affiliate=affiliate, paid=True, amount=Decimal("500.00"),
                             period=LAST_MONTH)
    dispute = open_dispute(affiliate, paid)

    with pytest.raises(PermissionDenied):
        disputes.dispute_resolve(actor=manager, dispute=dispute, resolution="Overpaid.", uphold=True,
                                 amount=Decimal("400.00"))
    disputes.dispute_resolve(actor=admin, dispute=dispute, resolution="Overpaid.", uphold=True,
                             amount=Decimal("400.00"))
    clawback = Commission.objects.get(kind=CommissionKind.CLAWBACK, reverses=paid)
    assert clawback.amount == Decimal("-100.00")


def test_managers_hear_of_a_new_dispute_and_the_affiliate_of_the_decision(affiliate, manager,
                                                                          django_capture_on_commit_callbacks):
    from dealix.core.models import Notification
    with django_capture_on_commit_callbacks(execute=True):
        dispute = open_dispute(affiliate, commission_of(affiliate))
    told = Notification.objects.filter(user=manager, type="dispute", channel="in_app")
    assert told.count() == 1 and affiliate.full_name in told.get().title
    assert told.get().url == reverse("affiliates:dispute", args=[dispute.pk])

    with django_capture_on_commit_callbacks(execute=True):
        disputes.dispute_resolve(actor=manager, dispute=dispute, resolution="The set-up fee is not commissionable.",
                                 uphold=False)
    decided = Notification.objects.get(user=affiliate.user, type="dispute", channel="in_app")
    assert decided.title == "Your dispute was decided" and "set-up fee" in decided.body
    assert decided.url == reverse("affiliates:portal_disputes")
