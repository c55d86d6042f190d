"""Monthly payouts (RULES.md §6): the batch, the minimum and carry-over, clawbacks, failures, the bank
file and the statements in Arabic and English."""
import csv
import datetime as dt
import io
import random
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from affiliates import payouts
from affiliates.choices import (AttributionStatus, CommissionKind, CommissionStatus, PayoutMethod, PayoutStatus)
from affiliates.models import Commission, Payout
from dealix.accounts.models import User
from dealix.core import sample_data
from dealix.core.models import AuditLog
from tests.factories import AffiliateDealFactory, AffiliateFactory, CommissionFactory, DealFactory, month_start

pytestmark = pytest.mark.django_db

THIS_MONTH = month_start(0)
LAST_MONTH = month_start(1)


@pytest.fixture
def manager(people, in_tenant_a):
    return User.objects.get(email=people["manager"].email)


@pytest.fixture
def admin(people, in_tenant_a):
    return User.objects.get(email=people["admin"].email)


def iban(seed: int = 7) -> str:
    return sample_data.saudi_iban(random.Random(seed))


def partner(name="Tariq Al-Harbi", *, seed=7, **fields):
    fields.setdefault("iban", iban(seed))
    fields.setdefault("bank_name", "Al Rajhi Bank")
    return AffiliateFactory(language="en", full_name=name, payout_method=PayoutMethod.BANK_TRANSFER, **fields)


def approved(affiliate, amount, period=LAST_MONTH, **fields):
    """An approved commission of `period`, approved a few days into that month (or now, if sooner)."""
    moment = timezone.make_aware(dt.datetime.combine(period + dt.timedelta(days=5), dt.time(10)))
    fields.setdefault("approved_at", min(moment, timezone.now()))
    return CommissionFactory(language="en", affiliate=affiliate, approved=True, amount=Decimal(amount), period=period,
                             **fields)


def build(actor, period=THIS_MONTH):
    return payouts.build_payouts(actor=actor, period=period)


def test_a_balance_under_the_minimum_is_not_paid_and_carries_over_to_the_next_batch(manager):
    affiliate = partner()
    first = approved(affiliate, "60.00", period=month_start(2))

    result = build(manager, LAST_MONTH)

    assert list(result) == [] and not Payout.objects.filter(affiliate=affiliate).exists()
    [skipped] = result.skipped
    assert skipped.affiliate == affiliate and skipped.code == "below_minimum" and skipped.amount == Decimal("60.00")
    statement = payouts.statement(affiliate, LAST_MONTH)
    assert statement.carried_over == Decimal("60.00") and statement.paid == 0
    assert statement.carried_over_reason
    assert [line.carried_over for line in statement.lines if line.commission == first] == [True]

    second = approved(affiliate, "50.00")
    [payout] = build(manager, THIS_MONTH)

    assert payout.amount == Decimal("110.00") and payout.period == THIS_MONTH
    assert set(payout.commissions.all()) == {first, second}
    assert payout.iban == affiliate.iban and payout.bank_name == "Al Rajhi Bank" and payout.reference


def test_a_clawback_is_deducted_from_the_next_payout(manager, admin):
    affiliate = partner()
    paid = CommissionFactory(language="en", affiliate=affiliate, paid=True, amount=Decimal("150.00"),
                             period=month_start(3), payout__period=month_start(2))
    clawback = Commission.objects.create(affiliate=affiliate, deal=paid.deal, kind=CommissionKind.CLAWBACK,
                                         reverses=paid, amount=Decimal("-150.00"), rate=paid.rate,
                                         status=CommissionStatus.APPROVED, period=LAST_MONTH)
    earned = approved(affiliate, "500.00")

    [payout] = build(manager)
    assert payout.amount == Decimal("350.00")
    assert set(payout.commissions.all()) == {clawback, earned}

    payouts.payout_process(actor=admin, payout=payout)
    payouts.payout_complete(actor=admin, payout=payout, reference="TRX-42")
    clawback.refresh_from_db()
    earned.refresh_from_db()
    assert clawback.status == earned.status == CommissionStatus.PAID
    statement = payouts.statement(affiliate, THIS_MONTH)
    assert statement.paid == Decimal("350.00") and statement.clawbacks == Decimal("-150.00")


def test_completing_a_payout_marks_its_commissions_and_their_attributions_paid(manager, admin):
    affiliate = partner()
    deal = DealFactory(language="en", won=True, value=Decimal("8388.00"))
    attribution = AffiliateDealFactory(language="en", affiliate=affiliate, lead=deal.lead, deal=deal,
                                       status=AttributionStatus.CONFIRMED)
    commission = approved(affiliate, "1677.60", deal=deal)

    [payout] = build(manager)
    with pytest.raises(ValidationError):  # pending → completed skips the bank
        payouts.payout_complete(actor=admin, payout=payout)
    payouts.payout_process(actor=admin, payout=payout)
    payouts.payout_complete(actor=admin, payout=payout, reference="TRX-1")

    payout.refresh_from_db()
    commission.refresh_from_db()
    attribution.refresh_from_db()
    assert payout.status == PayoutStatus.COMPLETED and payout.processed_at and payout.reference == "TRX-1"
    assert commission.status == CommissionStatus.PAID and commission.payout == payout
    assert attribution.status == AttributionStatus.PAID
    assert AuditLog.objects.filter(entity_id=commission.pk, changes__status=["approved", "paid"]).exists()


def test_a_failed_payout_returns_its_commissions_to_approved_for_the_next_batch(manager, admin):
    affiliate = partner()
    commission = approved(affiliate, "400.00")
    [payout] = build(manager)
    payouts.payout_process(actor=admin, payout=payout)

    with pytest.raises(ValidationError):
        payouts.payout_fail(actor=admin, payout=payout, reason="  ")
    payouts.payout_fail(actor=admin, payout=payout, reason="The bank refused: account closed")

    payout.refresh_from_db()
    commission.refresh_from_db()
    assert payout.status == PayoutStatus.FAILED and payout.failure_reason == "The bank refused: account closed"
    assert commission.status == CommissionStatus.APPROVED and commission.payout is None
    [retry] = build(manager)
    assert retry != payout and retry.amount == Decimal("400.00")


def test_an_iban_with_a_wrong_check_digit_is_skipped_with_its_reason_and_the_others_are_paid(manager):
    good = partner("Good Partner", seed=1)
    approved(good, "300.00")
    valid = iban(2)
    wrong = valid[:2] + f"{(int(valid[2:4]) + 1) % 100:02d}" + valid[4:]
    bad = partner("Typo Partner", seed=2)
    type(bad).objects.filter(pk=bad.pk).update(iban=wrong)  # the format passes; only the checksum is wrong
    approved(bad, "300.00")
    missing = partner("No Iban Partner", iban="")
    approved(missing, "300.00")

    result = build(manager)

    assert [payout.affiliate for payout in result] == [good]
    reasons = {skipped.affiliate.full_name: skipped.code for skipped in result.skipped}
    assert reasons == {"Typo Partner": "invalid_iban", "No Iban Partner": "missing_iban"}
    assert all(skipped.reason for skipped in result.skipped)


def test_a_wallet_payout_needs_no_iban(manager):
    affiliate = AffiliateFactory(language="en", payout_method=PayoutMethod.WALLET, wallet_account="STC Pay 0551234567")
    approved(affiliate, "150.00")

    [payout] = build(manager)

    assert payout.method == PayoutMethod.WALLET and payout.wallet_account == "STC Pay 0551234567" and payout.iban == ""


def test_held_disputed_and_pending_commissions_are_not_paid(manager):
    affiliate = partner()
    approved(affiliate, "200.00")
    approved(affiliate, "900.00", held=True, hold_reason="Risk review")
    CommissionFactory(language="en", affiliate=affiliate, status=CommissionStatus.DISPUTED, amount=Decimal("700.00"),
                      period=LAST_MONTH)
    CommissionFactory(language="en", affiliate=affiliate, amount=Decimal("800.00"), period=LAST_MONTH)

    [payout] = build(manager)

    assert payout.amount == Decimal("200.00")
    statement = payouts.statement(affiliate, LAST_MONTH)
    assert statement.held == Decimal("900.00") and statement.disputed == Decimal("700.00")


def test_building_a_month_twice_creates_nothing_new(manager):
    approved(partner("One", seed=3), "250.00")
    approved(partner("Two", seed=4), "350.00")

    first = build(manager)
    audit_rows = AuditLog.objects.count()
    second = build(manager)

    assert len(first) == 2 and list(second) == []
    assert Payout.objects.filter(period=THIS_MONTH).count() == 2
    assert AuditLog.objects.count() == audit_rows


def test_a_batch_is_built_by_managers_and_processed_by_admins_only(people, manager, admin):
    agent = User.objects.get(email=people["agent"].email)
    approved(partner(), "250.00")
    with pytest.raises(PermissionDenied):
        build(agent)
    [payout] = build(manager)
    with pytest.raises(PermissionDenied):
        payouts.payout_process(actor=manager, payout=payout)
    with pytest.raises(PermissionDenied):
        payouts.payout_fail(actor=manager, payout=payout, reason="no")
    assert payouts.payout_process(actor=admin, payout=payout).status == PayoutStatus.PROCESSING


def test_a_future_month_cannot_be_built(manager):
    with pytest.raises(ValidationError):
        build(manager, month_start(0) + dt.timedelta(days=40))


def test_the_bank_file_lists_the_transfers_in_utf8_for_excel_and_neutralises_formulas(manager, admin):
    arabic = partner("فيصل العتيبي", seed=5)
    approved(arabic, "1234.5")
    sneaky = partner("=HYPERLINK(\"http://evil\")", seed=6)
    approved(sneaky, "100")
    wallet = AffiliateFactory(language="en", payout_method=PayoutMethod.WALLET, wallet_account="0551234567")
    approved(wallet, "500")
    build(manager)

    with translation.override("en"):
        content = payouts.batch_csv(THIS_MONTH, actor=admin)

    assert content.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["Beneficiary name", "IBAN", "Bank", "Amount", "Currency", "Reference", "Period"]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"فيصل العتيبي", "'=HYPERLINK(\"http://evil\")"}  # the wallet payout is not a transfer
    assert by_name["فيصل العتيبي"][1:] == [arabic.iban, "Al Rajhi Bank", "1234.50", "SAR",
                                          by_name["فيصل العتيبي"][5], f"{THIS_MONTH:%Y-%m}"]
    assert by_name["'=HYPERLINK(\"http://evil\")"][3] == "100.00"
    assert AuditLog.objects.filter(action="export", entity_type="affiliates.payout_batch").exists()


# --- statements ---------------------------------------------------------------------------------------

def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def paid_statement_fixture(manager, admin, name):
    affiliate = partner(name)
    approved(affiliate, "1234.50")
    CommissionFactory(language="en", affiliate=affiliate, amount=Decimal("777.25"), period=THIS_MONTH)
    [payout] = build(manager)
    payouts.payout_process(actor=admin, payout=payout)
    payouts.payout_complete(actor=admin, payout=payout)
    return affiliate


def test_the_english_statement_pdf_lists_the_payout_and_each_commission(manager, admin):
    affiliate = paid_statement_fixture(manager, admin, "Tariq Al-Harbi")

    content = payouts.statement_pdf(affiliate=affiliate, period=THIS_MONTH, language="en")

    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "Partner statement" in text and "Tariq Al-Harbi" in text
    assert "SAR 1,234.50" in text and "SAR 777.25" in text
    with translation.override("en"):
        lines = payouts.statement_lines(affiliate, THIS_MONTH)
    assert {line.section for line in lines} == {"payout", "paid", "month"}
    assert all(line.basis for line in lines if line.commission is not None)



@pytest.mark.parametrize("days, arabic", [(2, "البالغة يومين"), (7, "البالغة 7 أيام"), (30, "البالغة 30 يومًا"),
                                          (100, "البالغة 100 يوم")])
def test_an_arabic_statement_line_waits_for_the_guarantee_window_of_its_number_of_days(in_tenant_a, days, arabic):
    in_tenant_a.settings = {**(in_tenant_a.settings or {}), "rules": {"guarantee_days": days}}
    affiliate = partner()
    CommissionFactory(language="en", affiliate=affiliate, amount=Decimal("300.00"), period=THIS_MONTH)

    with translation.override("ar"):
        [line] = payouts.statement_lines(affiliate, THIS_MONTH)

    assert line.note == f"بانتظار انقضاء فترة الضمان {arabic} ودفع العميل."

def test_the_arabic_statement_pdf_reads_right_to_left(manager, admin):
    affiliate = paid_statement_fixture(manager, admin, "فيصل العتيبي")

    content = payouts.statement_pdf(affiliate=affiliate, period=THIS_MONTH, language="ar")

    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/Direction"] == "/R2L"
    assert reader.trailer["/Root"]["/Lang"] == "ar"
    text = pdf_text(content)
    assert "فيصل" in text  # shaped glyphs still carry the text (a ligature may come out of order in extraction)
    assert "1,234.50" in text and "777.25" in text and ".س" in text  # riyals (ر.س.), however extraction orders it
    assert name_starts(content, "فيصل") > A4_WIDTH / 2  # set against the right margin
    english = payouts.statement_pdf(affiliate=affiliate, period=THIS_MONTH, language="en")
    assert "/ViewerPreferences" not in PdfReader(io.BytesIO(english)).trailer["/Root"]
    assert name_starts(english, "Partner statement") < A4_WIDTH / 4


A4_WIDTH = 595.28


def name_starts(content: bytes, needle: str) -> float:
    """Where on the first page the text run holding `needle` starts (points from the left edge)."""
    found = []

    def visit(text, cm, tm, font, size):
        if needle in text:
            found.append(tm[4] * cm[0] + cm[4])

    PdfReader(io.BytesIO(content)).pages[0].extract_text(visitor_text=visit)
    assert found, f"{needle!r} not on the first page"
    return found[0]


def test_staff_download_the_bank_file_and_a_statement(client_for, people, manager, admin):
    affiliate = paid_statement_fixture(manager, admin, "Tariq Al-Harbi")
    client = client_for(people["admin"], language="en")

    response = client.get(reverse("affiliates:payouts_csv", args=[f"{THIS_MONTH:%Y-%m}"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "Tariq Al-Harbi" in response.content.decode("utf-8-sig")

    response = client.get(reverse("affiliates:payout_statement", args=[affiliate.pk, THIS_MONTH.year,
                                                                       THIS_MONTH.month]) + "?language=ar")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_a_manager_builds_the_batch_from_the_page_and_sees_who_was_left_out(client_for, people, manager):
    approved(partner("Ready Partner", seed=8), "450.00")
    approved(partner("Small Partner", seed=9), "40.00")
    client = client_for(people["manager"], language="en")

    page = client.get(reverse("affiliates:payouts")).content.decode()
    assert "Ready Partner" in page and "Build the batch" in page
    assert "Small Partner" in page and "carried over" in page  # left out, with the reason

    response = client.post(reverse("affiliates:payouts_build"), {"period": f"{THIS_MONTH:%Y-%m}"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert page.count('data-testid="payout-row"') == 1 and "SAR\xa0450.00" in page
    assert "Send to the bank" not in page  # processing is an admin's
    assert client.post(reverse("affiliates:payout_process", args=[Payout.objects.get().pk])).status_code == 403


def test_an_admin_sends_and_completes_a_payout_from_its_row(client_for, people, manager):
    approved(partner(), "450.00")
    [payout] = build(manager)
    client = client_for(people["admin"], language="en")

    row = client.post(reverse("affiliates:payout_process", args=[payout.pk]), HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and "Processing" in row.content.decode() and "Mark paid" in row.content.decode()
    row = client.post(reverse("affiliates:payout_complete", args=[payout.pk]), {"reference": "TRX-77"},
                      HTTP_HX_REQUEST="true")
    assert "Completed" in row.content.decode()
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.COMPLETED and payout.reference == "TRX-77"

    row = client.post(reverse("affiliates:payout_fail", args=[payout.pk]), {"reason": "late"}, HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and "cannot go from" in row.content.decode()  # a completed payout stays so


def test_the_affiliate_hears_when_a_payout_is_paid_or_fails(manager, admin, django_capture_on_commit_callbacks):
    from dealix.core.models import Notification
    affiliate = partner()
    approved(affiliate, "400.00")
    [payout] = build(manager)
    payouts.payout_process(actor=admin, payout=payout)
    with django_capture_on_commit_callbacks(execute=True):
        payouts.payout_fail(actor=admin, payout=payout, reason="The bank refused: account closed")
    failed = Notification.objects.get(user=affiliate.user, type="payout", channel="in_app")
    assert "account closed" in failed.body

    [retry] = build(manager)
    payouts.payout_process(actor=admin, payout=retry)
    with django_capture_on_commit_callbacks(execute=True):
        payouts.payout_complete(actor=admin, payout=retry, reference="TRX-991")
    paid = Notification.objects.filter(user=affiliate.user, type="payout", channel="in_app").latest("created_at")
    assert "400.00" in paid.title and paid.body == "TRX-991"
