"""The partner portal in a real browser, on a phone, in Arabic: an affiliate logs in, copies their
referral link, registers a lead they talked to, and — once the sales team has won the deal and a manager
has approved the commission — finds the commission in the portal."""
import datetime as dt
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from tests.conftest import PASSWORD

AFFILIATE_EMAIL = "affiliate@a.test"
CODE = "PORTALB01"
LEAD_NAME = "سلمان العتيبي"


@pytest.fixture
def partnership(django_db_blocker):
    """Committed (the browser's server is another process): an active partnership for tenant A's
    affiliate login, paid by bank transfer."""
    from django.db import connection
    from django.utils import timezone

    from affiliates.choices import AffiliateStatus, Tier
    from affiliates.models import Affiliate
    from dealix.accounts.models import User

    with django_db_blocker.unblock(), schema_context("tenant_a"):
        user = User.objects.get(email=AFFILIATE_EMAIL)
        Affiliate.objects.update_or_create(user=user, defaults={
            "full_name": user.full_name, "email": user.email, "status": AffiliateStatus.ACTIVE, "tier": Tier.BRONZE,
            "referral_code": CODE, "approved_at": timezone.now() - dt.timedelta(days=60),
            "iban": "SA0380000000608010167519", "risk_score": 0})
        connection.close()


def close_the_deal_and_approve_the_commission(django_db_blocker) -> Decimal:
    """What the sales team and a manager do in the CRM, through the same services their pages call: the
    lead is qualified and converted, its deal closes won on the Pro plan, the customer's first payment is
    confirmed, and — the customer having been active for 31 days, past the guarantee window — a manager
    approves the commission the won deal created."""
    from django.db import connection
    from django.utils import timezone

    from affiliates.commissions import commission_approve
    from affiliates.models import Commission
    from crm import services
    from crm.choices import DealStage, LeadStatus
    from crm.models import Customer, Deal, Lead
    from dealix.accounts.models import User

    with django_db_blocker.unblock(), schema_context("tenant_a"):
        try:
            manager = User.objects.get(email="manager@a.test")
            admin = User.objects.get(email="admin@a.test")
            lead = Lead.objects.get(full_name=LEAD_NAME)
            for status in (LeadStatus.CONTACTED, LeadStatus.QUALIFIED):
                lead = services.lead_change_status(actor=manager, lead=lead, status=status)
            deal = services.lead_convert(actor=manager, lead=lead, deal_title="اشتراك Dealix الاحترافي",
                                         deal_value=Decimal("8388.00"))
            Deal.objects.filter(pk=deal.pk).update(plan="pro")
            services.deal_move(actor=manager, deal=Deal.objects.get(pk=deal.pk), stage=DealStage.CLOSED_WON)
            customer = Customer.objects.get(deal=deal)
            Customer.objects.filter(pk=customer.pk).update(activated_at=timezone.now() - dt.timedelta(days=31),
                                                          plan="pro", monthly_amount=Decimal("699.00"))
            services.payment_record(actor=admin, customer=customer, period=timezone.localdate(),
                                    amount=Decimal("8388.00"))
            commission = Commission.objects.get(deal=deal)
            commission = commission_approve(actor=manager, commission=commission)
            amount = commission.amount
        finally:
            connection.close()  # the server and the test database's teardown must not wait for this session
    return amount


@pytest.fixture
def phone(browser):
    """A phone-sized page in Arabic that may read back what it copied to the clipboard."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ar-SA",
                                  permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_an_affiliate_copies_the_link_registers_a_lead_and_sees_the_approved_commission(server, phone, partnership,
                                                                                        django_db_blocker):
    page = phone
    page.goto(server.url("tenant-a", "/accounts/login/"))
    page.fill("input[name=username]", AFFILIATE_EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(server.url("tenant-a", "/affiliates/portal/"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    link = page.get_by_test_id("referral-link").input_value()
    assert link == server.url("tenant-a", f"/forms/lead/?ref={CODE}")
    page.get_by_test_id("copy-link").click()
    page.wait_for_selector("[data-testid=copy-link][data-copied=true]")
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert page.get_by_test_id("referral-qr").locator("svg").is_visible()

    page.get_by_test_id("register-lead-button").click()
    page.fill("#id_full_name", LEAD_NAME)
    page.fill("#id_phone", "0559871234")
    page.fill("#id_company_name", "مؤسسة العتيبي للتجارة")
    page.select_option("#id_sector", "retail")
    page.check("#id_consent_whatsapp")
    page.check("#id_consent_phone")
    page.get_by_test_id("register-lead").click()
    page.wait_for_url(server.url("tenant-a", "/affiliates/portal/referrals/"))
    registered = page.locator("[data-testid=referral]", has_text=LEAD_NAME)
    assert registered.get_attribute("data-stage") == "new"
    assert "+966559871234" in registered.inner_text()

    amount = close_the_deal_and_approve_the_commission(django_db_blocker)

    page.get_by_test_id("nav-commissions").click()
    commission = page.locator("[data-testid=commission]", has_text=LEAD_NAME)
    commission.wait_for()
    assert commission.get_attribute("data-status") == "approved"
    assert amount == Decimal("1677.60")
    assert "1,677.60" in commission.get_by_test_id("commission-amount").inner_text()
    page.goto(server.url("tenant-a", "/affiliates/portal/referrals/"))
    assert page.locator("[data-testid=referral]", has_text=LEAD_NAME).get_attribute("data-stage") == "won"
