"""The channels page: admins connect email, WhatsApp and SMS; secrets are never shown back; the change is
audited; everyone else is kept out."""
import pytest
from django.db import connection
from django.urls import reverse
from django_tenants.utils import schema_context

from crm.channels import channel_for
from dealix.core.models import AuditLog
from dealix.tenancy.models import Tenant

pytestmark = pytest.mark.django_db

WHATSAPP = {"phone_number_id": "109876543210", "access_token": "EAAG-secret-token", "app_secret": "app-secret-1",
            "verify_token": "", "api_base": "https://graph.facebook.com/v21.0"}


def stored(tenant_a):
    with schema_context("public"):
        return Tenant.objects.get(pk=tenant_a.pk).settings.get("channels", {})


def test_an_admin_connects_whatsapp_and_the_secret_is_not_shown_back(client_for, people, tenant_a):
    client = client_for(people["admin"], language="en")
    response = client.post(reverse("crm:channel_save", args=["whatsapp"]), WHATSAPP)
    assert response.status_code == 302
    saved = stored(tenant_a)["whatsapp"]
    assert saved["access_token"] == "EAAG-secret-token" and len(saved["verify_token"]) > 20

    page = client.get(reverse("crm:channels")).content.decode()
    assert "EAAG-secret-token" not in page and "app-secret-1" not in page
    assert saved["verify_token"] in page and "/webhooks/whatsapp/" in page
    assert "WhatsApp: WhatsApp Cloud API" in page or "Cloud API" in page

    with schema_context("tenant_a"):
        audit = AuditLog.objects.filter(entity_type="tenancy.tenant.channels").latest("created_at")
    assert "EAAG-secret-token" not in str(audit.changes)


def test_saving_again_with_an_empty_secret_keeps_the_stored_one(client_for, people, tenant_a):
    client = client_for(people["admin"])
    client.post(reverse("crm:channel_save", args=["whatsapp"]), WHATSAPP)
    client.post(reverse("crm:channel_save", args=["whatsapp"]), {**WHATSAPP, "access_token": "", "app_secret": ""})
    assert stored(tenant_a)["whatsapp"]["access_token"] == "EAAG-secret-token"


def test_bad_settings_are_refused_in_arabic_and_nothing_changes(client_for, people, tenant_a):
    response = client_for(people["admin"]).post(reverse("crm:channel_save", args=["sms"]),
                                                {"api_url": "not a url", "app_sid": "x", "sender_id": "اسم عربي طويل جدا"})
    assert response.status_code == 400
    assert "sms" not in stored(tenant_a)


def test_the_template_language_codes_meta_approved_are_kept_and_checked(client_for, people, tenant_a):
    client = client_for(people["admin"], language="en")

    refused = client.post(reverse("crm:channel_save", args=["whatsapp"]),
                          {**WHATSAPP, "english_template_language": "English (US)"})
    client.post(reverse("crm:channel_save", args=["whatsapp"]), {**WHATSAPP, "english_template_language": "en_US"})

    assert refused.status_code == 400 and "A language code such as ar, en or en_US." in refused.content.decode()
    saved = stored(tenant_a)["whatsapp"]
    assert saved["english_template_language"] == "en_US" and "arabic_template_language" not in saved
    with schema_context("public"):
        channel = channel_for("whatsapp", Tenant.objects.get(pk=tenant_a.pk))
    assert channel.template_language("en") == "en_US" and channel.template_language("ar") == "ar"


def test_disconnecting_sends_the_channel_back_to_the_outbox(client_for, people, tenant_a):
    client = client_for(people["admin"])
    client.post(reverse("crm:channel_save", args=["whatsapp"]), WHATSAPP)
    client.post(reverse("crm:channel_save", args=["whatsapp"]), {"disconnect": "1"})
    assert "whatsapp" not in stored(tenant_a)
    with schema_context("public"):
        tenant = Tenant.objects.get(pk=tenant_a.pk)
    assert not channel_for("whatsapp", tenant).really_sends


@pytest.mark.parametrize("who", ["manager", "agent", "viewer", "affiliate"])
def test_only_admins_and_owners_reach_the_channels_page(client_for, people, tenant_a, who):
    client = client_for(people[who])
    assert client.get(reverse("crm:channels")).status_code in (403, 404)
    assert client.post(reverse("crm:channel_save", args=["whatsapp"]), WHATSAPP).status_code in (403, 404)
    assert "whatsapp" not in stored(tenant_a)
