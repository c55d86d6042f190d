"""Sending a message in a real browser, in Arabic: a template to a contact who consented appears in the
thread; the same send to a contact who did not is refused, with the reason, in the thread too."""
import pytest
from django_tenants.utils import schema_context

from tests.browser.test_crm import log_in


@pytest.fixture
def two_leads(django_db_blocker):
    """Committed (the browser's server is another process): two leads of agent@a.test, one whose contact
    consented to WhatsApp and one whose contact did not."""
    from django.db import connection

    from compliance.services import consent_record
    from crm.models import Contact, Lead
    from crm.templating import standard_template
    from dealix.accounts.models import User

    with django_db_blocker.unblock(), schema_context("tenant_a"):
        agent = User.objects.get(email="agent@a.test")
        made = {}
        for key, name, phone in (("yes", "ريم الزهراني", "+966503330001"), ("no", "فهد الشمري", "+966503330002")):
            lead = Lead.objects.create(full_name=name, phone=phone, assigned_to=agent, source="web")
            contact = Contact.objects.create(full_name=name, phone=phone, whatsapp=phone, lead=lead, owner=agent,
                                             language="ar")
            made[key] = lead
        consent_record(actor=None, contact=made["yes"].contacts.get(), channel="whatsapp", granted=True, source="web_form")
        template = standard_template("cold_whatsapp_opener", "whatsapp", "ar")
        made["template"] = str(template.pk)
        connection.close()
    return made


def send_template(page, server, lead, template_id):
    page.goto(server.url("tenant-a", f"/crm/leads/{lead.pk}/"))
    page.select_option("#id_channel", "whatsapp")
    page.select_option("#id_template", template_id)
    with page.expect_response(lambda response: "/conversation/" in response.url and response.request.method == "POST"):
        page.get_by_test_id("send-message").click()


def test_an_agent_sends_a_whatsapp_template_and_is_refused_for_a_contact_without_consent(server, page, two_leads):
    log_in(page, server, "agent@a.test")

    send_template(page, server, two_leads["yes"], two_leads["template"])
    sent = page.locator("[data-testid=message][data-channel=whatsapp]")
    sent.first.wait_for()
    assert "ريم" in sent.first.inner_text()  # rendered with the contact's name, in Arabic
    assert sent.first.get_attribute("data-status") in ("queued", "sent", "delivered")
    assert page.locator("html").get_attribute("dir") == "rtl"

    send_template(page, server, two_leads["no"], two_leads["template"])
    result = page.get_by_test_id("send-result")
    result.wait_for()
    assert "لم تُرسل" in result.inner_text()
    refused = page.locator("[data-testid=message][data-status=failed]")
    refused.first.wait_for()
    assert "لا توجد موافقة" in refused.first.get_by_test_id("message-reason").inner_text()
