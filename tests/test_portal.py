"""The partner portal: an affiliate's only pages, in Arabic and English, showing their own referrals,
commissions, payouts, disputes and policies, and nothing of anyone else's (RULES.md §6, §9)."""
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from affiliates.choices import (AffiliateStatus, AttributionSource, AttributionStatus, CommissionStatus, DisputeStatus,
                                PayoutMethod)
from affiliates.models import Affiliate, AffiliateDeal, Dispute, PolicyAcceptance
from compliance.choices import PolicyType
from compliance.models import Consent
from crm.choices import DealStage, LeadSource, LeadStatus
from crm.models import Lead
from dealix.core.models import AuditLog
from tests import factories
from tests.conftest import user_of

pytestmark = pytest.mark.django_db

PAGES = ["/affiliates/portal/", "/affiliates/portal/leads/new/", "/affiliates/portal/referrals/",
         "/affiliates/portal/commissions/", "/affiliates/portal/payouts/", "/affiliates/portal/disputes/",
         "/affiliates/portal/policies/"]
VALID_IBAN = "SA0380000000608010167519"


@pytest.fixture
def me(in_tenant_a, people):
    """The partnership of tenant A's affiliate login (affiliate@a.test), active, paid by bank transfer."""
    factories.reseed()
    return factories.AffiliateFactory(user=user_of(people["affiliate"]), full_name="Noura Al-Harbi",
                                      referral_code="NOURA001", language="en", iban=VALID_IBAN)


@pytest.fixture
def other(in_tenant_a):
    """Another affiliate of the same tenant, with a referral and a commission of their own."""
    affiliate = factories.AffiliateFactory(full_name="Other Partner", referral_code="OTHER001", language="en")
    lead = factories.LeadFactory(full_name="Secret Referral", phone="+966500000999", email="secret@example.sa",
                                 language="en", source=LeadSource.AFFILIATE)
    factories.AffiliateDealFactory(affiliate=affiliate, lead=lead, source=AttributionSource.PORTAL)
    commission = factories.CommissionFactory(affiliate=affiliate, language="en", amount=Decimal("777.77"))
    dispute = factories.DisputeFactory(affiliate=affiliate, commission=commission, language="en")
    return {"affiliate": affiliate, "lead": lead, "commission": commission, "dispute": dispute}


@pytest.fixture
def policies(in_tenant_a):
    """The active commission policy and programme rules (seeded into tenants, or made here)."""
    from affiliates.applications import active_policies
    found = {policy.type: policy for policy in active_policies()}
    for kind in (PolicyType.COMMISSION, PolicyType.AFFILIATE_RULES):
        if kind not in found:
            found[kind] = factories.PolicyFactory(type=kind, active=True, language="en")
    return found


def referral(affiliate, *, name, status=LeadStatus.NEW, source=AttributionSource.FORM, days_ago=1, **lead_fields):
    lead = factories.LeadFactory(full_name=name, status=status, language="en", source=LeadSource.AFFILIATE,
                                 lost_reason="No budget" if status == LeadStatus.LOST else "", **lead_fields)
    attributed_at = timezone.now() - dt.timedelta(days=days_ago)
    factories.AffiliateDealFactory(affiliate=affiliate, lead=lead, source=source, attributed_at=attributed_at,
                                   expires_at=attributed_at + dt.timedelta(days=90))
    return lead


def bulk_referrals(affiliate, count: int, *, start: int = 0) -> None:
    """`count` referrals of `affiliate` written in two statements (enough for the query-count tests)."""
    now = timezone.now()
    leads = Lead.objects.bulk_create([
        Lead(full_name=f"Referral {start + number}", phone=f"+9665{start + number:08d}", source=LeadSource.AFFILIATE)
        for number in range(count)])
    AffiliateDeal.objects.bulk_create([
        AffiliateDeal(affiliate=affiliate, lead=lead, attributed_at=now - dt.timedelta(minutes=number),
                      expires_at=now + dt.timedelta(days=89), source=AttributionSource.FORM)
        for number, lead in enumerate(leads)])


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- each page, both languages ----------------------------------------------------------------------

@pytest.mark.parametrize("language", ["ar", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_each_portal_page_renders_for_the_affiliate_in_arabic_and_english(client_for, people, me, policies,
                                                                           language, path):
    response = client_for(people["affiliate"], language=language).get(path)

    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in page
    assert 'data-testid="portal-nav"' in page


def test_the_home_shows_the_referral_link_its_qr_code_tier_and_rank(client_for, people, me, policies):
    import segno

    response = client_for(people["affiliate"], language="en").get("/affiliates/portal/")

    page = page_text(response)
    link = "http://tenant-a.localhost/forms/lead/?ref=NOURA001"
    assert f'value="{link}"' in page and 'data-testid="copy-link"' in page
    qr_path = re.search(r'<path stroke="#000" d="([^"]+)"', segno.make(link, error="m").svg_inline(
        border=2, omitsize=True, lineclass=None, dark="#000", light="#fff")).group(1)
    assert qr_path in page  # the QR code drawn is the one of this link
    assert "Bronze" in page and "0 deals closed this month" in page
    assert re.search(r'data-testid="leaderboard-rank">You are number \d+ this month', page)


def test_the_qr_code_downloads_as_an_svg_file(client_for, people, me):
    response = client_for(people["affiliate"]).get("/affiliates/portal/qr.svg")

    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<?xml") and b'xmlns="http://www.w3.org/2000/svg"' in response.content


def test_the_home_totals_commissions_by_status_and_estimates_the_next_payout(client_for, people, me, other):
    factories.CommissionFactory(affiliate=me, approved=True, amount=Decimal("80.00"), language="en")
    factories.CommissionFactory(affiliate=me, approved=True, amount=Decimal("50.50"), language="en")
    factories.CommissionFactory(affiliate=me, approved=True, amount=Decimal("900.00"), held=True,
                                hold_reason="Review", language="en")
    factories.CommissionFactory(affiliate=me, amount=Decimal("300.00"), language="en")

    response = client_for(people["affiliate"], language="en").get("/affiliates/portal/")

    page = page_text(response)
    approved = re.search(r'data-status="approved">.*?</li>', page).group(0)
    assert ">3<" in approved and "SAR 1,030.50" in approved  # the held one counts as approved, not as payable
    assert "SAR 300.00" in re.search(r'data-status="pending">.*?</li>', page).group(0)
    assert 'data-testid="payout-estimate">SAR 130.50' in page
    assert "777.77" not in page  # the other affiliate's commission



@pytest.mark.parametrize("days, arabic", [(1, "وتُصرف خلال يوم عمل واحد."), (2, "وتُصرف خلال يومي عمل."),
                                          (5, "وتُصرف خلال 5 أيام عمل."), (11, "وتُصرف خلال 11 يوم عمل.")])
def test_the_arabic_estimate_says_within_how_many_business_days_it_is_paid(client_for, people, me, in_tenant_a,
                                                                           days, arabic):
    from dealix.tenancy.models import Tenant
    in_tenant_a.settings = {**(in_tenant_a.settings or {}), "rules": {"payout_within_business_days": days}}
    Tenant.objects.filter(pk=in_tenant_a.pk).update(settings=in_tenant_a.settings)
    factories.CommissionFactory(affiliate=me, approved=True, amount=Decimal("500.00"), language="en")

    page = page_text(client_for(people["affiliate"], language="ar").get("/affiliates/portal/"))

    assert arabic in page

def test_a_balance_under_the_minimum_is_said_to_carry_over(client_for, people, me):
    factories.CommissionFactory(affiliate=me, approved=True, amount=Decimal("60.00"), language="en")

    page = page_text(client_for(people["affiliate"], language="en").get("/affiliates/portal/"))

    assert "Below the minimum payout of SAR 100.00: it carries over to the next month." in page


# --- whose data -------------------------------------------------------------------------------------

def test_referrals_show_coarse_stages_and_only_the_contact_data_the_affiliate_registered(client_for, people, me,
                                                                                          other):
    referral(me, name="Form Lead", phone="+966511111111", email="form@example.sa", notes="Agent notes: tricky",
             days_ago=5)
    referral(me, name="Portal Lead", phone="+966522222222", email="portal@example.sa",
             source=AttributionSource.PORTAL, days_ago=4)
    referral(me, name="Working Lead", status=LeadStatus.QUALIFIED, days_ago=3)
    referral(me, name="Dropped Lead", status=LeadStatus.LOST, days_ago=2)
    won = referral(me, name="Won Lead", days_ago=1)
    factories.DealFactory(lead=won, stage=DealStage.CLOSED_WON, closed_at=timezone.now(), value=Decimal("48000"),
                          language="en")
    Lead.objects.filter(pk=won.pk).update(status=LeadStatus.CONVERTED)

    page = page_text(client_for(people["affiliate"], language="en").get("/affiliates/portal/referrals/"))

    stages = dict(re.findall(r'<span class="fw-semibold me-auto">([^<·]+?)(?: <span|</span>).*?'
                             r'data-testid="referral-stage">([^<]+)<', page))
    assert stages == {"Form Lead": "New", "Portal Lead": "New", "Working Lead": "In progress",
                      "Dropped Lead": "Lost", "Won Lead": "Won"}
    assert "+966522222222" in page and "portal@example.sa" in page  # registered by the affiliate
    assert "+966511111111" not in page and "form@example.sa" not in page  # arrived through the form
    assert "Agent notes" not in page and "48,000" not in page
    assert "Secret Referral" not in page and "secret@example.sa" not in page


def test_a_claim_that_lost_to_another_affiliate_is_not_listed(client_for, people, me):
    lead = referral(me, name="Contested Lead")
    AffiliateDeal.objects.filter(affiliate=me, lead=lead).update(status=AttributionStatus.REJECTED)

    page = page_text(client_for(people["affiliate"], language="en").get("/affiliates/portal/referrals/"))

    assert "Contested Lead" not in page and 'data-testid="no-referrals"' in page


def test_the_referral_list_pages_newest_first_with_a_cursor(client_for, people, me):
    bulk_referrals(me, 30)
    client = client_for(people["affiliate"], language="en")

    first = page_text(client.get("/affiliates/portal/referrals/"))
    next_link = re.search(r'href="\?cursor=([^"]+)" data-testid="next-page"', first).group(1)
    second = page_text(client.get(f"/affiliates/portal/referrals/?cursor={next_link}"))

    first_names = re.findall(r"Referral (\d+)", first)
    second_names = re.findall(r"Referral (\d+)", second)
    assert first_names == [str(number) for number in range(25)]
    assert second_names == [str(number) for number in range(25, 30)]
    assert 'data-testid="next-page"' not in second


def test_commissions_list_only_the_affiliates_own_by_status(client_for, people, me, other):
    factories.CommissionFactory(affiliate=me, approved=True, amount=Decimal("120.00"), language="en")
    factories.CommissionFactory(affiliate=me, amount=Decimal("45.00"), language="en")
    client = client_for(people["affiliate"], language="en")

    everything = page_text(client.get("/affiliates/portal/commissions/"))
    approved = page_text(client.get("/affiliates/portal/commissions/?status=approved"))

    assert "SAR 120.00" in everything and "SAR 45.00" in everything and "777.77" not in everything
    assert re.findall(r'data-testid="commission-amount">([^<]+)<', approved) == ["SAR 120.00"]


@pytest.mark.parametrize("path", ["/affiliates/portal/disputes/{dispute}/",
                                  "/affiliates/portal/disputes/?commission={commission}",
                                  "/affiliates/portal/policies/{dispute}/accept/"])
def test_a_portal_url_with_another_affiliates_record_is_a_404(client_for, people, me, other, policies, path):
    client = client_for(people["affiliate"])
    url = path.format(dispute=other["dispute"].pk, commission=other["commission"].pk)

    response = client.post(url) if url.endswith("/accept/") else client.get(url)

    assert response.status_code == 404


def test_a_dispute_cannot_name_another_affiliates_commission(client_for, people, me, other):
    response = client_for(people["affiliate"], language="en").post("/affiliates/portal/disputes/", {
        "type": "commission", "commission": str(other["commission"].pk), "description": "Mine?"})

    assert response.status_code == 400
    assert not Dispute.objects.filter(affiliate=me).exists()


def test_a_statement_for_a_month_without_records_is_a_404(client_for, people, me):
    assert client_for(people["affiliate"]).get("/affiliates/portal/statements/2020-01/").status_code == 404


CRM_AND_STAFF_URLS = ["/crm/leads/", "/crm/leads/{lead}/", "/crm/pipeline/", "/crm/deals/", "/crm/contacts/",
                      "/crm/search/?q=a", "/affiliates/", "/affiliates/applications/", "/affiliates/partners/",
                      "/affiliates/partners/{affiliate}/", "/affiliates/commissions/", "/affiliates/payouts/",
                      "/affiliates/disputes/", "/affiliates/disputes/{dispute}/", "/affiliates/attribution/",
                      "/affiliates/leaderboard/", "/affiliates/risk/", "/compliance/", "/knowledge/", "/admin/",
                      "/admin/crm/lead/", "/admin/affiliates/commission/"]


@pytest.mark.parametrize("path", CRM_AND_STAFF_URLS)
def test_an_affiliate_is_refused_every_crm_and_staff_url(client_for, people, me, other, path):
    url = path.format(lead=other["lead"].pk, affiliate=other["affiliate"].pk, dispute=other["dispute"].pk)

    response = client_for(people["affiliate"]).get(url)

    assert response.status_code in (403, 404)
    assert "Secret Referral" not in response.content.decode()


@pytest.mark.parametrize("action", ["approve", "release"])
def test_an_affiliate_cannot_approve_their_own_commission_through_the_staff_actions(client_for, people, me, action):
    commission = factories.CommissionFactory(affiliate=me, amount=Decimal("500.00"), language="en")

    response = client_for(people["affiliate"]).post(f"/affiliates/commissions/{commission.pk}/{action}/")

    assert response.status_code in (403, 404)
    commission.refresh_from_db()
    assert commission.status == CommissionStatus.PENDING and commission.approved_by is None


@pytest.mark.parametrize("role", ["owner", "admin", "manager", "agent", "viewer"])
@pytest.mark.parametrize("path", PAGES + ["/affiliates/portal/qr.svg"])
def test_staff_opening_the_portal_get_a_403(client_for, people, me, role, path):
    assert client_for(people[role]).get(path).status_code == 403


# --- states of the partnership ----------------------------------------------------------------------

def test_a_login_without_a_partnership_gets_a_clear_page(client_for, people, in_tenant_a):
    for path in PAGES:
        response = client_for(people["affiliate"], language="en").get(path)

        assert response.status_code == 200
        assert "No partnership is linked to your account" in page_text(response)


def test_a_terminated_affiliate_is_refused_with_the_reason(client_for, people, me):
    Affiliate.objects.filter(pk=me.pk).update(status=AffiliateStatus.TERMINATED, status_reason="Fake leads")

    page = page_text(client_for(people["affiliate"], language="en").get("/affiliates/portal/referrals/"))

    assert "Your partnership has ended" in page and "Fake leads" in page and "referral-list" not in page


def test_a_suspended_affiliate_reads_the_portal_but_cannot_register_leads_or_change_payout_details(
        client_for, people, me):
    Affiliate.objects.filter(pk=me.pk).update(status=AffiliateStatus.SUSPENDED, status_reason="Lead spike")
    referral(me, name="Earlier Lead")
    client = client_for(people["affiliate"], language="en")

    home = page_text(client.get("/affiliates/portal/referrals/"))
    register = client.post("/affiliates/portal/leads/new/", {"full_name": "New", "phone": "0551230001",
                                                               "consent_phone": "on"})
    details = client.post("/affiliates/portal/payouts/", {"payout_method": "wallet", "wallet_account": "x"})

    assert "Your partnership is suspended" in home and "Lead spike" in home and "Earlier Lead" in home
    assert register.status_code == 403 and details.status_code == 403
    assert not Lead.objects.filter(full_name="New").exists()
    me.refresh_from_db()
    assert me.payout_method == PayoutMethod.BANK_TRANSFER


# --- registering a lead -----------------------------------------------------------------------------

def test_an_affiliate_registers_a_lead_with_the_consents_the_lead_gave(client_for, people, me):
    response = client_for(people["affiliate"], language="en", REMOTE_ADDR="198.51.100.23").post(
        "/affiliates/portal/leads/new/", {
            "full_name": "Fahad Al-Qahtani", "phone": "0553331122", "email": "Fahad@Example.sa",
            "company_name": "Qahtani Trading", "sector": "retail", "city": "Riyadh", "notes": "Wants a demo",
            "consent_whatsapp": "on", "consent_email": "on"})

    assert response.status_code == 302 and response["Location"] == "/affiliates/portal/referrals/"
    lead = Lead.objects.get(full_name="Fahad Al-Qahtani")
    assert lead.phone == "+966553331122" and lead.email == "fahad@example.sa" and lead.company_name == "Qahtani Trading"
    attribution = AffiliateDeal.objects.get(lead=lead)
    assert attribution.affiliate == me and attribution.source == AttributionSource.PORTAL
    assert attribution.direct_interaction
    consents = Consent.objects.filter(contact__lead=lead)
    assert {consent.channel for consent in consents} == {"whatsapp", "email"}
    assert {consent.ip_address for consent in consents} == {"198.51.100.23"}

    listed = page_text(client_for(people["affiliate"], language="en").get(response["Location"]))
    assert "Fahad Al-Qahtani" in listed and "+966553331122" in listed


def test_registering_a_person_already_known_is_refused_without_naming_anyone(client_for, people, me, other):
    response = client_for(people["affiliate"], language="en").post("/affiliates/portal/leads/new/", {
        "full_name": "Someone", "phone": "0500000999", "consent_phone": "on"})

    page = page_text(response)
    assert response.status_code == 400
    assert "already in our records" in page and "Secret Referral" not in page
    assert not Lead.objects.filter(full_name="Someone").exists()


def test_a_lead_without_any_consent_is_refused_beside_the_consent_boxes(client_for, people, me):
    response = client_for(people["affiliate"], language="en").post("/affiliates/portal/leads/new/", {
        "full_name": "No Consent", "phone": "0553334455"})

    assert response.status_code == 400
    assert 'data-testid="consent-errors"' in page_text(response)
    assert not Lead.objects.filter(full_name="No Consent").exists()


def test_a_lead_needs_a_phone_or_an_email(client_for, people, me):
    response = client_for(people["affiliate"], language="en").post("/affiliates/portal/leads/new/", {
        "full_name": "Unreachable", "consent_phone": "on"})

    assert response.status_code == 400 and "mobile number or email" in page_text(response)


# --- payout details ---------------------------------------------------------------------------------

def test_a_wrong_iban_is_refused_with_a_clear_error_and_nothing_changes(client_for, people, me):
    response = client_for(people["affiliate"], language="en").post("/affiliates/portal/payouts/", {
        "payout_method": "bank_transfer", "iban": "SA03 8000 0000 6080 1016 7518", "bank_name": "Al Rajhi"})

    assert response.status_code == 400 and "Enter a valid Saudi IBAN" in page_text(response)
    me.refresh_from_db()
    assert me.iban == VALID_IBAN


def test_payout_details_are_saved_normalised_and_audited(client_for, people, me):
    response = client_for(people["affiliate"], language="en").post("/affiliates/portal/payouts/", {
        "payout_method": "bank_transfer", "iban": "sa44 2000 0001 2345 6789 1234", "bank_name": "Riyad Bank"})

    assert response.status_code == 302
    me.refresh_from_db()
    assert me.iban == "SA4420000001234567891234" and me.bank_name == "Riyad Bank"
    row = AuditLog.objects.filter(entity_id=me.pk, action="update").latest("created_at")
    assert row.user == me.user and row.changes["iban"] == [VALID_IBAN, "SA4420000001234567891234"]


def test_a_wallet_payout_needs_the_wallet_account(client_for, people, me):
    response = client_for(people["affiliate"], language="en").post("/affiliates/portal/payouts/", {
        "payout_method": "wallet", "wallet_account": ""})

    assert response.status_code == 400 and "A wallet payout needs your wallet account." in page_text(response)
    me.refresh_from_db()
    assert me.payout_method == PayoutMethod.BANK_TRANSFER


# --- policies ---------------------------------------------------------------------------------------

def test_an_affiliate_accepts_a_new_policy_version(client_for, people, me, policies):
    policy = policies[PolicyType.COMMISSION]
    client = client_for(people["affiliate"], language="en", REMOTE_ADDR="203.0.113.9")

    assert 'data-testid="policies-to-accept"' in page_text(client.get("/affiliates/portal/"))
    response = client.post(f"/affiliates/portal/policies/{policy.pk}/accept/")

    assert response.status_code == 302
    acceptance = PolicyAcceptance.objects.get(affiliate=me, policy=policy)
    assert acceptance.ip_address == "203.0.113.9"
    page = page_text(client.get("/affiliates/portal/policies/"))
    assert len(re.findall(r'data-accepted="yes"', page)) == 1


# --- queries do not grow with the referrals ---------------------------------------------------------

def count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("path", ["/affiliates/portal/", "/affiliates/portal/referrals/"])
def test_the_home_and_referrals_pages_run_as_many_queries_for_200_referrals_as_for_10(client_for, people, me,
                                                                                       policies, path):
    client = client_for(people["affiliate"], language="en")
    bulk_referrals(me, 10)
    factories.CommissionFactory(affiliate=me, approved=True, language="en")
    client.get(path)  # warm the session and caches
    with_ten = count_queries(client, path)

    bulk_referrals(me, 190, start=10)
    with_two_hundred = count_queries(client, path)

    assert with_two_hundred == with_ten


def test_the_commissions_page_explains_each_row_without_a_query_per_row(client_for, people, me, policies):
    from affiliates.commissions import commissions_for_won_deal

    def won_deals(count, start):
        for number in range(start, start + count):
            lead = referral(me, name=f"Query Lead {number}")
            deal = factories.DealFactory(lead=lead, stage=DealStage.CLOSED_WON, closed_at=timezone.now(), plan="pro",
                                         value=Decimal("8388.00"), language="en")
            customer = factories.CustomerFactory(deal=deal, plan="pro", monthly_amount=Decimal("699.00"), language="en")
            factories.PaymentFactory(customer=customer)
            commissions_for_won_deal(deal.pk)

    client = client_for(people["affiliate"], language="en")
    won_deals(2, 0)
    client.get("/affiliates/portal/commissions/")
    with_two = count_queries(client, "/affiliates/portal/commissions/")
    won_deals(6, 2)
    with_eight = count_queries(client, "/affiliates/portal/commissions/")

    assert with_eight == with_two


# --- commissions explained, disputes, statements -----------------------------------------------------

def test_each_commission_explains_its_basis_in_words(client_for, people, me):
    from affiliates.commissions import commissions_for_won_deal
    lead = referral(me, name="Basis Lead")
    deal = factories.DealFactory(lead=lead, stage=DealStage.CLOSED_WON, closed_at=timezone.now(), plan="pro",
                                 value=Decimal("8388.00"), title="Pro subscription", language="en")
    factories.CustomerFactory(deal=deal, plan="pro", monthly_amount=Decimal("699.00"), language="en")
    [commission] = commissions_for_won_deal(deal.pk)

    page = page_text(client_for(people["affiliate"], language="en").get("/affiliates/portal/commissions/"))

    basis = re.search(r'data-testid="commission-basis">([^<]+)<', page).group(1)
    assert commission.amount == Decimal("1677.60")
    assert "Won deal “Pro subscription”: value SAR 8,388.00." in basis
    assert "SAR 8,388.00 × 20 % = SAR 1,677.60." in basis


def test_an_affiliate_disputes_their_commission_and_the_amount_is_frozen(client_for, people, me):
    commission = factories.CommissionFactory(affiliate=me, approved=True, amount=Decimal("250.00"), language="en")
    client = client_for(people["affiliate"], language="en")

    form = page_text(client.get(f"/affiliates/portal/disputes/?commission={commission.pk}"))
    response = client.post("/affiliates/portal/disputes/", {
        "type": "commission", "commission": str(commission.pk), "description": "The plan was Enterprise, not Pro."})

    assert f'<option value="{commission.pk}" selected>' in form
    dispute = Dispute.objects.get(affiliate=me)
    assert response.status_code == 302 and response["Location"] == f"/affiliates/portal/disputes/{dispute.pk}/"
    assert dispute.commission == commission and dispute.amount_frozen == Decimal("250.00")
    commission.refresh_from_db()
    assert commission.status == CommissionStatus.DISPUTED
    page = page_text(client.get(response["Location"]))
    assert "The plan was Enterprise, not Pro." in page and 'data-testid="dispute-status">Open<' in page
    assert 'data-testid="appeal-form"' not in page


def test_an_affiliate_appeals_a_decided_dispute_once(client_for, people, me):
    commission = factories.CommissionFactory(affiliate=me, approved=True, amount=Decimal("250.00"), language="en")
    decided = factories.DisputeFactory(affiliate=me, commission=commission, resolved=True, language="en",
                                       resolution="The rate was right.")
    client = client_for(people["affiliate"], language="en")

    before = page_text(client.get(f"/affiliates/portal/disputes/{decided.pk}/"))
    response = client.post(f"/affiliates/portal/disputes/{decided.pk}/", {"description": "Please look again."})
    again = client.post(f"/affiliates/portal/disputes/{decided.pk}/", {"description": "And again."})

    assert "The rate was right." in before and 'data-testid="appeal-form"' in before
    appeal = Dispute.objects.get(appeal_of=decided)
    assert response["Location"] == f"/affiliates/portal/disputes/{appeal.pk}/"
    assert appeal.status == DisputeStatus.OPEN and appeal.description == "Please look again."
    assert again.status_code == 302 and Dispute.objects.filter(appeal_of=decided).count() == 1


def test_a_monthly_statement_downloads_as_a_pdf_in_each_language(client_for, people, me):
    commission = factories.CommissionFactory(affiliate=me, approved=True, amount=Decimal("250.00"), language="en")
    client = client_for(people["affiliate"], language="en")
    period = commission.period

    page = page_text(client.get("/affiliates/portal/payouts/"))
    responses = {language: client.get(f"/affiliates/portal/statements/{period:%Y-%m}/?language={language}")
                 for language in ("ar", "en")}

    assert f"/affiliates/portal/statements/{period.year}-{period.month}/?language=ar" in page
    for language, response in responses.items():
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert f'statement-{period:%Y-%m}-{language}.pdf' in response["Content-Disposition"]
