"""Fraud holds on affiliate referrals (RULES.md §6): each signal with its evidence, the risk score, a
score over 80 holding every commission and suspending the partner pending review (nobody terminated),
and the managers' review, which lowers the score and lets a manager release what was held."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from affiliates import fraud
from affiliates.choices import AffiliateStatus, AttributionSource, CommissionStatus, RiskSignalKind
from affiliates.models import Affiliate, AffiliateDeal, Commission, RiskSignal
from crm.capture import lead_capture
from crm.choices import DealStage
from crm.models import Deal, Lead
from dealix.accounts.models import User
from dealix.core.models import AuditLog, Notification
from tests import factories
from tests.conftest import user_of

pytestmark = pytest.mark.django_db

OWN_PHONE = "+966501234567"
VISITOR_IP = "203.0.113.9"


@pytest.fixture
def noura(in_tenant_a):
    return factories.AffiliateFactory(full_name="Noura Al-Harbi", phone=OWN_PHONE, email="noura@example.sa",
                                      referral_code="NOURA001", risk_score=0, language="en",
                                      approved_at=timezone.now() - dt.timedelta(days=200))


@pytest.fixture
def manager(people):
    """Tenant A's manager, reading in English (alerts are written in the reader's language)."""
    user = user_of(people["manager"])
    User.objects.filter(pk=user.pk).update(language="en")
    user.language = "en"
    return user


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def referral(affiliate, *, at=None, source=AttributionSource.FORM, **lead_fields) -> Lead:
    at = at or timezone.now()
    lead = Lead.objects.create(full_name=lead_fields.pop("full_name", "Referred lead"), **lead_fields)
    AffiliateDeal.objects.create(affiliate=affiliate, lead=lead, attributed_at=at, expires_at=at + dt.timedelta(days=90),
                                 source=source)
    return lead


def commission_on(affiliate, lead, **fields) -> Commission:
    deal = Deal.objects.create(lead=lead, title="Subscription", stage=DealStage.CLOSED_WON, value=Decimal(10000),
                               closed_at=timezone.now())
    return factories.CommissionFactory(affiliate=affiliate, deal=deal, amount=Decimal(2000), language="en", **fields)


def alerts_for(user):
    return Notification.objects.filter(user=user, type="affiliate_alert", channel="in_app")


# --- each signal, with its evidence ----------------------------------------------------------------

def test_the_partners_own_phone_on_a_lead_is_a_self_referral_that_holds_that_leads_commission(noura, manager):
    lead = referral(noura, full_name="My cousin", phone=OWN_PHONE)
    on_lead = commission_on(noura, lead)
    elsewhere = commission_on(noura, referral(noura, full_name="Real customer"))

    [signal] = fraud.check_lead(lead.pk)

    assert signal.kind == RiskSignalKind.SELF_REFERRAL and signal.lead == lead
    assert signal.evidence == {"matched_on": ["phone"], "values": {"phone": [OWN_PHONE]}}
    assert fraud.describe(signal) == ["The lead carries the affiliate's own phone."]
    noura.refresh_from_db()
    assert noura.risk_score == fraud.SIGNAL_POINTS[RiskSignalKind.SELF_REFERRAL] == 50
    assert noura.status == AffiliateStatus.ACTIVE  # one signal is not over 80
    on_lead.refresh_from_db()
    elsewhere.refresh_from_db()
    assert on_lead.held and on_lead.hold_reason
    assert not elsewhere.held
    [alert] = alerts_for(manager)
    assert "Noura Al-Harbi" in alert.title and "risk score 50" in alert.title
    assert AuditLog.objects.filter(entity_type="affiliates.risksignal", entity_id=signal.pk, action="create").exists()

    assert fraud.check_lead(lead.pk) == []  # checked again: nothing new
    assert RiskSignal.objects.filter(affiliate=noura).count() == 1


def test_the_partners_own_email_on_the_leads_contact_is_a_self_referral_too(noura):
    lead = referral(noura, full_name="Someone")
    factories.ContactFactory(lead=lead, email="Noura@Example.sa", phone="", whatsapp="", language="en")

    [signal] = fraud.check_lead(lead.pk)

    assert signal.kind == RiskSignalKind.SELF_REFERRAL and signal.evidence["matched_on"] == ["email"]


def test_a_lead_with_the_phone_of_a_lead_we_already_had_is_a_duplicate(noura):
    earlier = Lead.objects.create(full_name="Already ours", phone="+966555000111")
    lead = referral(noura, full_name="Same person", phone="+966555000111", email="new@example.sa")

    [signal] = fraud.check_lead(lead.pk)

    assert signal.kind == RiskSignalKind.DUPLICATE_LEAD
    assert signal.evidence == {"duplicate_of": [str(earlier.pk)], "matched_on": ["phone"]}
    assert signal.points == 20
    assert fraud.describe(signal) == ["Same phone as 1 other lead."]
    assert fraud.evidence_lead_ids(signal) == [str(earlier.pk)]


def test_claiming_a_lead_we_had_for_days_is_a_duplicate(noura):
    lead = Lead.objects.create(full_name="Known for a while", email="known@example.sa")
    Lead.objects.filter(pk=lead.pk).update(created_at=timezone.now() - dt.timedelta(days=3, hours=1))
    AffiliateDeal.objects.create(affiliate=noura, lead=lead, attributed_at=timezone.now(),
                                 expires_at=timezone.now() + dt.timedelta(days=90))

    [signal] = fraud.check_lead(lead.pk)

    assert signal.kind == RiskSignalKind.DUPLICATE_LEAD and signal.evidence["existed_before_referral"] is True
    assert fraud.describe(signal) == ["The lead was already ours 3 days before the affiliate referred it."]


def test_a_week_over_three_times_the_usual_rate_is_a_lead_spike(noura):
    this_week = fraud._week_start(timezone.now())
    for week in range(1, 9):  # two leads a week for eight weeks
        for hour in (10, 14):
            referral(noura, at=this_week - dt.timedelta(weeks=week) + dt.timedelta(days=2, hours=hour))
    now = timezone.now()
    leads = [referral(noura, at=now) for _number in range(10)]

    # 10 leads is over 3 × 2 but not over the minimum of 10: not yet a spike.
    assert fraud.check_lead(leads[-1].pk) == []
    eleventh = referral(noura, at=now)
    [signal] = fraud.check_lead(eleventh.pk)

    assert signal.kind == RiskSignalKind.LEAD_SPIKE
    assert signal.evidence == {"week_start": this_week.date().isoformat(), "leads_this_week": 11,
                               "weekly_average": "2.0", "weeks_compared": 8, "factor": 3, "minimum": 10}
    assert "11 leads in the week" in fraud.describe(signal)[0]
    # One spike signal for the week, however many more leads arrive in it.
    assert fraud.check_lead(referral(noura, at=now).pk) == []


def test_a_new_partners_first_handful_of_leads_is_no_spike(in_tenant_a):
    newcomer = factories.AffiliateFactory(risk_score=0, language="en", approved_at=timezone.now() - dt.timedelta(days=2))
    leads = [referral(newcomer) for _number in range(6)]

    assert fraud.check_lead(leads[-1].pk) == []


def submit_lead_form(number: int, ip: str) -> Lead:
    """The public lead form with ?ref=NOURA001, as a visitor at `ip` sends it (consenting to email)."""
    return lead_capture(data={"full_name": f"Visitor {number}", "phone": f"+96655{number:07d}", "email": "",
                              "company_name": "", "sector": "", "city": "", "message": "", "ref": "NOURA001"},
                        channels=["email"], ip_address=ip)


def test_five_leads_from_one_ip_address_in_a_day_raise_one_signal(noura, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(4):
            submit_lead_form(number, VISITOR_IP)
    assert not RiskSignal.objects.filter(affiliate=noura).exists()

    with django_capture_on_commit_callbacks(execute=True):
        fifth = submit_lead_form(4, VISITOR_IP)
    [signal] = RiskSignal.objects.filter(affiliate=noura)
    assert signal.kind == RiskSignalKind.SHARED_IP and signal.lead == fifth
    assert signal.evidence["ip_address"] == VISITOR_IP and len(signal.evidence["leads"]) == 5
    assert fraud.describe(signal) == [f"5 leads from the IP address {VISITOR_IP} within 24 hours."]

    with django_capture_on_commit_callbacks(execute=True):
        sixth = submit_lead_form(5, VISITOR_IP)
        submit_lead_form(6, "198.51.100.20")
    [signal] = RiskSignal.objects.filter(affiliate=noura)  # the burst stays one signal, and grows
    assert str(sixth.pk) in signal.evidence["leads"] and len(signal.evidence["leads"]) == 6
    noura.refresh_from_db()
    assert noura.risk_score == 50



def shared_ip_signal(leads: int) -> RiskSignal:
    return RiskSignal(kind=RiskSignalKind.SHARED_IP, evidence={
        "ip_address": VISITOR_IP, "hours": 24, "leads": [f"lead-{number}" for number in range(leads)]})


@pytest.mark.parametrize("leads, arabic", [
    (1, "ورد عميل محتمل واحد من عنوان IP"),
    (2, "ورد عميلان محتملان من عنوان IP"),
    (5, "ورد 5 عملاء محتملين من عنوان IP"),
    (11, "ورد 11 عميلًا محتملًا من عنوان IP"),
    (100, "ورد 100 عميل محتمل من عنوان IP"),
])
def test_the_shared_address_evidence_counts_the_leads_in_arabic(leads, arabic):
    with translation.override("ar"):
        [sentence] = fraud.describe(shared_ip_signal(leads))

    assert sentence == f"{arabic} {VISITOR_IP} خلال مدة عدد ساعاتها 24."


def test_the_shared_address_evidence_of_one_lead_reads_in_english_too():
    assert fraud.describe(shared_ip_signal(1)) == [f"1 lead from the IP address {VISITOR_IP} within 24 hours."]


@pytest.mark.parametrize("leads, arabic", [(3, "ورد 3 عملاء محتملين"), (11, "ورد 11 عميلًا محتملًا"),
                                           (200, "ورد 200 عميل محتمل")])
def test_the_lead_spike_evidence_counts_the_leads_in_arabic(leads, arabic):
    signal = RiskSignal(kind=RiskSignalKind.LEAD_SPIKE, evidence={
        "week_start": "2026-11-22", "leads_this_week": leads, "weekly_average": "2.0", "weeks_compared": 8,
        "factor": 3, "minimum": 10})

    with translation.override("ar"):
        [sentence] = fraud.describe(signal)

    assert sentence.startswith(f"{arabic} في الأسبوع الذي يبدأ في 2026-11-22،")
    assert "(وعددها 8)" in sentence

def test_leads_a_partner_types_in_the_portal_share_the_partners_own_address_and_raise_nothing(noura):
    leads = [referral(noura, source=AttributionSource.PORTAL) for _number in range(6)]

    for lead in leads:
        assert fraud.check_lead(lead.pk, ip_address=VISITOR_IP) == []


# --- over the threshold ----------------------------------------------------------------------------

@pytest.fixture
def over_the_threshold(noura, manager):
    """A spike signal still open (40 points) and a self-referral (50): 90, over 80."""
    pending = commission_on(noura, referral(noura, full_name="Customer one"))
    approved = commission_on(noura, referral(noura, full_name="Customer two"), approved=True)
    paid = commission_on(noura, referral(noura, full_name="Customer three"), paid=True)
    spike = factories.RiskSignalFactory(affiliate=noura, kind=RiskSignalKind.LEAD_SPIKE, points=40,
                                        lead=referral(noura), evidence={"week_start": "2026-01-04"}, language="en")
    fraud.recompute_risk(noura)
    [self_referral] = fraud.check_lead(referral(noura, phone=OWN_PHONE).pk)
    noura.refresh_from_db()
    return {"pending": pending, "approved": approved, "paid": paid, "spike": spike, "self_referral": self_referral}


def test_a_score_over_80_holds_every_commission_and_suspends_the_partner_pending_review(noura, manager,
                                                                                         over_the_threshold):
    assert noura.risk_score == 90
    assert noura.status == AffiliateStatus.SUSPENDED
    assert "90" in noura.status_reason
    for name in ("pending", "approved"):
        commission = Commission.objects.get(pk=over_the_threshold[name].pk)
        assert commission.held and commission.status != CommissionStatus.CANCELLED
    assert not Commission.objects.get(pk=over_the_threshold["paid"].pk).held
    assert AuditLog.objects.filter(entity_type="affiliates.affiliate", entity_id=noura.pk,
                                   changes__status=["active", "suspended"]).exists()
    assert any("suspended pending review" in alert.title for alert in alerts_for(manager))


def test_nobody_is_terminated_automatically_however_high_the_score(noura, over_the_threshold):
    for number in range(5):
        fraud.check_lead(referral(noura, full_name=f"Cousin {number}", phone=OWN_PHONE).pk)

    noura.refresh_from_db()
    assert noura.risk_score == 100
    assert noura.status == AffiliateStatus.SUSPENDED
    assert not Affiliate.objects.filter(status=AffiliateStatus.TERMINATED).exists()


# --- the review ------------------------------------------------------------------------------------

def test_dismissing_a_signal_lowers_the_score_and_a_manager_then_releases_what_was_held(noura, manager,
                                                                                       over_the_threshold):
    with pytest.raises(ValidationError):  # still over 80: nothing to release yet
        fraud.release_held(actor=manager, affiliate=noura)

    fraud.review_signal(actor=manager, signal=over_the_threshold["self_referral"], confirm=False,
                        note="Her sister's company; she told us before. Not fraud.")

    noura.refresh_from_db()
    assert noura.risk_score == 40
    assert noura.status == AffiliateStatus.SUSPENDED  # reinstating is a person's separate decision
    assert Commission.objects.get(pk=over_the_threshold["pending"].pk).held  # not released automatically

    assert fraud.release_held(actor=manager, affiliate=noura) == 2  # the pending and the approved one
    assert not Commission.objects.filter(affiliate=noura, held=True).exists()
    signal = RiskSignal.objects.get(pk=over_the_threshold["self_referral"].pk)
    assert signal.reviewed_by == manager and signal.review_note.startswith("Her sister") and fraud.is_dismissed(signal)


def test_confirming_a_signal_keeps_its_points(noura, manager, over_the_threshold):
    fraud.review_signal(actor=manager, signal=over_the_threshold["spike"], note="Bought leads.", confirm=True)

    noura.refresh_from_db()
    assert noura.risk_score == 90
    assert not fraud.is_dismissed(RiskSignal.objects.get(pk=over_the_threshold["spike"].pk))


@pytest.mark.parametrize("role", ["agent", "viewer", "affiliate"])
def test_only_managers_and_up_review_signals(role, noura, people, over_the_threshold):
    signal = over_the_threshold["self_referral"]

    with pytest.raises(PermissionDenied):
        fraud.review_signal(actor=user_of(people[role]), signal=signal, note="Looks fine")

    assert RiskSignal.objects.get(pk=signal.pk).reviewed_at is None


def test_a_review_needs_a_note_and_happens_once(noura, manager, over_the_threshold):
    signal = over_the_threshold["self_referral"]
    with pytest.raises(ValidationError) as error:
        fraud.review_signal(actor=manager, signal=signal, note="  ")
    assert "note" in error.value.message_dict
    assert RiskSignal.objects.get(pk=signal.pk).reviewed_at is None

    fraud.review_signal(actor=manager, signal=signal, note="Checked.")
    with pytest.raises(ValidationError):
        fraud.review_signal(actor=manager, signal=signal, note="Checked again.", confirm=True)


# --- the risk page ---------------------------------------------------------------------------------

def test_the_risk_page_shows_open_signals_with_their_evidence_and_takes_a_review(noura, people, client_for,
                                                                                  over_the_threshold):
    factories.AffiliateFactory(risk_score=0, language="en")  # nothing against them: not listed
    client = client_for(people["manager"], language="en")
    page = client.get("/affiliates/risk/")
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count('data-testid="risk-signal"') == 2
    assert text.count('data-testid="watched-affiliate"') == 1
    assert "The lead carries the affiliate&#x27;s own phone." in text

    signal = over_the_threshold["self_referral"]
    empty = client.post(f"/affiliates/risk/signals/{signal.pk}/review/",
                        {f"signal-{signal.pk}-note": "", f"signal-{signal.pk}-decision": "dismiss"})
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()

    done = client.post(f"/affiliates/risk/signals/{signal.pk}/review/",
                       {f"signal-{signal.pk}-note": "Known family business.", f"signal-{signal.pk}-decision": "dismiss"})
    assert done.status_code == 302
    noura.refresh_from_db()
    assert noura.risk_score == 40
    assert client.get("/affiliates/risk/").content.decode().count('data-testid="risk-signal"') == 1


def test_the_risk_page_reads_in_arabic(noura, people, client_for, over_the_threshold):
    page = client_for(people["manager"], language="ar").get("/affiliates/risk/")

    assert page.status_code == 200 and 'dir="rtl"' in page.content.decode()


@pytest.mark.parametrize("role, status", [("agent", 403), ("affiliate", 403), ("viewer", 200)])
def test_who_reaches_the_risk_page(role, status, noura, people, client_for):
    assert client_for(people[role]).get("/affiliates/risk/").status_code == status


def test_a_viewer_reads_the_risk_page_but_cannot_review(noura, people, client_for, over_the_threshold):
    client = client_for(people["viewer"], language="en")
    signal = over_the_threshold["self_referral"]

    assert 'data-testid="review-form"' not in client.get("/affiliates/risk/").content.decode()
    response = client.post(f"/affiliates/risk/signals/{signal.pk}/review/",
                           {f"signal-{signal.pk}-note": "ok", f"signal-{signal.pk}-decision": "dismiss"})
    assert response.status_code == 403
    assert RiskSignal.objects.get(pk=signal.pk).reviewed_at is None
