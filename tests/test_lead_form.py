"""The public lead form: a visitor on the company's website leaves their details and consents."""

import pytest
from django.core.cache import cache
from django_tenants.utils import schema_context

from compliance.models import Consent
from crm.capture import new_form_token
from crm.models import Contact, Lead

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit_left_over():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def old_token(monkeypatch):
    """A token issued a minute ago, as a person who filled the form would send."""
    from django.utils import timezone
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() - timezone.timedelta(minutes=1))
    token = new_form_token()
    monkeypatch.setattr(timezone, "now", real_now)
    return token


def post(host_client, data, **extra):
    return host_client("tenant-a.localhost", **extra).post("/forms/lead/", data)


def test_a_visitor_leaves_details_and_consents_and_a_lead_is_created(host_client, old_token):
    response = post(host_client, {"full_name": "ريم الحربي", "phone": "0551234567", "email": "reem@example.sa",
                                  "sector": "beauty", "message": "أريد عرضًا", "consent_whatsapp": "on",
                                  "consent_email": "on", "ref": "abc123", "token": old_token},
                    REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 200
    with schema_context("tenant_a"):
        lead = Lead.objects.get(full_name="ريم الحربي")
        contact = Contact.objects.get(lead=lead)
        consents = {c.channel: c for c in Consent.objects.filter(contact=contact)}
    assert lead.phone == "+966551234567" and lead.source == "affiliate" and lead.referral_code == "ABC123"
    assert lead.assigned_to is not None and lead.score == 25
    assert set(consents) == {"whatsapp", "email"}
    assert consents["whatsapp"].ip_address == "198.51.100.7" and consents["whatsapp"].source == "web_form"
    assert contact.consent_status == "granted"


def test_the_form_is_embeddable_and_in_the_tenants_language(host_client):
    response = host_client("tenant-a.localhost").get("/forms/lead/?embed=1&ref=XYZ9")

    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    page = response.content.decode()
    assert 'dir="rtl"' in page and 'value="XYZ9"' in page


def test_the_honeypot_catches_bots_and_nothing_is_created(host_client, old_token):
    response = post(host_client, {"full_name": "Bot", "phone": "0551234567", "website": "http://spam.example",
                                  "token": old_token})

    assert response.status_code == 400
    with schema_context("tenant_a"):
        assert not Lead.objects.filter(full_name="Bot").exists()


def test_a_form_sent_too_fast_is_refused(host_client):
    response = post(host_client, {"full_name": "Speedy", "phone": "0551234567", "token": new_form_token()},
                    HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400 and "very fast" in response.content.decode()


def test_a_forged_token_is_refused(host_client):
    response = post(host_client, {"full_name": "Forger", "phone": "0551234567", "token": "123:forged"},
                    HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400 and "expired" in response.content.decode()


def test_too_many_submissions_from_one_address_are_refused(host_client, old_token):
    for number in range(10):
        post(host_client, {"full_name": f"Person {number}", "phone": f"05512345{number:02d}", "token": old_token},
             REMOTE_ADDR="203.0.113.9")

    response = post(host_client, {"full_name": "Eleventh", "phone": "0551299999", "token": old_token},
                    REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 429
    with schema_context("tenant_a"):
        assert not Lead.objects.filter(full_name="Eleventh").exists()


def test_a_returning_visitor_does_not_make_a_duplicate_lead(host_client, old_token):
    data = {"full_name": "Returning", "phone": "0557777777", "token": old_token, "consent_sms": "on"}
    post(host_client, data)
    post(host_client, {**data, "message": "again"})

    with schema_context("tenant_a"):
        assert Lead.objects.filter(phone="+966557777777").count() == 1
        assert Consent.objects.filter(contact__lead__phone="+966557777777", channel="sms").count() == 2


def test_a_bad_phone_is_explained_in_arabic(host_client, old_token):
    response = post(host_client, {"full_name": "X", "phone": "123", "token": old_token}, HTTP_ACCEPT_LANGUAGE="ar")

    assert response.status_code == 400
    assert 'dir="rtl"' in response.content.decode()
