"""The conversation card on lead and contact pages, the actions on a message, and the unsubscribe link,
as agents, managers, viewers and strangers meet them."""
import pytest
from django.urls import reverse

from compliance.services import consent_granted, consent_record
from crm.choices import MessageReason, MessageStatus
from crm.messaging import message_send, unsubscribe_token
from crm.models import Lead, Message
from crm.templating import standard_template
from dealix.accounts.models import User
from tests.conftest import user_of
from tests.factories import ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(people, in_tenant_a):
    agent = User.objects.get(email="agent@a.test")
    lead = LeadFactory(assigned_to=agent, full_name="<script>alert(1)</script> سالم", phone="+966501110002")
    contact = ContactFactory(lead=lead, owner=agent, full_name="سالم الحربي", phone="+966501110002",
                             whatsapp="+966501110002", email="salem@example.sa", language="ar")
    return lead, contact


def test_the_lead_page_shows_the_conversation_with_consent_per_channel(client_for, people, lead):
    the_lead, contact = lead
    consent_record(actor=None, contact=contact, channel="whatsapp", granted=True, source="test")
    response = client_for(people["agent"]).get(reverse("crm:lead_detail", args=[the_lead.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="conversation"' in page and 'data-testid="reply-form"' in page
    assert page.count('data-testid="consent-badge"') == 3


def test_an_agent_sends_a_whatsapp_template_and_sees_it_in_the_thread(client_for, people, lead):
    the_lead, contact = lead
    consent_record(actor=None, contact=contact, channel="whatsapp", granted=True, source="test")
    template = standard_template("cold_whatsapp_opener", "whatsapp", "ar")
    response = client_for(people["agent"]).post(reverse("crm:lead_conversation", args=[the_lead.pk]),
                                                 {"channel": "whatsapp", "template": template.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    message = Message.objects.get(lead=the_lead)
    assert message.status == MessageStatus.QUEUED and message.template == template
    page = response.content.decode()
    assert f'id="message-{message.pk}"' in page  # the thread, swapped out of band
    assert 'hx-swap-oob="innerHTML"' in page


def test_a_send_without_consent_is_shown_refused_with_its_reason(client_for, people, lead):
    the_lead, _contact = lead
    response = client_for(people["agent"], language="en").post(
        reverse("crm:lead_conversation", args=[the_lead.pk]), {"channel": "sms", "content": "Hello"},
        HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not sent" in page and "No consent from this contact for this channel" in page
    assert Message.objects.get(lead=the_lead).reason_code == MessageReason.NO_CONSENT


def test_an_empty_message_is_an_error_in_arabic_and_nothing_is_written(client_for, people, lead):
    the_lead, _contact = lead
    response = client_for(people["agent"]).post(reverse("crm:lead_conversation", args=[the_lead.pk]),
                                                 {"channel": "whatsapp", "content": "  "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "اكتب رسالة أو اختر قالبًا" in response.content.decode()
    assert not Message.objects.filter(lead=the_lead).exists()


def test_text_in_the_thread_is_escaped(client_for, people, lead):
    the_lead, contact = lead
    consent_record(actor=None, contact=contact, channel="email", granted=True, source="test")
    message_send(actor=None, channel="email", contact=contact, subject="<b>x</b>", body="<script>alert(2)</script>")
    page = client_for(people["agent"]).get(reverse("crm:lead_conversation", args=[the_lead.pk]),
                                           HTTP_HX_REQUEST="true").content.decode()
    assert "<script>alert(2)" not in page and "&lt;script&gt;alert(2)" in page


@pytest.mark.parametrize("who", ["agent2", "outsider"])
def test_another_agents_or_tenants_conversation_is_a_404(client_for, people, lead, who):
    the_lead, contact = lead
    client = client_for(people[who])
    assert client.get(reverse("crm:lead_conversation", args=[the_lead.pk]), HTTP_HX_REQUEST="true").status_code == 404
    assert client.post(reverse("crm:lead_conversation", args=[the_lead.pk]),
                       {"channel": "whatsapp", "content": "x"}).status_code == 404
    assert client.post(reverse("crm:contact_conversation", args=[contact.pk]),
                       {"channel": "whatsapp", "content": "x"}).status_code == 404


def test_a_viewer_reads_the_thread_but_cannot_send(client_for, people, lead):
    the_lead, _contact = lead
    client = client_for(people["viewer"])
    assert client.get(reverse("crm:lead_conversation", args=[the_lead.pk]), HTTP_HX_REQUEST="true").status_code == 200
    response = client.post(reverse("crm:lead_conversation", args=[the_lead.pk]), {"channel": "whatsapp", "content": "x"})
    assert response.status_code in (403, 404)
    assert not Message.objects.filter(lead=the_lead).exists()


def test_a_manager_sends_again_a_failed_message_and_the_rules_are_asked_afresh(client_for, people, lead):
    the_lead, contact = lead
    failed = message_send(actor=None, channel="email", contact=contact, subject="عرض", body="نص")
    assert failed.status == MessageStatus.FAILED
    consent_record(actor=None, contact=contact, channel="email", granted=True, source="test")

    response = client_for(people["manager"]).post(reverse("crm:message_retry", args=[failed.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    failed.refresh_from_db()
    assert failed.status == MessageStatus.QUEUED


def test_a_waiting_message_can_be_stopped_but_a_failed_one_cannot(client_for, people, lead):
    the_lead, contact = lead
    consent_record(actor=None, contact=contact, channel="email", granted=True, source="test")
    import datetime
    from zoneinfo import ZoneInfo
    friday = datetime.datetime(2026, 12, 4, 12, tzinfo=ZoneInfo("Asia/Riyadh"))
    waiting = message_send(actor=None, channel="email", contact=contact, subject="عرض", body="نص", now=friday)
    assert waiting.scheduled_for is not None
    client = client_for(people["agent"])

    assert client.post(reverse("crm:message_cancel", args=[waiting.pk]), HTTP_HX_REQUEST="true").status_code == 200
    waiting.refresh_from_db()
    assert waiting.status == MessageStatus.FAILED and waiting.reason_code == MessageReason.CANCELLED
    assert client.post(reverse("crm:message_cancel", args=[waiting.pk]), HTTP_HX_REQUEST="true").status_code == 400


def test_the_unsubscribe_link_asks_then_revokes_email_consent(host_client, people, lead):
    _lead, contact = lead
    consent_record(actor=None, contact=contact, channel="email", granted=True, source="test")
    url = reverse("crm_public:unsubscribe", args=[unsubscribe_token(contact.pk)])
    client = host_client(people["agent"].host)

    page = client.get(url)
    assert page.status_code == 200 and consent_granted(contact, "email")  # a mail scanner opening it changes nothing
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not consent_granted(contact, "email")


def test_a_tampered_unsubscribe_link_is_a_404(host_client, people, lead):
    _lead, contact = lead
    token = unsubscribe_token(contact.pk)
    client = host_client(people["agent"].host)
    assert client.get(reverse("crm_public:unsubscribe", args=[token[:-2] + "xx"])).status_code == 404


def test_an_unsubscribe_link_of_another_tenant_does_not_work_here(host_client, people, tenant_b):
    from django.db import connection
    connection.set_tenant(tenant_b)
    other = ContactFactory(owner=None, company=None)
    token = unsubscribe_token(other.pk)
    connection.set_schema_to_public()
    response = host_client(people["agent"].host).get(reverse("crm_public:unsubscribe", args=[token]))
    assert response.status_code == 404


def test_a_bulk_send_goes_lead_by_lead_through_the_rules_and_says_what_happened(client_for, people, in_tenant_a):
    agent = User.objects.get(email="agent@a.test")
    consenting, silent = [], []
    for number in range(3):
        lead = LeadFactory(assigned_to=agent, phone=f"+96650555000{number}")
        contact = ContactFactory(lead=lead, owner=agent, phone=lead.phone, whatsapp=lead.phone, language="en",
                                 email=f"bulk{number}@example.sa")
        if number < 2:
            consent_record(actor=None, contact=contact, channel="email", granted=True, source="test")
            consenting.append(lead)
        else:
            silent.append(lead)
    template = standard_template("no_response_follow_up", "email", "en")
    response = client_for(people["agent"], language="en").post(reverse("crm:lead_bulk"), {
        "action": "send", "template": template.pk, "selected": [lead.pk for lead in consenting + silent]},
        follow=True)

    page = response.content.decode()
    assert "No consent from this contact for this channel" in page
    assert "Not sent (1)" in page
    sent = Message.objects.filter(lead__in=consenting + silent, template=template)
    assert sent.count() == 3  # nothing dropped: the refused one is recorded with its reason
    assert sent.filter(status=MessageStatus.FAILED, lead__in=silent).count() == 1
    assert sent.exclude(status=MessageStatus.FAILED).count() == 2


def test_a_bulk_send_never_reaches_another_agents_leads(client_for, people, in_tenant_a):
    other = User.objects.get(email="agent2@a.test")
    theirs = LeadFactory(assigned_to=other)
    template = standard_template("no_response_follow_up", "email", "en")
    client_for(people["agent"]).post(reverse("crm:lead_bulk"), {"action": "send", "template": template.pk,
                                                                "selected": [theirs.pk]})
    assert not Message.objects.filter(lead=theirs).exists()


def test_the_bulk_bar_offers_the_active_message_templates(client_for, people, in_tenant_a):
    page = client_for(people["agent"], language="en").get(reverse("crm:bulk_template_options"),
                                                          HTTP_HX_REQUEST="true").content.decode()
    welcome = standard_template("welcome", "whatsapp", "en")
    assert f'value="{welcome.pk}"' in page
    assert "Call script" not in page  # voice scripts are read on calls, not sent
