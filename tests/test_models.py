"""The data model: factories make valid rows of every model, the database refuses bad rows on its own
(whatever path wrote them), business records cannot be deleted, Arabic search text, state machines."""
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import translation
from django_tenants.utils import get_public_schema_name, schema_context

from affiliates.models import Affiliate, Commission, Payout
from compliance.models import Consent, GuaranteeClaim, Refund
from crm.models import Deal, Lead, Message
from dealix.core.models import AuditLog
from dealix.core.states import TransitionNotAllowed, transition
from tests import factories as f

pytestmark = pytest.mark.django_db

ARABIC = re.compile("[\u0600-\u06ff]")
E164_SAUDI_MOBILE = re.compile(r"^\+9665\d{8}$")


@pytest.fixture(autouse=True)
def _repeatable_data():
    """Every test starts from the same seed, so its data is the same whatever ran before it."""
    f.reseed()


def assert_refused(make, *, constraint: str, message: str | None = None):
    """`make()` gives an unsaved row that breaks one rule. Saving it raises an IntegrityError naming
    `constraint`; when the rule has a validator or a message, `full_clean()` raises a ValidationError
    saying `message`; and nothing is written."""
    row = make()
    model = type(row)
    before = model.objects.count()
    with pytest.raises(IntegrityError) as refused:
        with transaction.atomic():
            row.save()
    assert constraint in str(refused.value)
    if message is not None:
        with translation.override("en"):
            with pytest.raises(ValidationError) as invalid:
                make().full_clean()
            messages = list(invalid.value.messages)
        assert any(message in text for text in messages), messages
    assert model.objects.count() == before


# --- factories ----------------------------------------------------------------------------------------

def test_every_model_has_a_factory():
    ours = {model for label in ("accounts", "core", "crm", "affiliates", "compliance", "knowledge")
            for model in apps.get_app_config(label).get_models()}
    ours.add(apps.get_model("tenancy", "Subscription"))

    covered = {factory._meta.model for factory in f.ALL_FACTORIES}

    assert ours - covered == set()
    assert len(f.ALL_FACTORIES) == len(covered)


@pytest.mark.parametrize("factory", f.ALL_FACTORIES, ids=lambda factory: factory.__name__)
def test_each_factory_makes_a_valid_row(factory, request):
    if factory in f.PUBLIC_FACTORIES:
        with schema_context(get_public_schema_name()):
            row = factory()
            row.refresh_from_db()
            row.full_clean()
    else:
        request.getfixturevalue("in_tenant_a")
        row = factory()
        row.refresh_from_db()
        row.full_clean()
    assert type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("factory", [f.LeadFactory, f.DealFactory, f.CommissionFactory, f.GuaranteeClaimFactory,
                                     f.RefundFactory, f.DisputeFactory, f.ConsentFactory, f.MessageFactory],
                         ids=lambda factory: factory.__name__)
@pytest.mark.parametrize("language", ["ar", "en"])
def test_factories_make_valid_rows_in_arabic_and_in_english(factory, language, in_tenant_a):
    row = factory(language=language)
    row.full_clean()


@pytest.mark.parametrize("trait", ["contacted", "qualified", "converted", "lost", "hot", "cold"])
def test_lead_traits_make_valid_leads(trait, in_tenant_a):
    f.LeadFactory(**{trait: True}).full_clean()


@pytest.mark.parametrize("factory, trait", [
    (f.DealFactory, "won"), (f.DealFactory, "lost"), (f.ProposalFactory, "accepted"),
    (f.CommissionFactory, "approved"), (f.CommissionFactory, "paid"), (f.CommissionFactory, "clawback"),
    (f.CommissionFactory, "bonus"), (f.PayoutFactory, "completed"), (f.PayoutFactory, "failed"),
    (f.PayoutFactory, "wallet"), (f.DisputeFactory, "resolved"), (f.ConsentFactory, "revoked"),
    (f.ComplaintFactory, "resolved"), (f.PolicyFactory, "active"), (f.GuaranteeClaimFactory, "approved"),
    (f.GuaranteeClaimFactory, "denied"), (f.RefundFactory, "completed"), (f.AffiliateFactory, "applicant"),
    (f.AffiliateFactory, "suspended"), (f.AffiliateDealFactory, "with_deal"), (f.MessageFactory, "sent"),
    (f.MessageFactory, "failed"), (f.MessageFactory, "inbound"), (f.AutoBookingFactory, "confirmed"),
], ids=lambda value: value if isinstance(value, str) else value.__name__)
def test_traits_make_valid_rows_in_their_state(factory, trait, in_tenant_a):
    factory(**{trait: True}).full_clean()


def test_arabic_rows_are_in_arabic_and_english_rows_in_english(in_tenant_a):
    arabic, english = f.LeadFactory(language="ar"), f.LeadFactory(language="en")

    for text in (arabic.full_name, arabic.company_name, arabic.city, arabic.notes):
        assert ARABIC.search(text), text
    for text in (english.full_name, english.company_name, english.city, english.notes):
        assert not ARABIC.search(text), text
    assert arabic.assigned_to.language == "ar" and english.assigned_to.language == "en"
    assert E164_SAUDI_MOBILE.match(arabic.phone) and E164_SAUDI_MOBILE.match(english.phone)
    assert arabic.email.isascii() and english.email.isascii()


def test_factory_leads_are_scored_by_the_rules(in_tenant_a):
    hot, cold = f.LeadFactory(hot=True), f.LeadFactory(cold=True)

    assert hot.score == 100 and hot.score_breakdown == {"company_size": 20, "industry_fit": 25, "engagement": 30,
                                                        "budget": 15, "timing": 10}
    assert cold.score == sum(cold.score_breakdown.values()) < 50


def test_the_same_seed_gives_the_same_data():
    def sample():
        lead = f.LeadFactory.build(assigned_to=None)
        payout = f.PayoutFactory.build(affiliate=None)
        return lead.full_name, lead.phone, lead.company_name, lead.city, lead.score, payout.iban, payout.amount

    f.reseed(7)
    first = sample()
    f.reseed(7)
    assert sample() == first


def test_factory_ibans_are_valid_saudi_ibans(in_tenant_a):
    for _ in range(20):
        payout = f.PayoutFactory.build(affiliate=None)
        payout.clean_fields(exclude=["affiliate"])
        assert re.fullmatch(r"SA\d{22}", payout.iban) and payout.bank_name


# --- every constraint family refuses a bad row ------------------------------------------------------------

def test_a_lead_score_above_100_is_refused(in_tenant_a):
    assert_refused(lambda: f.LeadFactory.build(score=101, assigned_to=None),
                   constraint="crm_lead_score_between_0_100", message="score must be between 0 and 100")


def test_a_deal_probability_below_0_is_refused(in_tenant_a):
    # The positive integer column refuses it first; the 0–100 check stands behind it.
    assert_refused(lambda: f.DealFactory.build(probability=-1, lead=None, company=None, contact=None,
                                               assigned_to=None, title="Dealix Pro"),
                   constraint="probability", message="greater than or equal to 0")


def test_a_deal_probability_above_100_is_refused(in_tenant_a):
    assert_refused(lambda: f.DealFactory.build(probability=101, lead=None, company=None, contact=None,
                                               assigned_to=None, title="Dealix Pro"),
                   constraint="crm_deal_probability_between_0_100",
                   message="probability must be between 0 and 100")


def test_a_commission_rate_above_100_percent_is_refused(in_tenant_a):
    affiliate, deal = f.AffiliateFactory(), f.DealFactory(won=True)
    assert_refused(lambda: f.CommissionFactory.build(affiliate=affiliate, deal=deal, rate=Decimal("150")),
                   constraint="aff_commission_rate_between_0_100", message="rate must be between 0 and 100")


def test_an_affiliate_commission_rate_above_100_percent_is_refused(in_tenant_a):
    assert_refused(lambda: f.AffiliateFactory.build(user=None, commission_rate=Decimal("150")),
                   constraint="aff_affiliate_commission_rate_between_0_100",
                   message="commission rate must be between 0 and 100")


def test_a_negative_deal_value_is_refused(in_tenant_a):
    assert_refused(lambda: f.DealFactory.build(value=Decimal("-1"), lead=None, company=None, contact=None,
                                               assigned_to=None, title="Dealix Pro"),
                   constraint="crm_deal_value_non_negative", message="value may not be negative")


def test_a_negative_payout_amount_is_refused(in_tenant_a):
    affiliate = f.AffiliateFactory()
    assert_refused(lambda: f.PayoutFactory.build(affiliate=affiliate, amount=Decimal("-5")),
                   constraint="aff_payout_amount_non_negative", message="amount may not be negative")


def test_a_refund_of_nothing_is_refused(in_tenant_a):
    claim = f.GuaranteeClaimFactory(approved=True)
    assert_refused(lambda: f.RefundFactory.build(guarantee_claim=claim, deal=claim.deal, amount=Decimal("0")),
                   constraint="cmp_refund_amount_positive", message="A refund is a positive amount")


def test_a_referral_code_used_twice_is_refused(in_tenant_a):
    f.AffiliateFactory(referral_code="NOURA2026")
    assert_refused(lambda: f.AffiliateFactory.build(user=None, referral_code="NOURA2026"),
                   constraint="referral_code", message="Affiliate with this Referral code already exists")


def test_a_user_email_differing_only_in_case_is_refused(in_tenant_a):
    f.UserFactory(email="a@x.test")
    assert_refused(lambda: f.UserFactory.build(email="A@x.test"),
                   constraint="accounts_user_email_ci_unique", message="User with this Email already exists")


def test_a_customer_satisfaction_above_5_is_refused(in_tenant_a):
    agent = f.UserFactory()
    assert_refused(lambda: f.ScorecardFactory.build(user=agent, customer_satisfaction=Decimal("5.50")),
                   constraint="crm_scorecard_customer_satisfaction_between_0_5",
                   message="customer satisfaction must be between 0 and 5")


def test_a_second_active_version_of_a_policy_type_is_refused(in_tenant_a):
    f.PolicyFactory(type="guarantee", active=True)
    assert_refused(lambda: f.PolicyFactory.build(type="guarantee", active=True),
                   constraint="cmp_policy_one_active_per_type",
                   message="Only one version of a policy type can be active")
    f.PolicyFactory(type="guarantee")  # an inactive new version is fine


def test_a_bank_transfer_payout_with_an_invalid_iban_is_refused(in_tenant_a):
    affiliate = f.AffiliateFactory()

    def make():
        return f.PayoutFactory.build(affiliate=affiliate, iban="SA12 34AB")

    assert_refused(make, constraint="aff_payout_iban_format", message="Enter a valid Saudi IBAN")
    with pytest.raises(IntegrityError, match="aff_payout_iban_format"), transaction.atomic():
        Payout.objects.bulk_create([make()])
    assert not Payout.objects.filter(affiliate=affiliate).exists()


def test_an_iban_with_a_wrong_checksum_fails_validation(in_tenant_a):
    payout = f.PayoutFactory.build(affiliate=f.AffiliateFactory())
    payout.iban = payout.iban[:2] + f"{(int(payout.iban[2:4]) + 1) % 100:02d}" + payout.iban[4:]

    with translation.override("en"):
        with pytest.raises(ValidationError) as invalid:
            payout.full_clean()
        errors = {field: [str(text) for text in texts] for field, texts in invalid.value.message_dict.items()}
    assert list(errors) == ["iban"]
    assert "Enter a valid Saudi IBAN" in errors["iban"][0]


def test_a_bank_transfer_without_an_iban_is_refused(in_tenant_a):
    affiliate = f.AffiliateFactory()
    assert_refused(lambda: f.PayoutFactory.build(affiliate=affiliate, iban="", bank_name=""),
                   constraint="aff_payout_bank_transfer_needs_iban", message="A bank transfer needs an IBAN")


def test_a_lost_lead_without_a_reason_is_refused(in_tenant_a):
    assert_refused(lambda: f.LeadFactory.build(status="lost", lost_reason="", assigned_to=None),
                   constraint="crm_lead_lost_needs_reason", message="A lost lead needs a reason")


def test_a_lost_deal_without_a_reason_is_refused(in_tenant_a):
    assert_refused(lambda: f.DealFactory.build(stage="closed_lost", lost_reason="", lead=None, company=None,
                                               contact=None, assigned_to=None, title="Dealix Pro"),
                   constraint="crm_deal_lost_needs_reason", message="A lost deal needs a reason")


@pytest.mark.parametrize("case", ["a positive clawback", "a clawback reversing nothing", "a negative deal commission"])
def test_a_commission_whose_sign_does_not_match_its_kind_is_refused(case, in_tenant_a):
    paid = f.CommissionFactory(paid=True)
    bad = {
        "a positive clawback": {"kind": "clawback", "reverses": paid, "amount": paid.amount},
        "a clawback reversing nothing": {"kind": "clawback", "reverses": None, "amount": -paid.amount},
        "a negative deal commission": {"kind": "deal", "amount": Decimal("-10"), "period": f.month_start(2)},
    }[case]
    assert_refused(lambda: f.CommissionFactory.build(affiliate=paid.affiliate, deal=paid.deal, **bad),
                   constraint="aff_commission_sign_matches_kind",
                   message="Only a clawback is negative, and it must name what it claws back")


def test_a_paid_commission_without_its_payout_is_refused(in_tenant_a):
    affiliate, deal = f.AffiliateFactory(), f.DealFactory(won=True)
    assert_refused(lambda: f.CommissionFactory.build(affiliate=affiliate, deal=deal, status="paid", payout=None),
                   constraint="aff_commission_paid_has_payout", message="A paid commission must name its payout")


def test_a_second_commission_for_the_same_deal_and_month_is_refused(in_tenant_a):
    first = f.CommissionFactory()
    assert_refused(lambda: f.CommissionFactory.build(affiliate=first.affiliate, deal=first.deal, period=first.period),
                   constraint="aff_commission_once_per_deal_month",
                   message="This commission already exists for that month")
    f.CommissionFactory(affiliate=first.affiliate, deal=first.deal, period=f.month_start(-1), recurring=True)


def test_a_second_guarantee_claim_by_the_same_customer_is_refused(in_tenant_a):
    first = f.GuaranteeClaimFactory(denied=True)
    assert_refused(lambda: f.GuaranteeClaimFactory.build(customer=first.customer, deal=first.deal),
                   constraint="cmp_claim_once_per_customer",
                   message="This customer has already made a guarantee claim")


def test_an_approved_amount_above_the_amount_claimed_is_refused(in_tenant_a):
    deal = f.DealFactory(won=True)
    customer = f.CustomerFactory(deal=deal)
    assert_refused(lambda: f.GuaranteeClaimFactory.build(deal=deal, customer=customer, amount_claimed=Decimal("1000"),
                                                         amount_approved=Decimal("1000.01")),
                   constraint="cmp_claim_approved_within_claimed",
                   message="The approved amount cannot exceed the amount claimed")


def test_a_granted_consent_without_its_time_is_refused(in_tenant_a):
    contact = f.ContactFactory()
    assert_refused(lambda: f.ConsentFactory.build(contact=contact, status="granted", granted_at=None),
                   constraint="cmp_consent_status_has_its_time",
                   message="A granted consent needs its time")


def test_an_attribution_that_expires_before_it_starts_is_refused(in_tenant_a):
    affiliate, lead = f.AffiliateFactory(), f.LeadFactory()

    def make():
        row = f.AffiliateDealFactory.build(affiliate=affiliate, lead=lead)
        row.expires_at = row.attributed_at
        return row

    assert_refused(make, constraint="aff_attribution_expires_after_start",
                   message="aff_attribution_expires_after_start")


def test_affiliate_figures_for_a_period_not_starting_on_the_first_are_refused(in_tenant_a):
    affiliate = f.AffiliateFactory()
    assert_refused(lambda: f.AffiliatePerformanceFactory.build(affiliate=affiliate,
                                                               period=f.month_start(1).replace(day=15)),
                   constraint="aff_performance_period_month_start",
                   message="A period starts on the first day of a month")


# --- deleting never loses business records ------------------------------------------------------------------

def test_deleting_a_contact_with_messages_and_consents_is_refused_and_keeps_them(in_tenant_a):
    contact = f.ContactFactory()
    messages = [f.MessageFactory(contact=contact), f.MessageFactory(contact=contact, inbound=True)]
    consents = [f.ConsentFactory(contact=contact), f.ConsentFactory(contact=contact, channel="email")]

    with pytest.raises(ProtectedError), transaction.atomic():
        contact.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        type(contact).objects.filter(pk=contact.pk).delete()

    assert type(contact).objects.filter(pk=contact.pk).exists()
    assert set(Message.objects.filter(contact=contact)) == set(messages)
    assert set(Consent.objects.filter(contact=contact)) == set(consents)


def test_deleting_an_affiliate_with_commissions_is_refused_and_keeps_them(in_tenant_a):
    affiliate = f.AffiliateFactory()
    commissions = [f.CommissionFactory(affiliate=affiliate), f.CommissionFactory(affiliate=affiliate, approved=True)]

    with pytest.raises(ProtectedError), transaction.atomic():
        affiliate.delete()

    assert Affiliate.objects.filter(pk=affiliate.pk).exists()
    assert set(Commission.objects.filter(affiliate=affiliate)) == set(commissions)


def test_deleting_a_deal_with_commissions_or_refunds_is_refused(in_tenant_a):
    commission = f.CommissionFactory()
    refund = f.RefundFactory()

    for deal in (commission.deal, refund.deal):
        with pytest.raises(ProtectedError), transaction.atomic():
            deal.delete()

    assert Deal.objects.filter(pk__in=[commission.deal_id, refund.deal_id]).count() == 2
    assert Commission.objects.filter(pk=commission.pk).exists()
    assert Refund.objects.filter(pk=refund.pk).exists()
    assert GuaranteeClaim.objects.filter(pk=refund.guarantee_claim_id).exists()


@pytest.mark.parametrize("factory", [f.AuditLogFactory, f.ConsentFactory], ids=["audit", "consent"])
def test_audit_and_consent_rows_refuse_update_and_delete(factory, in_tenant_a):
    row = factory()
    model = type(row)
    saved = model.objects.get(pk=row.pk)

    row.ip_address = "10.0.0.1"
    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        row.delete()
    with pytest.raises(TypeError):
        model.objects.filter(pk=row.pk).update(ip_address="10.0.0.1")
    with pytest.raises(TypeError):
        model.objects.filter(pk=row.pk).delete()
    with pytest.raises(TypeError), transaction.atomic():  # bulk_update's own atomic has no savepoint
        model.objects.bulk_update([row], ["ip_address"])

    assert model.objects.get(pk=row.pk).ip_address == saved.ip_address


# --- Arabic search text ----------------------------------------------------------------------------------

def test_a_lead_is_found_by_its_name_without_hamza_and_by_its_phone_in_both_forms(in_tenant_a):
    lead = f.LeadFactory.build(full_name="أحمد الغامدي", phone="0501234567", email="", company_name="",
                               assigned_to=None)
    lead.full_clean()
    lead.save()

    lead.refresh_from_db()
    assert lead.full_name == "أحمد الغامدي"  # what was typed is kept
    for form in ("احمد", "+966501234567", "0501234567"):
        assert form in lead.search_text
    assert list(Lead.objects.filter(search_text__contains="احمد")) == [lead]
    assert list(Lead.objects.filter(search_text__contains="0501234567")) == [lead]


def test_a_lead_saved_without_full_clean_is_still_found_by_its_e164_phone(in_tenant_a):
    lead = f.LeadFactory(full_name="أحمد الغامدي", phone="0501234567")

    assert "احمد" in lead.search_text and "0501234567" in lead.search_text
    assert "+966501234567" in lead.search_text


# --- state machines -----------------------------------------------------------------------------------

def test_a_lead_moves_from_new_to_converted_and_the_times_are_stamped(in_tenant_a):
    manager = f.UserFactory(manager=True)
    lead = f.LeadFactory()
    assert lead.status == "new" and lead.qualified_at is None and lead.converted_at is None

    transition(actor=manager, instance=lead, target="contacted")
    assert lead.status == "contacted" and lead.qualified_at is None

    transition(actor=manager, instance=lead, target="qualified")
    assert lead.status == "qualified" and lead.qualified_at is not None and lead.converted_at is None

    transition(actor=manager, instance=lead, target="converted")
    assert lead.status == "converted" and lead.converted_at >= lead.qualified_at


def test_a_new_lead_cannot_jump_to_converted_and_nothing_changes(in_tenant_a):
    manager = f.UserFactory(manager=True)
    lead = f.LeadFactory()
    audit_rows = AuditLog.objects.count()

    with translation.override("en"):
        with pytest.raises(TransitionNotAllowed) as refused:
            transition(actor=manager, instance=lead, target="converted")
        message = refused.value.messages[0]

    assert message == "A lead cannot go from “New” to “Converted”."
    lead.refresh_from_db()
    assert lead.status == "new" and lead.converted_at is None and lead.qualified_at is None
    assert AuditLog.objects.count() == audit_rows


def test_losing_a_lead_needs_a_reason_and_records_it(in_tenant_a):
    manager = f.UserFactory(manager=True)
    lead = f.LeadFactory(contacted=True)

    with pytest.raises(ValidationError):
        transition(actor=manager, instance=lead, target="lost")
    lead.refresh_from_db()
    assert lead.status == "contacted"

    transition(actor=manager, instance=lead, target="lost", changes={"lost_reason": "اختار منافساً"})
    assert lead.status == "lost" and lead.lost_reason == "اختار منافساً"


def test_approving_a_commission_stamps_who_and_when_and_writes_an_audit_row(in_tenant_a):
    manager = f.UserFactory(manager=True)
    commission = f.CommissionFactory()
    assert commission.status == "pending" and commission.approved_at is None and commission.approved_by is None

    transition(actor=manager, instance=commission, target="approved")

    assert commission.status == "approved"
    assert commission.approved_at is not None and commission.approved_by == manager
    row = AuditLog.objects.get(entity_id=commission.pk)
    assert row.user == manager and row.action == "update" and row.entity_type == "affiliates.commission"
    assert row.changes["status"] == ["pending", "approved"]
    assert row.changes["approved_by_id"] == [None, str(manager.pk)]


def test_completing_a_payout_stamps_when_it_was_processed(in_tenant_a):
    admin = f.UserFactory(admin=True)
    payout = f.PayoutFactory(processing=True)
    assert payout.processed_at is None

    transition(actor=admin, instance=payout, target="completed")

    assert payout.status == "completed" and payout.processed_at is not None
    assert AuditLog.objects.filter(entity_id=payout.pk, user=admin).exists()


def test_a_completed_payout_cannot_go_back_to_processing(in_tenant_a):
    payout = f.PayoutFactory(completed=True)
    with pytest.raises(TransitionNotAllowed):
        transition(actor=f.UserFactory(admin=True), instance=payout, target="processing")
    payout.refresh_from_db()
    assert payout.status == "completed"
