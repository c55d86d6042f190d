"""Who brought a lead (RULES.md §6): the first affiliate to register it holds it for 90 days (+30 while
its deal is in negotiation); same-day ties go to a recorded direct interaction; an admin may split or
move a lead; only an approved or active affiliate's code attributes anything, and only in its tenant."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context

from affiliates import attribution
from affiliates.attribution import (attribute_lead, attribution_split, attributions_for_won_deal,
                                    current_attributions, expire_attributions, register_lead_by_affiliate)
from affiliates.choices import AffiliateStatus, AttributionStatus
from affiliates.models import AffiliateDeal
from compliance.models import Consent
from crm import bookings, imports, services
from crm.capture import new_form_token
from crm.choices import DealStage
from crm.models import Contact, Lead
from dealix.core.models import AuditLog, Notification
from tests.conftest import user_of
from tests.factories import AffiliateFactory, DealFactory, LeadFactory

pytestmark = pytest.mark.django_db

RIYADH = ZoneInfo("Asia/Riyadh")
TENANT_A_HOST = "tenant-a.localhost"
DAY = dt.timedelta(days=1)


def claim(affiliate, lead, *, at=None, direct_interaction=False, source="form"):
    return attribute_lead(lead=lead, code=affiliate.referral_code, source=source, at=at,
                          direct_interaction=direct_interaction)


def riyadh(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=RIYADH)


def holders_of(lead) -> dict:
    return {row.affiliate_id: row.share_percent for row in current_attributions(lead)}


@pytest.fixture
def admin(in_tenant_a, people):
    return user_of(people["admin"])


@pytest.fixture
def manager(in_tenant_a, people):
    return user_of(people["manager"])


# --- who holds a lead ----------------------------------------------------------------------------

def test_the_first_affiliate_to_register_a_lead_holds_it_and_a_later_claim_is_a_conflict(in_tenant_a):
    first, second = AffiliateFactory(), AffiliateFactory()
    lead = LeadFactory()
    registered = timezone.now() - 10 * DAY

    held = claim(first, lead, at=registered)
    later = claim(second, lead, at=registered + 3 * DAY, direct_interaction=True)

    assert held.status == AttributionStatus.PENDING and held.expires_at == registered + 90 * DAY
    assert later.status == AttributionStatus.REJECTED  # kept, for managers to see
    assert holders_of(lead) == {first.pk: Decimal("100.00")}
    assert list(attribution.conflicts()) == [later]
    assert AuditLog.objects.filter(entity_type="affiliates.affiliatedeal", entity_id=later.pk).exists()


def test_the_same_affiliate_claiming_again_changes_nothing(in_tenant_a):
    affiliate, lead = AffiliateFactory(), LeadFactory()

    first = claim(affiliate, lead, at=timezone.now() - 5 * DAY)
    again = claim(affiliate, lead)

    assert again.pk == first.pk and again.attributed_at == first.attributed_at
    assert AffiliateDeal.objects.filter(lead=lead).count() == 1


def test_referral_codes_match_whatever_their_case(in_tenant_a):
    affiliate, lead = AffiliateFactory(referral_code="NOURA77"), LeadFactory()

    row = attribute_lead(lead=lead, code=" noura-77 ", source="form")

    assert row.affiliate == affiliate and row.status == AttributionStatus.PENDING


def test_the_window_is_ninety_days_and_a_claim_on_day_91_wins(in_tenant_a):
    first, second = AffiliateFactory(), AffiliateFactory()
    lead = LeadFactory()
    registered = timezone.now() - 91 * DAY
    held = claim(first, lead, at=registered)

    on_day_89 = claim(second, lead, at=registered + 89 * DAY)
    assert on_day_89.status == AttributionStatus.REJECTED
    assert expire_attributions() == 1
    assert expire_attributions() == 0  # the job is idempotent
    on_day_91 = claim(second, lead)

    held.refresh_from_db()
    assert held.status == AttributionStatus.EXPIRED
    assert on_day_91.pk == on_day_89.pk and on_day_91.status == AttributionStatus.PENDING
    assert on_day_91.expires_at == on_day_91.attributed_at + 90 * DAY
    assert holders_of(lead) == {second.pk: Decimal("100.00")}


def test_a_claim_after_the_window_wins_even_before_the_expiry_job_ran(in_tenant_a):
    first, second = AffiliateFactory(), AffiliateFactory()
    lead = LeadFactory()
    held = claim(first, lead, at=timezone.now() - 91 * DAY)

    won = claim(second, lead)

    held.refresh_from_db()
    assert held.status == AttributionStatus.EXPIRED and won.status == AttributionStatus.PENDING


def test_negotiation_adds_thirty_days_while_the_deal_is_in_it(in_tenant_a, manager,
                                                               django_capture_on_commit_callbacks):
    first, second = AffiliateFactory(), AffiliateFactory()
    lead = LeadFactory()
    registered = timezone.now() - 85 * DAY
    held = claim(first, lead, at=registered)
    deal = DealFactory(lead=lead, stage=DealStage.PROPOSAL)

    with django_capture_on_commit_callbacks(execute=True):
        services.deal_move(actor=manager, deal=deal, stage=DealStage.NEGOTIATION)
    held.refresh_from_db()
    assert held.expires_at == registered + 120 * DAY
    assert claim(second, lead, at=registered + 95 * DAY).status == AttributionStatus.REJECTED  # still the first's
    assert expire_attributions((registered + 100 * DAY).isoformat()) == 0

    with django_capture_on_commit_callbacks(execute=True):
        services.deal_move(actor=manager, deal=deal, stage=DealStage.PROPOSAL)
    held.refresh_from_db()
    assert held.expires_at == registered + 90 * DAY
    assert expire_attributions((registered + 100 * DAY).isoformat()) == 1


def test_a_window_that_already_ran_out_is_not_brought_back_by_negotiation(in_tenant_a, manager,
                                                                          django_capture_on_commit_callbacks):
    affiliate, lead = AffiliateFactory(), LeadFactory()
    registered = timezone.now() - 95 * DAY
    held = claim(affiliate, lead, at=registered)
    deal = DealFactory(lead=lead, stage=DealStage.PROPOSAL)

    with django_capture_on_commit_callbacks(execute=True):
        services.deal_move(actor=manager, deal=deal, stage=DealStage.NEGOTIATION)

    held.refresh_from_db()
    assert held.expires_at == registered + 90 * DAY and current_attributions(lead) == []


def test_a_lead_arriving_while_its_deal_is_in_negotiation_gets_the_longer_window(in_tenant_a):
    affiliate, lead = AffiliateFactory(), LeadFactory()
    DealFactory(lead=lead, stage=DealStage.NEGOTIATION)

    row = claim(affiliate, lead)

    assert row.expires_at == row.attributed_at + 120 * DAY


# --- same-day ties -------------------------------------------------------------------------------

def test_a_same_day_claim_with_a_direct_interaction_wins_over_one_without(in_tenant_a):
    first, second = AffiliateFactory(), AffiliateFactory()
    lead = LeadFactory()
    day = timezone.localdate(timezone.now() - 2 * DAY, RIYADH)

    morning = claim(first, lead, at=riyadh(day, 9))
    evening = claim(second, lead, at=riyadh(day, 21), direct_interaction=True, source="portal")

    morning.refresh_from_db()
    assert evening.status == AttributionStatus.PENDING and morning.status == AttributionStatus.REJECTED
    assert holders_of(lead) == {second.pk: Decimal("100.00")}
    [explained] = attribution.explain_conflicts(attribution.conflicts())
    assert explained["claim"] == morning and not explained["claim"].needs_admin


def test_a_same_day_claim_without_a_direct_interaction_loses_to_one_with(in_tenant_a):
    first, second = AffiliateFactory(), AffiliateFactory()
    lead = LeadFactory()
    day = timezone.localdate(timezone.now() - 2 * DAY, RIYADH)

    claim(first, lead, at=riyadh(day, 9), direct_interaction=True)
    later = claim(second, lead, at=riyadh(day, 10))

    assert later.status == AttributionStatus.REJECTED and holders_of(lead) == {first.pk: Decimal("100.00")}
    assert not attribution.conflicts(needs_admin=True).exists()


def test_a_same_day_tie_keeps_the_first_and_waits_for_an_admin(in_tenant_a, admin):
    first, second = AffiliateFactory(), AffiliateFactory()
    lead = LeadFactory()
    day = timezone.localdate(timezone.now() - 2 * DAY, RIYADH)

    claim(first, lead, at=riyadh(day, 9), direct_interaction=True)
    tie = claim(second, lead, at=riyadh(day, 16), direct_interaction=True)

    assert tie.status == AttributionStatus.REJECTED and holders_of(lead) == {first.pk: Decimal("100.00")}
    assert list(attribution.conflicts(needs_admin=True)) == [tie]
    alert = Notification.objects.get(user=admin, type="affiliate_alert", channel="in_app")
    assert alert.url == f"/affiliates/attribution/leads/{lead.pk}/" and lead.full_name in alert.title
    attribution_split(actor=admin, lead=lead, shares={first: 50, second: 50}, note="Both met the client.")
    assert not attribution.conflicts(needs_admin=True).exists()


def test_the_day_of_a_tie_is_the_riyadh_day_not_the_utc_day(in_tenant_a):
    first, second = AffiliateFactory(), AffiliateFactory()
    lead = LeadFactory()
    day = timezone.localdate(timezone.now() - 3 * DAY, RIYADH)

    claim(first, lead, at=riyadh(day, 23))                    # 20:00 UTC
    next_day = claim(second, lead, at=riyadh(day + DAY, 1), direct_interaction=True)  # 22:00 UTC, same UTC day

    assert next_day.status == AttributionStatus.REJECTED and holders_of(lead) == {first.pk: Decimal("100.00")}


# --- an admin's split ----------------------------------------------------------------------------

def test_an_admin_split_must_add_up_to_exactly_100_and_is_audited(in_tenant_a, admin):
    first, second = AffiliateFactory(), AffiliateFactory()
    lead = LeadFactory()
    held = claim(first, lead, at=timezone.now() - 4 * DAY)
    claim(second, lead)

    for shares in ({first: "60", second: "30"}, {first: "60.005", second: "39.995"}, {first: "-10", second: "110"}):
        with pytest.raises(ValidationError) as refused:
            attribution_split(actor=admin, lead=lead, shares=shares, note="Split")
        assert "shares" in refused.value.message_dict
    with pytest.raises(ValidationError) as no_note:
        attribution_split(actor=admin, lead=lead, shares={first: 50, second: 50}, note="  ")
    assert "note" in no_note.value.message_dict
    assert holders_of(lead) == {first.pk: Decimal("100.00")}  # nothing changed

    attribution_split(actor=admin, lead=lead, shares={first: Decimal("66.67"), second: Decimal("33.33")},
                      note="The second partner ran the demo.")

    assert holders_of(lead) == {first.pk: Decimal("66.67"), second.pk: Decimal("33.33")}
    rows = {row.affiliate_id: row for row in current_attributions(lead)}
    assert rows[second.pk].expires_at == held.expires_at  # the lead's running window, not a new one
    record = AuditLog.objects.get(entity_type="crm.lead", entity_id=lead.pk, changes__has_key="attribution_shares")
    assert record.user == admin and record.changes["attribution_note"][1] == "The second partner ran the demo."
    assert record.changes["attribution_shares"] == [{str(first.pk): "100.00"},
                                                    {str(first.pk): "66.67", str(second.pk): "33.33"}]


def test_an_admin_moves_a_lead_to_another_affiliate(in_tenant_a, admin):
    first, other = AffiliateFactory(), AffiliateFactory()
    lead = LeadFactory()
    held = claim(first, lead)

    attribution_split(actor=admin, lead=lead, shares={other.pk: 100}, note="Registered under the wrong partner.")

    held.refresh_from_db()
    assert holders_of(lead) == {other.pk: Decimal("100.00")}
    assert held.status == AttributionStatus.REJECTED and held.note == "Registered under the wrong partner."
    assert AffiliateDeal.objects.get(lead=lead, affiliate=other).source == "admin"


def test_only_an_admin_may_split_and_not_to_a_suspended_affiliate(in_tenant_a, admin, manager):
    first, suspended = AffiliateFactory(), AffiliateFactory(suspended=True)
    lead = LeadFactory()
    claim(first, lead)

    with pytest.raises(PermissionDenied):
        attribution_split(actor=manager, lead=lead, shares={first: 100}, note="Mine")
    with pytest.raises(ValidationError):
        attribution_split(actor=admin, lead=lead, shares={first: 50, suspended: 50}, note="Half each")
    assert holders_of(lead) == {first.pk: Decimal("100.00")}


# --- codes that attribute nothing ----------------------------------------------------------------

@pytest.mark.parametrize("status", [AffiliateStatus.SUSPENDED, AffiliateStatus.TERMINATED])
def test_a_suspended_or_terminated_affiliates_code_attributes_nothing_and_says_so(in_tenant_a, status, caplog):
    affiliate = AffiliateFactory(status=status)
    lead = LeadFactory()

    assert attribute_lead(lead=lead, code=affiliate.referral_code, source="form") is None

    assert not AffiliateDeal.objects.filter(lead=lead).exists()
    record = AuditLog.objects.get(entity_type="crm.lead", entity_id=lead.pk, changes__has_key="referral_refused")
    assert record.changes["referral_refused"][1] == {"code": affiliate.referral_code, "affiliate": str(affiliate.pk),
                                                     "affiliate_status": status, "source": "form"}
    assert f"Referral code {affiliate.referral_code} of {status} affiliate" in caplog.text


def test_an_applicants_or_unknown_code_attributes_nothing(in_tenant_a):
    lead = LeadFactory()

    assert attribute_lead(lead=lead, code="NOSUCHCODE", source="form") is None
    assert attribute_lead(lead=lead, code="", source="form") is None
    assert not AffiliateDeal.objects.filter(lead=lead).exists()


# --- where claims come from ----------------------------------------------------------------------

@pytest.fixture
def old_token(monkeypatch):
    """A lead-form token issued a minute ago, as a person who filled the form would send."""
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() - dt.timedelta(minutes=1))
    token = new_form_token()
    monkeypatch.setattr(timezone, "now", real_now)
    cache.clear()
    yield token
    cache.clear()


def test_the_lead_form_with_a_ref_attributes_the_new_lead(in_tenant_a, host_client, old_token,
                                                          django_capture_on_commit_callbacks):
    affiliate = AffiliateFactory(referral_code="RAWAD25")

    with django_capture_on_commit_callbacks(execute=True):
        response = host_client(TENANT_A_HOST, REMOTE_ADDR="198.51.100.9").post("/forms/lead/", {
            "full_name": "ريم الحربي", "phone": "0551234567", "consent_whatsapp": "on", "ref": "rawad25",
            "token": old_token})

    assert response.status_code == 200
    with schema_context("tenant_a"):
        lead = Lead.objects.get(full_name="ريم الحربي")
        [row] = AffiliateDeal.objects.filter(lead=lead)
    assert lead.referral_code == "RAWAD25" and row.affiliate == affiliate
    assert row.source == "form" and row.status == AttributionStatus.PENDING and not row.direct_interaction


def test_another_tenants_referral_code_attributes_nothing(in_tenant_a, host_client, old_token,
                                                          django_capture_on_commit_callbacks):
    with schema_context("tenant_b"):
        AffiliateFactory(referral_code="TENANTB01")

    with django_capture_on_commit_callbacks(execute=True):
        response = host_client(TENANT_A_HOST).post("/forms/lead/", {
            "full_name": "Omar Visitor", "email": "omar@example.sa", "ref": "TENANTB01", "token": old_token})

    assert response.status_code == 200
    with schema_context("tenant_a"):
        lead = Lead.objects.get(full_name="Omar Visitor")
        assert not AffiliateDeal.objects.filter(lead=lead).exists()
    with schema_context("tenant_b"):
        assert not AffiliateDeal.objects.exists()


def test_the_booking_page_with_a_ref_attributes_the_lead(in_tenant_a, host_client, people,
                                                         django_capture_on_commit_callbacks):
    affiliate = AffiliateFactory()
    lead = LeadFactory(assigned_to=user_of(people["agent"]))

    with django_capture_on_commit_callbacks(execute=True):
        page = host_client(TENANT_A_HOST).get(f"/book/{bookings.booking_token(lead)}/?ref={affiliate.referral_code}")

    assert page.status_code == 200
    with schema_context("tenant_a"):
        [row] = AffiliateDeal.objects.filter(lead=lead)
    assert row.affiliate == affiliate and row.source == "booking"


def test_an_import_with_a_referral_code_column_attributes_its_leads(in_tenant_a, people, client_for,
                                                                     django_capture_on_commit_callbacks):
    active, suspended = AffiliateFactory(referral_code="SAAD01"), AffiliateFactory(suspended=True)
    content = ("الاسم,الجوال,رمز الإحالة\n"
               "أحمد الغامدي,0501234567,saad01\n"
               f"سارة القحطاني,0551234567,{suspended.referral_code}\n"
               "فهد الشمري,0531234567,\n"
               "هند العتيبي,0521234567,NOSUCH\n").encode("utf-8")
    client = client_for(people["agent"], language="en")

    upload = client.post("/crm/leads/import/", {"file": SimpleUploadedFile("leads.csv", content)})
    with schema_context("tenant_a"):
        lead_import = imports.LeadImport.objects.get(pk=upload["Location"].rstrip("/").rsplit("/", 1)[-1])
        assert lead_import.mapping == {"full_name": 0, "phone": 1, "referral_code": 2}
    client.post(f"/crm/leads/import/{lead_import.pk}/", {"map_full_name": "0", "map_phone": "1",
                                                         "map_referral_code": "2", "duplicate_mode": "skip"})
    with django_capture_on_commit_callbacks(execute=True):
        committed = client.post(f"/crm/leads/import/{lead_import.pk}/commit/", follow=True)

    assert "Imported: 4 new leads" in committed.content.decode()
    with schema_context("tenant_a"):
        leads = {lead.full_name: lead for lead in Lead.objects.filter(source="import")}
        rows = {row.lead_id: row for row in AffiliateDeal.objects.filter(lead__in=leads.values())}
        refused = AuditLog.objects.filter(entity_id=leads["سارة القحطاني"].pk, changes__has_key="referral_refused")
        assert refused.exists()
    assert leads["أحمد الغامدي"].referral_code == "SAAD01"
    assert set(rows) == {leads["أحمد الغامدي"].pk}
    assert rows[leads["أحمد الغامدي"].pk].affiliate == active and rows[leads["أحمد الغامدي"].pk].source == "import"


def test_a_large_import_is_attributed_by_the_worker_not_while_the_page_waits(in_tenant_a, people, client_for,
                                                                            django_capture_on_commit_callbacks,
                                                                            monkeypatch):
    import django_rq
    from rq import SimpleWorker

    from affiliates import receivers
    monkeypatch.setattr(receivers, "IMPORT_REFERRALS_AT_ONCE", 2)
    queue = django_rq.get_queue("default")
    queue.empty()
    AffiliateFactory(referral_code="SAAD01")
    content = ("name,phone,referral code\n" + "".join(
        f"Lead {number},05012345{number:02d},SAAD01\n" for number in range(3))).encode("utf-8")
    client = client_for(people["agent"], language="en")
    upload = client.post("/crm/leads/import/", {"file": SimpleUploadedFile("leads.csv", content)})
    import_id = upload["Location"].rstrip("/").rsplit("/", 1)[-1]
    client.post(f"/crm/leads/import/{import_id}/", {"map_full_name": "0", "map_phone": "1",
                                                    "map_referral_code": "2", "duplicate_mode": "skip"})

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/crm/leads/import/{import_id}/commit/")
    with schema_context("tenant_a"):
        assert not AffiliateDeal.objects.exists()  # not yet: the page did not wait for it
    SimpleWorker([queue], connection=queue.connection).work(burst=True)

    with schema_context("tenant_a"):
        assert AffiliateDeal.objects.filter(source="import", affiliate__referral_code="SAAD01").count() == 3


def test_attributing_an_import_in_bulk_applies_the_same_rules_to_leads_already_claimed(in_tenant_a):
    first, second = AffiliateFactory(), AffiliateFactory()
    claimed, fresh = LeadFactory(), LeadFactory()
    claim(first, claimed, at=timezone.now() - DAY * 2)

    won = attribution.attribute_referrals(referrals=[(claimed.pk, second.referral_code),
                                                     (fresh.pk, second.referral_code.lower())], source="import")

    assert won == 1
    assert holders_of(claimed) == {first.pk: Decimal("100.00")} and holders_of(fresh) == {second.pk: Decimal("100.00")}
    assert AffiliateDeal.objects.get(lead=claimed, affiliate=second).status == AttributionStatus.REJECTED
    fresh_row = AffiliateDeal.objects.get(lead=fresh)
    assert AuditLog.objects.filter(entity_type="affiliates.affiliatedeal", entity_id=fresh_row.pk).exists()


# --- the partner portal --------------------------------------------------------------------------

def test_an_affiliate_registers_a_lead_with_its_consents_and_a_direct_interaction(in_tenant_a):
    affiliate = AffiliateFactory()

    lead = register_lead_by_affiliate(affiliate=affiliate, data={
        "full_name": "  خالد   الدوسري ", "phone": "0561112233", "email": "Khalid@Example.sa",
        "company_name": "مطاعم الدوسري", "sector": "restaurants", "city": "الرياض", "notes": "يريد عرضًا"},
        consents=["whatsapp", "email"], ip_address="203.0.113.5")

    contact = Contact.objects.get(lead=lead)
    row = AffiliateDeal.objects.get(lead=lead)
    consents = Consent.objects.filter(contact=contact)
    assert lead.full_name == "خالد الدوسري" and lead.phone == "+966561112233" and lead.email == "khalid@example.sa"
    assert lead.source == "affiliate" and lead.referral_code == affiliate.referral_code
    assert lead.assigned_to is not None
    assert row.affiliate == affiliate and row.source == "portal" and row.direct_interaction
    assert {c.channel for c in consents} == {"whatsapp", "email"}
    assert all(c.source == "affiliate_portal" and c.ip_address == "203.0.113.5" for c in consents)


def test_registering_a_person_already_known_is_refused_without_showing_their_record(in_tenant_a):
    someone_else = AffiliateFactory()
    known = LeadFactory(full_name="Secret Person", phone="+966509998877", email="secret@hidden.sa",
                        company_name="Hidden Co")
    claim(someone_else, known)
    affiliate = AffiliateFactory()
    leads_before = Lead.objects.count()

    for data in ({"full_name": "Another Name", "phone": "0509998877"},
                 {"full_name": "Another Name", "email": "SECRET@hidden.sa"}):
        with pytest.raises(ValidationError) as refused:
            register_lead_by_affiliate(affiliate=affiliate, data=data,
                                       consents=["whatsapp"] if "phone" in data else ["email"])
        said = " ".join(refused.value.messages)
        assert "already" in said
        for secret in ("Secret Person", "509998877", "secret@hidden.sa", "Hidden Co", someone_else.full_name):
            assert secret not in said

    assert Lead.objects.count() == leads_before
    assert not AffiliateDeal.objects.filter(affiliate=affiliate).exists()


def test_a_portal_registration_needs_a_consent_and_an_active_affiliate(in_tenant_a):
    affiliate, suspended = AffiliateFactory(), AffiliateFactory(suspended=True)
    data = {"full_name": "Layla", "phone": "0561234000"}

    with pytest.raises(ValidationError) as no_consent:
        register_lead_by_affiliate(affiliate=affiliate, data=data, consents=[])
    with pytest.raises(ValidationError) as email_without_address:
        register_lead_by_affiliate(affiliate=affiliate, data=data, consents=["email"])
    with pytest.raises(ValidationError):
        register_lead_by_affiliate(affiliate=suspended, data=data, consents=["whatsapp"])

    assert "consents" in no_consent.value.message_dict and "consents" in email_without_address.value.message_dict
    assert not Lead.objects.filter(full_name="Layla").exists()


# --- the won deal --------------------------------------------------------------------------------

def test_a_won_deal_confirms_its_holders_with_their_share_of_the_revenue(in_tenant_a, admin):
    first, second, late = AffiliateFactory(), AffiliateFactory(), AffiliateFactory()
    lead = LeadFactory()
    claim(first, lead, at=timezone.now() - 20 * DAY)
    attribution_split(actor=admin, lead=lead, shares={first: "66.67", second: "33.33"}, note="Shared work")
    claim(late, lead)
    deal = DealFactory(lead=lead, value=Decimal("1000.01"), won=True, closed_at=timezone.now())

    rows = attributions_for_won_deal(deal)
    again = attributions_for_won_deal(deal)

    assert [row.affiliate for row in rows] == [first, second]
    assert [row.attributed_revenue for row in rows] == [Decimal("666.71"), Decimal("333.30")]
    assert all(row.status == AttributionStatus.CONFIRMED and row.deal == deal for row in rows)
    assert [row.pk for row in again] == [row.pk for row in rows]
    with pytest.raises(ValidationError):  # after the win, a change is a dispute, not a split
        attribution_split(actor=admin, lead=lead, shares={late: 100}, note="Late claim")


def test_a_claim_registered_after_the_deal_closed_earns_nothing_on_it(in_tenant_a):
    affiliate, lead = AffiliateFactory(), LeadFactory()
    deal = DealFactory(lead=lead, won=True, closed_at=timezone.now() - 2 * DAY)
    claim(affiliate, lead)

    assert attributions_for_won_deal(deal) == []


def test_a_won_deal_after_the_window_pays_nobody(in_tenant_a):
    affiliate, lead = AffiliateFactory(), LeadFactory()
    claim(affiliate, lead, at=timezone.now() - 100 * DAY)
    deal = DealFactory(lead=lead, won=True, closed_at=timezone.now())

    assert attributions_for_won_deal(deal) == []
    assert AffiliateDeal.objects.get(lead=lead).status == AttributionStatus.EXPIRED


# --- the managers' page --------------------------------------------------------------------------

def _tie(day_offset=2):
    first, second = AffiliateFactory(full_name="Partner First"), AffiliateFactory(full_name="Partner Second")
    lead = LeadFactory(full_name="Tied Lead")
    day = timezone.localdate(timezone.now() - day_offset * DAY, RIYADH)
    claim(first, lead, at=riyadh(day, 9))
    claim(second, lead, at=riyadh(day, 11))
    return lead, first, second


def test_managers_see_conflicts_and_the_ties_waiting_for_an_admin(in_tenant_a, client_for, people):
    lead, first, second = _tie()

    page = client_for(people["manager"], language="en").get("/affiliates/attribution/?needs_admin=1")

    text = page.content.decode()
    assert page.status_code == 200
    assert "Tied Lead" in text and "Partner Second" in text and "Admin decision needed" in text
    assert "Split or move" not in text  # managers read; admins decide
    in_arabic = client_for(people["manager"], language="ar").get(f"/affiliates/attribution/leads/{lead.pk}/")
    assert in_arabic.status_code == 200 and 'dir="rtl"' in in_arabic.content.decode()
    assert 'name="note"' not in in_arabic.content.decode()
    assert client_for(people["agent"]).get("/affiliates/attribution/").status_code == 403
    assert client_for(people["manager"]).post(f"/affiliates/attribution/leads/{lead.pk}/", {
        f"share_{second.pk}": "100", "note": "Mine"}).status_code == 403


def test_an_admin_splits_a_lead_from_its_page_and_bad_shares_change_nothing(in_tenant_a, client_for, people):
    lead, first, second = _tie()
    client = client_for(people["admin"], language="en")
    url = f"/affiliates/attribution/leads/{lead.pk}/"

    refused = client.post(url, {f"share_{first.pk}": "50", f"share_{second.pk}": "40", "note": "Both"})
    assert refused.status_code == 400 and "must add up to exactly 100" in refused.content.decode()
    assert holders_of(lead) == {first.pk: Decimal("100.00")}

    saved = client.post(url, {f"share_{first.pk}": "50", f"share_{second.pk}": "50", "note": "Both met her."},
                        HTTP_HX_REQUEST="true")

    assert saved.status_code == 200 and saved["HX-Redirect"] == url
    assert holders_of(lead) == {first.pk: Decimal("50.00"), second.pk: Decimal("50.00")}
    assert "Both met her." in client.get(url).content.decode()


def test_another_tenants_lead_is_not_found_on_the_attribution_page(in_tenant_a, client_for, people):
    with schema_context("tenant_b"):
        lead_of_b = LeadFactory()

    assert client_for(people["admin"]).get(f"/affiliates/attribution/leads/{lead_of_b.pk}/").status_code == 404


def test_a_referral_that_fails_is_not_lost_but_queued_for_a_retry(in_tenant_a, django_capture_on_commit_callbacks):
    import django_rq
    queue = django_rq.get_queue("default")
    queue.empty()

    # The lead id is not even a UUID: attributing it now fails, after the CRM's transaction committed.
    with django_capture_on_commit_callbacks(execute=True):
        services.lead_referred.send(sender=Lead, lead_id="not-a-lead", code="ANYCODE", source="form", ip=None)

    [job] = queue.jobs
    assert job.args[1] == "affiliates.receivers.attribute_lead_job"
    assert job.args[2:] == ("not-a-lead", "ANYCODE", "form", None)
    assert job.retries_left == 3
