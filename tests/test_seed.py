"""The demo seed (`make demo`) and the benchmark seed (`manage.py seed_bench`) leave data a person can
believe and the models accept: every status and stage present, every row valid, consent before every
outbound message, messages and meetings as the services write them, and nothing duplicated when run
again."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.utils import timezone, translation

from affiliates.attribution import expire_attributions
from affiliates.choices import AttributionStatus, CommissionStatus, PayoutStatus
from affiliates.commissions import commission_rate, money, month_of
from affiliates.models import (Affiliate, AffiliateDeal, AffiliatePerformance, Commission, Dispute, Payout,
                               PolicyAcceptance, RiskSignal)
from affiliates.performance import add_months
from compliance.models import Complaint, Consent, GuaranteeClaim, Policy
from crm.bookings import prompt_meeting_outcomes, send_booking_reminders
from crm.choices import (BookingStatus, DealStage, Direction, LeadStatus, MessagePurpose, MessageReason, MessageStatus,
                         PaymentStatus)
from crm.models import (Activity, AutoBooking, Call, Company, Contact, Customer, Deal, Lead, Message, Payment,
                        Proposal, Prospect, Scorecard, Template)
from crm.scoring import score_for
from crm.standard_templates import STANDARD_TEMPLATES
from crm.templating import variables_in
from dealix.accounts.models import User
from dealix.core.iban import validate_saudi_iban
from dealix.tenancy.demo import seed_demo_business
from dealix.tenancy.rules import current_rules
from knowledge.models import KnowledgeArticle, SectorAsset

pytestmark = pytest.mark.django_db

DEMO_MODELS = (Company, Contact, Lead, Deal, Customer, Payment, Proposal, Activity, Call, Message, AutoBooking,
               Template, Prospect, Scorecard, Affiliate, AffiliateDeal, AffiliatePerformance, Commission, Payout,
               Dispute, PolicyAcceptance, RiskSignal, Consent, Complaint, GuaranteeClaim, Policy, KnowledgeArticle,
               SectorAsset)


def counts(models) -> dict:
    return {model.__name__: model.objects.count() for model in models}


def assert_every_row_valid(model, queryset=None):
    """full_clean: field validators (phones, IBANs, e-mails, choices), foreign keys and every constraint."""
    for obj in (queryset if queryset is not None else model.objects.all()):
        obj.full_clean()


@pytest.fixture
def demo_people(people, in_tenant_a):
    roles = ("owner", "admin", "manager", "agent", "affiliate", "viewer")
    return {role: User.objects.get(email=people[role].email) for role in roles}


@pytest.fixture
def seeded(in_tenant_a, demo_people):
    assert seed_demo_business(tenant=in_tenant_a, people=demo_people, language="ar") is True
    return in_tenant_a


def test_the_demo_has_every_lead_status_and_deal_stage_and_the_programme_around_them(seeded):
    assert set(Lead.objects.values_list("status", flat=True)) == set(LeadStatus.values)
    assert set(Deal.objects.values_list("stage", flat=True)) == set(DealStage.values)
    assert Payout.objects.filter(status=PayoutStatus.COMPLETED).exists()
    assert Complaint.objects.exists() and GuaranteeClaim.objects.exists()
    assert KnowledgeArticle.objects.filter(is_published=True).exists()
    # No story refunds or cancels anything, so every commission status but "cancelled" is there.
    assert {"pending", "approved", "paid", "disputed"} <= set(Commission.objects.values_list("status", flat=True))
    assert Commission.objects.filter(status="pending", held=True).exists()
    assert Dispute.objects.exists() and SectorAsset.objects.exists() and Scorecard.objects.exists()
    assert set(Policy.objects.filter(is_active=True).values_list("type", flat=True)) == {
        "commission", "guarantee", "refund", "compliance", "privacy", "affiliate_rules"}
    assert Template.objects.filter(language="ar").exists() and Template.objects.filter(language="en").exists()


def test_seeding_twice_creates_nothing_new(seeded, demo_people):
    before = counts(DEMO_MODELS + (User,))
    assert seed_demo_business(tenant=seeded, people=demo_people, language="ar") is False
    assert counts(DEMO_MODELS + (User,)) == before


def test_every_seeded_row_passes_its_model_validation_and_constraints(seeded):
    for model in DEMO_MODELS:
        assert_every_row_valid(model)


def test_leads_follow_the_scoring_rules_and_their_life_cycle(seeded, demo_people):
    rules = current_rules()
    for lead in Lead.objects.all():
        assert lead.score == sum(lead.score_breakdown.values()) == score_for(lead, rules).total
        assert lead.search_text == lead.build_search_text()
        assert lead.assigned_to in (demo_people["agent"], demo_people["manager"])
        assert (lead.qualified_at is not None) == (lead.status in (LeadStatus.QUALIFIED, LeadStatus.CONVERTED))
        assert (lead.converted_at is not None) == (lead.status == LeadStatus.CONVERTED)
        assert lead.deals.exists() == (lead.status == LeadStatus.CONVERTED)
        if lead.status == LeadStatus.LOST:
            assert lead.lost_reason
        if lead.converted_at:
            assert lead.created_at <= lead.qualified_at <= lead.converted_at
    assert {band for band in (rules.band(score) for score in Lead.objects.values_list("score", flat=True))} == {
        "hot", "warm", "cold"}


def test_deals_carry_their_stage_probability_and_closing_facts(seeded):
    rules = current_rules()
    for deal in Deal.objects.all():
        assert deal.probability == rules.stage_probability[deal.stage]
        assert (deal.closed_at is not None) == (deal.stage in (DealStage.CLOSED_WON, DealStage.CLOSED_LOST))
        assert Customer.objects.filter(deal=deal).exists() == (deal.stage == DealStage.CLOSED_WON)
        assert deal.value > 0


def test_no_outbound_message_without_granted_consent_at_the_time(seeded):
    outbound = Message.objects.filter(direction=Direction.OUTBOUND).exclude(
        purpose=MessagePurpose.OPT_OUT_CONFIRMATION)
    assert outbound.exists()
    for message in outbound:
        latest = (Consent.objects.filter(contact=message.contact, channel=message.channel,
                                         created_at__lte=message.created_at).order_by("-created_at").first())
        allowed = latest is not None and latest.status == "granted"
        if message.status == MessageStatus.FAILED:
            assert not allowed and message.reason_code == MessageReason.NO_CONSENT and message.failure_reason
        else:
            assert allowed, f"{message.channel} to {message.contact} without consent"
    assert Message.objects.filter(status=MessageStatus.FAILED).count() == 1
    confirmation = Message.objects.get(purpose=MessagePurpose.OPT_OUT_CONFIRMATION)
    assert confirmation.template.key == "opt_out_confirmation"
    assert Consent.objects.filter(contact=confirmation.contact, channel=confirmation.channel, status="revoked",
                                  created_at__lte=confirmation.created_at).exists()
    assert {"whatsapp", "email", "sms"} <= set(Message.objects.values_list("channel", flat=True))
    assert set(Message.objects.values_list("direction", flat=True)) == {"inbound", "outbound"}
    assert set(Contact.objects.values_list("consent_status", flat=True)) == {"granted", "revoked", "pending"}


def test_demo_messages_are_the_standard_templates_filled_in_or_an_agents_own_words(seeded):
    standard = {spec["key"] for spec in STANDARD_TEMPLATES}
    assert set(Template.objects.values_list("key", flat=True)) == standard
    templated = Message.objects.filter(template__isnull=False).select_related("template")
    assert {"welcome", "meeting_confirmation", "meeting_reminder", "meeting_invitation", "opt_out_confirmation",
            "no_show_recovery"} <= {message.template.key for message in templated}
    for message in templated:
        assert message.template.type == message.channel and message.direction == Direction.OUTBOUND
    for message in Message.objects.filter(direction=Direction.OUTBOUND):
        assert not variables_in(message.content) and not variables_in(message.subject), message.content
    typed = Message.objects.filter(direction=Direction.OUTBOUND, template__isnull=True)
    assert typed.exists() and all(message.purpose == MessagePurpose.MANUAL for message in typed)


def test_free_whatsapp_text_goes_only_within_a_day_of_the_contacts_last_whatsapp(seeded):
    free_text = Message.objects.filter(direction=Direction.OUTBOUND, channel="whatsapp").exclude(
        status=MessageStatus.FAILED).exclude(template__approved=True)
    assert free_text.exists()
    for message in free_text:
        assert Message.objects.filter(contact=message.contact, channel="whatsapp", direction=Direction.INBOUND,
                                      created_at__lte=message.created_at,
                                      created_at__gte=message.created_at - dt.timedelta(hours=24)).exists()


def test_messages_say_why_they_were_written_where_they_went_and_what_became_of_them(seeded, demo_people):
    assert {MessagePurpose.WELCOME, MessagePurpose.BOOKING_CONFIRMATION, MessagePurpose.BOOKING_REMINDER,
            MessagePurpose.NO_SHOW, MessagePurpose.OPT_OUT_CONFIRMATION, MessagePurpose.REPLY,
            MessagePurpose.MANUAL} <= set(Message.objects.values_list("purpose", flat=True))
    for message in Message.objects.select_related("contact", "lead"):
        contact = message.contact
        assert message.to_address == {"email": contact.email, "whatsapp": contact.whatsapp,
                                      "sms": contact.phone}[message.channel]
        if message.direction == Direction.INBOUND:
            assert message.purpose == MessagePurpose.REPLY and message.status == MessageStatus.DELIVERED
            assert message.sent_at == message.delivered_at == message.created_at
            continue
        if message.purpose == MessagePurpose.MANUAL:
            assert message.sent_by == message.lead.assigned_to
        else:
            assert message.sent_by is None
        if message.status == MessageStatus.FAILED:
            assert message.reason_code and message.failure_reason and not message.provider_message_id
        elif message.status == MessageStatus.QUEUED:  # written outside its channel's window, waiting for it
            assert message.reason_code == MessageReason.OUTSIDE_WINDOW and message.scheduled_for > timezone.now()
        else:  # the history went out through the providers; one provider id per message
            assert message.provider_message_id and not message.provider_message_id.startswith("outbox-")
            assert message.sent_at
            assert (message.delivered_at is not None) == (message.status in (MessageStatus.DELIVERED,
                                                                               MessageStatus.READ))
            assert (message.read_at is not None) == (message.status == MessageStatus.READ)
            assert message.created_at <= message.sent_at <= (message.delivered_at or message.sent_at)


def test_live_meetings_hold_their_agents_time_and_past_ones_are_closed(seeded):
    rules, now = current_rules(), timezone.now()
    meetings = list(AutoBooking.objects.select_related("contact"))
    assert {BookingStatus.CONFIRMED, BookingStatus.RESCHEDULED, BookingStatus.COMPLETED,
            BookingStatus.CANCELLED} <= {meeting.status for meeting in meetings}
    assert any(meeting.no_show and meeting.status == BookingStatus.COMPLETED for meeting in meetings)
    for meeting in meetings:
        assert meeting.contact is not None and meeting.contact.lead_id == meeting.lead_id
        assert meeting.duration_minutes == rules.meeting_minutes[meeting.meeting_type]
        if meeting.status in (BookingStatus.CONFIRMED, BookingStatus.RESCHEDULED):
            assert meeting.proposed_time > now and meeting.confirmed_time == meeting.proposed_time
            assert meeting.busy.lower == meeting.proposed_time
            assert meeting.busy.upper == meeting.proposed_time + dt.timedelta(
                minutes=meeting.duration_minutes + rules.meeting_buffer_minutes)
        else:
            assert meeting.busy is None
        if meeting.proposed_time < now:
            assert meeting.status in (BookingStatus.COMPLETED, BookingStatus.CANCELLED)
        if meeting.status == BookingStatus.COMPLETED:
            assert meeting.contact_reminded_24h_at and meeting.contact_reminded_1h_at and meeting.agent_reminded_at
        if meeting.status == BookingStatus.CANCELLED:
            assert meeting.cancel_reason
    # Nothing is due: no reminder for a meeting held long ago, no question about one nobody closed.
    assert send_booking_reminders() == 0 and prompt_meeting_outcomes() == 0


def test_times_spread_over_the_last_month_in_riyadh_working_hours(seeded):
    now = timezone.now()
    created = list(Lead.objects.values_list("created_at", flat=True))
    assert max(created) <= now and min(created) >= now - dt.timedelta(days=120)
    recent = [moment for moment in created if moment >= now - dt.timedelta(days=31)]
    assert len(recent) >= 0.8 * len(created)
    assert len({moment.date() for moment in recent}) >= 12
    riyadh = dt.timezone(dt.timedelta(hours=3))
    in_hours = [moment for moment in created if 9 <= moment.astimezone(riyadh).hour < 17]
    assert len(in_hours) >= len(created) - 2  # the evening WhatsApp lead shows the sending windows


def test_the_agent_has_tasks_due_today_and_overdue(seeded, demo_people):
    now = timezone.now()
    open_tasks = Activity.objects.filter(user=demo_people["agent"], type="task", completed_at__isnull=True)
    assert open_tasks.filter(scheduled_at__lt=now).exists()
    assert open_tasks.filter(scheduled_at__gte=now).exists()


def test_meetings_never_overlap_for_an_agent(seeded):
    meetings = list(AutoBooking.objects.exclude(status="cancelled").order_by("agent", "proposed_time"))
    for earlier, later in zip(meetings, meetings[1:]):
        if earlier.agent_id == later.agent_id:
            assert earlier.proposed_time + dt.timedelta(minutes=earlier.duration_minutes + 15) <= later.proposed_time


def test_the_partner_programme_adds_up(seeded, demo_people):
    active = Affiliate.objects.get(user=demo_people["affiliate"])
    assert active.status == "active" and active.referral_code
    # An approval makes the partner active at once, so "approved" is never left standing by the services.
    assert set(Affiliate.objects.values_list("status", flat=True)) == {"active", "suspended", "applied", "terminated"}
    payout = Payout.objects.get(status=PayoutStatus.COMPLETED)
    validate_saudi_iban(payout.iban)
    assert payout.iban == active.iban and payout.period == payout.period.replace(day=1)
    paid = Commission.objects.filter(payout=payout)
    assert paid.exists() and all(commission.status == CommissionStatus.PAID for commission in paid)
    assert payout.amount == sum(commission.amount for commission in paid)
    for commission in paid:
        assert commission.approved_at < payout.created_at < payout.processed_at
        assert AffiliateDeal.objects.get(deal=commission.deal, affiliate=active).status == AttributionStatus.PAID
    waiting = Commission.objects.get(affiliate=active, status=CommissionStatus.APPROVED)
    assert waiting.payout is None and waiting.approved_at > payout.created_at  # approved after the batch was built
    assert AffiliateDeal.objects.filter(deal__isnull=True).exists()
    assert AffiliatePerformance.objects.filter(affiliate=active, deals_closed__gt=0).exists()


def test_deals_and_customers_carry_their_plan_and_won_customers_pay_every_month(seeded):
    from crm.demo_content import PACKAGE_SHORT, pick
    for deal in Deal.objects.all():
        assert deal.plan in ("starter", "pro", "enterprise") and pick(PACKAGE_SHORT[deal.plan], "ar") in deal.title
    customers = Customer.objects.select_related("deal")
    assert customers.exists()
    now = timezone.now()
    for customer in customers:
        assert customer.plan == customer.deal.plan and customer.monthly_amount > 0
        payments = list(customer.payments.order_by("period"))
        assert payments and {payment.status for payment in payments} == {PaymentStatus.CONFIRMED}
        assert payments[0].period == month_of(customer.activated_at)
        for earlier, later in zip(payments, payments[1:]):
            assert later.period == add_months(earlier.period, 1) and earlier.paid_at < later.paid_at
        assert all(payment.paid_at <= now and payment.amount == customer.monthly_amount for payment in payments[1:])
        # The first month carries the one-off add-ons: a year of payments is the deal's value.
        assert abs(payments[0].amount + 11 * customer.monthly_amount - customer.deal.value) < 1
        assert payments[0].paid_at >= customer.activated_at


def test_attributions_hold_their_source_and_window_and_won_ones_name_their_deal(seeded):
    rules = current_rules()
    rows = list(AffiliateDeal.objects.select_related("deal", "lead"))
    assert {row.source for row in rows} == {"form", "portal"}
    for row in rows:
        negotiating = Deal.objects.filter(lead=row.lead, stage=DealStage.NEGOTIATION).exists()
        days = rules.attribution_days + (rules.negotiation_extension_days if negotiating else 0)
        assert row.expires_at - row.attributed_at == dt.timedelta(days=days)
        assert row.attributed_at == row.lead.created_at and row.lead.referral_code == row.affiliate.referral_code
        assert row.direct_interaction == (row.source == "portal")
        if Deal.objects.filter(lead=row.lead, stage=DealStage.CLOSED_WON).exists():
            assert row.status in (AttributionStatus.CONFIRMED, AttributionStatus.PAID)
            assert row.deal.lead == row.lead and row.attributed_revenue == row.deal.value
            commission = Commission.objects.get(deal=row.deal, affiliate=row.affiliate, kind="deal")
            assert row.commission_amount == commission.amount
        else:  # linked to a deal only once it is won
            assert row.status == AttributionStatus.PENDING and row.deal is None and row.expires_at > timezone.now()
    assert expire_attributions() == 0


def test_every_commission_carries_the_basis_the_engine_writes_and_explains_every_riyal(
        seeded, demo_people, django_capture_on_commit_callbacks):
    from affiliates.commissions import basis_lines
    from affiliates.statements import basis_in_words
    from crm import services as crm_services
    from tests import factories

    demo = list(Commission.objects.select_related("deal", "affiliate"))
    # The engine's own commission on a deal closed now, for a partner without referrals yet.
    newcomer = Affiliate.objects.get(status="active", attributions__isnull=True)
    lead = factories.LeadFactory(language="ar", converted=True)
    factories.AffiliateDealFactory(affiliate=newcomer, lead=lead, attributed_at=timezone.now() - dt.timedelta(days=3))
    deal = factories.DealFactory(language="ar", lead=lead, stage=DealStage.NEGOTIATION, plan="pro",
                                 value=Decimal("48000.00"))
    with django_capture_on_commit_callbacks(execute=True):
        crm_services.deal_move(actor=demo_people["manager"], deal=deal, stage=DealStage.CLOSED_WON)
    engine = Commission.objects.get(deal=deal)
    for commission in demo:
        assert set(commission.basis) == set(engine.basis), commission
        for key, value in engine.basis.items():
            assert None in (value, commission.basis[key]) or type(commission.basis[key]) is type(value), key
        basis = commission.basis
        assert basis["revenue"] == str(commission.deal.value) and basis["plan"] == commission.deal.plan
        assert Decimal(basis["rate"]) == commission.rate == commission_rate(tier=basis["tier"], plan=basis["plan"])
        assert commission.amount == money(Decimal(basis["attributed_revenue"]) * commission.rate / 100)
        customer = Customer.objects.get(deal=commission.deal)
        assert basis["guarantee_ends"] == (customer.activated_at + dt.timedelta(days=30)).isoformat()
        if commission.status in (CommissionStatus.APPROVED, CommissionStatus.PAID):  # the approval names it
            assert basis["payment_id"] == str(customer.payments.order_by("period").first().pk)
        else:
            assert basis["payment_id"] is None  # the payment is recorded after the commission
        with translation.override("en"):
            lines = basis_lines(commission)
            assert not lines[0].startswith("Recorded without a basis") and "×" in " ".join(lines)
            assert "×" in basis_in_words(commission)


def test_the_engines_and_jobs_find_nothing_left_to_do_in_the_demo(seeded):
    from affiliates.commissions import commissions_for_won_deal, run_monthly
    from affiliates.performance import compute_performance

    commissions = {commission.pk for commission in Commission.objects.all()}
    for deal in Deal.objects.filter(stage=DealStage.CLOSED_WON, attributions__isnull=False):
        assert {commission.pk for commission in commissions_for_won_deal(deal.pk)} <= commissions
    first = min(Commission.objects.values_list("period", flat=True))
    period, this_month = first, month_of(timezone.now())
    performance_months = set(AffiliatePerformance.objects.values_list("period", flat=True))
    assert performance_months and max(performance_months) == add_months(this_month, -1)
    while period <= this_month:
        result = run_monthly(period)
        assert {key: value for key, value in result.items() if key != "period" and value} == {}, period
        if period < this_month:
            assert compute_performance(period) == 0, period
        period = add_months(period, 1)
    assert {commission.pk for commission in Commission.objects.all()} == commissions


def test_a_manager_can_approve_one_commission_today_and_the_others_say_why_not(seeded, demo_people):
    from affiliates.commissions import approvable, commission_approve
    pending = list(Commission.objects.filter(status=CommissionStatus.PENDING).select_related("affiliate", "deal"))
    ready = [commission for commission in pending if approvable(commission)[0]]
    assert len(ready) == 1
    for commission in pending:
        if commission not in ready:
            assert approvable(commission)[1]
    approved = commission_approve(actor=demo_people["manager"], commission=ready[0])
    assert approved.status == CommissionStatus.APPROVED and approved.basis["payment_id"]


def test_the_suspended_partners_commission_is_held_by_their_self_referral_signal(seeded):
    from affiliates.fraud import describe, held_commissions, recompute_risk
    suspended = Affiliate.objects.get(status="suspended")
    assert suspended.status_reason and suspended.user is not None and not suspended.user.is_active
    signal = RiskSignal.objects.get(affiliate=suspended)
    assert signal.kind == "self_referral" and signal.reviewed_at is None
    assert signal.evidence == {"matched_on": ["phone"], "values": {"phone": [signal.lead.phone]}}
    assert signal.lead.phone == suspended.phone and describe(signal)
    held = held_commissions(suspended).get()
    assert held.status == CommissionStatus.PENDING and held.deal.lead == signal.lead
    assert suspended.status_reason in held.hold_reason
    assert recompute_risk(suspended, alert=False) == suspended.risk_score == signal.points


def test_the_open_dispute_is_inside_its_window_with_its_amount_frozen(seeded):
    from affiliates.disputes import dispute_deadline
    dispute = Dispute.objects.select_related("commission").get()
    assert dispute.status == "open" and dispute.type == "commission"
    assert dispute.commission.status == CommissionStatus.DISPUTED
    assert dispute.amount_frozen == dispute.commission.amount > 0
    assert dispute.created_at <= dispute_deadline(affiliate=dispute.affiliate, commission=dispute.commission,
                                                  now=dispute.created_at)
    assert dispute.created_at < timezone.now() < dispute.due_at


def test_partners_accepted_the_programme_policies_and_applications_carry_their_evaluation(seeded):
    from affiliates.applications import active_policies, evaluation_rows
    policies = active_policies()
    assert {policy.type for policy in policies} == {"commission", "affiliate_rules"}
    for affiliate in Affiliate.objects.all():
        evaluation = affiliate.evaluation
        assert {"scores", "score", "flags", "risk", "application", "acceptance"} <= set(evaluation)
        assert evaluation["acceptance"]["policies"] == {policy.type: str(policy.pk) for policy in policies}
        assert evaluation_rows(affiliate)["scores"]
        accepted = PolicyAcceptance.objects.filter(affiliate=affiliate)
        if affiliate.user_id:
            assert {acceptance.policy_id for acceptance in accepted} == {policy.pk for policy in policies}
            for acceptance in accepted:
                assert acceptance.accepted_at == dt.datetime.fromisoformat(evaluation["acceptance"]["at"])
                assert acceptance.policy.effective_from <= acceptance.accepted_at.date()
            assert affiliate.payout_method == "bank_transfer"
            validate_saudi_iban(affiliate.iban)
            assert evaluation["emailed"]["acceptance"]
        else:
            assert not accepted.exists()
    applicant = Affiliate.objects.get(status="applied")
    assert applicant.rejected_at is None and applicant.evaluation["score"] > 0
    rejected = Affiliate.objects.get(status="terminated")
    assert rejected.rejected_at and rejected.status_reason and "disposable_email" in rejected.evaluation["flags"]


def test_the_payout_statement_shows_what_was_paid_and_what_carries_over(seeded):
    from affiliates.statements import build_statement
    payout = Payout.objects.get(status=PayoutStatus.COMPLETED)
    with translation.override("en"):
        statement = build_statement(payout.affiliate, payout.period)
    assert statement.paid == payout.amount
    paid = statement.section("paid")
    assert paid and all("×" in line.basis for line in paid)
    assert any(line.carried_over for line in statement.lines)


def test_the_demo_partner_and_the_manager_see_the_programme_explained(seeded, people, client_for):
    from django.urls import reverse
    partner = client_for(people["affiliate"], language="en")
    for name in ("portal", "portal_commissions", "portal_payouts", "portal_disputes", "portal_policies",
                 "portal_referrals"):
        response = partner.get(reverse(f"affiliates:{name}"))
        assert response.status_code == 200, name
        assert "Recorded without a basis" not in response.content.decode()
    commissions = partner.get(reverse("affiliates:portal_commissions")).content.decode()
    assert "Guarantee window ends" in commissions and "×" in commissions
    manager = client_for(people["manager"], language="en")
    for name in ("index", "commissions", "payouts", "disputes", "risk", "leaderboard", "applications"):
        response = manager.get(reverse(f"affiliates:{name}"))
        assert response.status_code == 200, name
        assert "Recorded without a basis" not in response.content.decode()


# --- seed_bench ---------------------------------------------------------------------------------------

def test_seed_bench_writes_valid_volume_data_with_search_text(tenant_a):
    connection.set_tenant(tenant_a)
    before = counts((Lead, Contact, Company, Deal, Activity))
    connection.set_schema_to_public()

    call_command("seed_bench", tenant="tenant-a", leads=500, stdout=open("/dev/null", "w"))

    connection.set_tenant(tenant_a)
    after = counts((Lead, Contact, Company, Deal, Activity))
    assert after["Lead"] - before["Lead"] == 500
    for name in ("Contact", "Company", "Deal", "Activity"):
        assert after[name] > before[name], name
    rules = current_rules()
    leads = Lead.objects.filter(assigned_to__email__contains="@tenant-a.test")
    assert leads.count() == 500
    assert set(leads.values_list("status", flat=True)) == set(LeadStatus.values)
    assert leads.values("assigned_to").distinct().count() > 10
    for lead in leads:
        assert lead.search_text and lead.search_text == lead.build_search_text()
        assert lead.score == score_for(lead, rules).total
        lead.full_clean()
    deals = Deal.objects.filter(lead__in=leads)
    assert set(deals.values_list("stage", flat=True)) == set(DealStage.values)
    for model, queryset in ((Contact, Contact.objects.filter(lead__in=leads)), (Deal, deals),
                            (Customer, Customer.objects.filter(lead__in=leads)),
                            (Company, Company.objects.filter(contacts__lead__in=leads).distinct()),
                            (Activity, Activity.objects.filter(lead__in=leads))):
        assert queryset.exists(), model.__name__
        for obj in queryset:
            if hasattr(obj, "build_search_text"):
                assert obj.search_text == obj.build_search_text()
        assert_every_row_valid(model, queryset)
    assert User.objects.filter(email__endswith="@tenant-a.test", role="agent").count() == 20
    assert User.objects.filter(email__endswith="@tenant-a.test", role="manager").count() == 3
    # The lead statuses' counts are a funnel, not a uniform spread.
    by_status = dict(leads.values_list("status").annotate(count=Count("id")))
    assert by_status["new"] > by_status["converted"] > 0


# --- seed_demo: the command `make demo` runs ------------------------------------------------------------

def test_seed_demo_fills_both_demo_tenants_once_and_a_second_run_only_looks(db):
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    found = {}
    for schema, language in (("acme", "ar"), ("gulf_trading", "en")):
        with schema_context(schema):
            found[schema] = counts(DEMO_MODELS + (User,))
            assert set(Lead.objects.values_list("status", flat=True)) == set(LeadStatus.values)
            assert set(Deal.objects.values_list("stage", flat=True)) == set(DealStage.values)
            assert set(Contact.objects.values_list("language", flat=True)) == {language}
            assert Affiliate.objects.get(user__email__startswith="affiliate@").status == "active"
            assert User.objects.get(email__startswith="agent@").check_password("dealix-demo")

    with CaptureQueriesContext(connection) as second_run:
        call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert len(second_run.captured_queries) < 60
    for schema in ("acme", "gulf_trading"):
        with schema_context(schema):
            assert counts(DEMO_MODELS + (User,)) == found[schema]
