"""The provider webhooks on a tenant's host: Meta's WhatsApp callbacks (verify handshake, signed inbound
messages and delivery statuses) and the SMS provider's delivery reports."""
import datetime
import json
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django.utils.translation import gettext
from django_tenants.utils import schema_context

from compliance.choices import ConsentChannel
from compliance.services import consent_record
from crm.choices import Direction, LeadSource, MessageChannel, MessageReason, MessageStatus
from crm.messaging import deliver_message, message_send
from crm.models import Contact, Message
from tests.conftest import user_of
from tests.factories import ContactFactory, MessageFactory
from tests.servers import point_tenant_at, sign_webhook, whatsapp_server  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

HOST_A, HOST_B = "tenant-a.localhost", "tenant-b.localhost"
REEM = "+966551234567"
# A Sunday morning in Riyadh, inside the WhatsApp sending window.
SUNDAY_MORNING = datetime.datetime(2030, 1, 6, 10, 0, tzinfo=ZoneInfo("Asia/Riyadh"))


def change(value: dict, *, phone_number_id: str) -> dict:
    """Meta's envelope around one `value`."""
    return {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{
        "field": "messages",
        "value": {"messaging_product": "whatsapp",
                  "metadata": {"display_phone_number": "966112345678", "phone_number_id": phone_number_id},
                  **value}}]}]}


def inbound(server, *, sender=REEM, provider_id="wamid.in-1", text="السلام عليكم، أبغى عرض سعر", at=None,
            message: dict | None = None) -> dict:
    at = at or datetime.datetime.now(tz=datetime.UTC)
    item = message or {"type": "text", "text": {"body": text}}
    return change({"contacts": [{"profile": {"name": "ريم"}, "wa_id": sender.lstrip("+")}],
                   "messages": [{"from": sender.lstrip("+"), "id": provider_id,
                                 "timestamp": str(int(at.timestamp())), **item}]},
                  phone_number_id=server.phone_number_id)


def status(server, provider_id: str, state: str, **extra) -> dict:
    return change({"statuses": [{"id": provider_id, "status": state, "timestamp": "1893830400",
                                 "recipient_id": REEM.lstrip("+"), **extra}]},
                  phone_number_id=server.phone_number_id)


def post(host_client, host: str, payload, *, secret: str | None = None, signature: str | None = None):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {}
    if signature is not None:
        headers["HTTP_X_HUB_SIGNATURE_256"] = signature
    elif secret is not None:
        headers["HTTP_X_HUB_SIGNATURE_256"] = sign_webhook(body, secret)
    return host_client(host).post("/webhooks/whatsapp/", data=body, content_type="application/json", **headers)


@pytest.fixture
def meta(tenant_a, whatsapp_server):
    """Tenant A connected to WhatsApp (the local Cloud API imitation); `meta.app_secret` signs webhooks."""
    whatsapp_server.configure(tenant_a)
    return whatsapp_server


@pytest.fixture
def reem(tenant_a):
    with schema_context("tenant_a"):
        return ContactFactory(full_name="ريم الحربي", phone=REEM, whatsapp=REEM, language="ar")


def messages_in(schema: str, **filters) -> list:
    with schema_context(schema):
        return list(Message.objects.filter(**filters).select_related("contact"))


# --- the verify handshake ------------------------------------------------------------------------------

def test_meta_verifies_the_callback_with_the_tenants_verify_token(meta, host_client):
    response = host_client(HOST_A).get("/webhooks/whatsapp/", {
        "hub.mode": "subscribe", "hub.verify_token": meta.verify_token, "hub.challenge": "1158201444"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content == b"1158201444"


def test_a_wrong_verify_token_is_refused(meta, host_client):
    response = host_client(HOST_A).get("/webhooks/whatsapp/", {
        "hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"})

    assert response.status_code == 403
    assert b"1158201444" not in response.content


def test_a_tenant_that_has_not_set_up_whatsapp_verifies_nothing(tenant_a, host_client):
    point_tenant_at(tenant_a, "whatsapp", {})

    response = host_client(HOST_A).get("/webhooks/whatsapp/", {
        "hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"})

    assert response.status_code == 403


# --- signatures ----------------------------------------------------------------------------------------

def test_an_unsigned_webhook_is_refused_and_nothing_is_written(meta, reem, host_client):
    response = post(host_client, HOST_A, inbound(meta), secret=None)

    assert response.status_code == 403
    assert messages_in("tenant_a", direction=Direction.INBOUND) == []


def test_a_webhook_with_a_bad_signature_is_refused_and_nothing_is_written(meta, reem, host_client):
    response = post(host_client, HOST_A, inbound(meta), signature="sha256=" + "0" * 64)

    assert response.status_code == 403
    assert messages_in("tenant_a", direction=Direction.INBOUND) == []


def test_a_body_changed_after_signing_is_refused(meta, reem, host_client):
    signed = json.dumps(inbound(meta), ensure_ascii=False).encode()
    tampered = signed.replace("أبغى عرض سعر".encode(), "وقف".encode())

    response = post(host_client, HOST_A, tampered, signature=meta.sign(signed))

    assert response.status_code == 403
    assert messages_in("tenant_a", direction=Direction.INBOUND) == []


def test_another_tenants_app_secret_does_not_validate_on_this_tenants_host(meta, reem, tenant_b, host_client):
    point_tenant_at(tenant_b, "whatsapp", {**meta.settings, "app_secret": "tenant-b-secret"})

    response = post(host_client, HOST_A, inbound(meta), secret="tenant-b-secret")

    assert response.status_code == 403
    assert messages_in("tenant_a", direction=Direction.INBOUND) == []
    assert messages_in("tenant_b", direction=Direction.INBOUND) == []


def test_a_signed_body_that_is_not_json_is_a_bad_request(meta, host_client):
    response = post(host_client, HOST_A, b"{not json", secret=meta.app_secret)

    assert response.status_code == 400


# --- inbound messages ----------------------------------------------------------------------------------

def test_a_signed_inbound_text_lands_in_the_contacts_thread_on_the_right_tenant(meta, reem, host_client):
    sent_at = datetime.datetime(2030, 1, 6, 7, 30, tzinfo=datetime.UTC)

    response = post(host_client, HOST_A, inbound(meta, at=sent_at), secret=meta.app_secret)

    assert response.status_code == 200
    [message] = messages_in("tenant_a", direction=Direction.INBOUND)
    assert message.contact == reem
    assert (message.channel, message.content) == (MessageChannel.WHATSAPP, "السلام عليكم، أبغى عرض سعر")
    assert message.provider_message_id == "wamid.in-1"
    assert message.sent_at == sent_at
    assert messages_in("tenant_b", direction=Direction.INBOUND) == []


def test_meta_delivering_the_same_webhook_twice_records_the_message_once(meta, reem, host_client):
    payload = inbound(meta)

    first = post(host_client, HOST_A, payload, secret=meta.app_secret)
    again = post(host_client, HOST_A, payload, secret=meta.app_secret)

    assert (first.status_code, again.status_code) == (200, 200)
    assert len(messages_in("tenant_a", direction=Direction.INBOUND)) == 1


def test_a_photo_shows_in_the_thread_as_a_photo_with_its_caption(meta, reem, host_client):
    payload = inbound(meta, message={"type": "image", "image": {
        "caption": "صورة السجل التجاري", "mime_type": "image/jpeg", "sha256": "abc", "id": "1234"}})

    post(host_client, HOST_A, payload, secret=meta.app_secret)

    with translation.override("ar"):  # tenant A's language
        label = gettext("[image]")
    [message] = messages_in("tenant_a", direction=Direction.INBOUND)
    assert message.content == f"{label} صورة السجل التجاري"


def test_a_quick_reply_button_shows_the_buttons_words(meta, reem, host_client):
    payload = inbound(meta, message={"type": "interactive", "interactive": {
        "type": "button_reply", "button_reply": {"id": "slot-1", "title": "الأحد 10:00"}}})

    post(host_client, HOST_A, payload, secret=meta.app_secret)

    assert messages_in("tenant_a", direction=Direction.INBOUND)[0].content == "الأحد 10:00"


def test_a_message_from_an_unknown_number_starts_a_new_whatsapp_lead(meta, host_client):
    post(host_client, HOST_A, inbound(meta, sender="+966559876543"), secret=meta.app_secret)

    [message] = messages_in("tenant_a", direction=Direction.INBOUND)
    with schema_context("tenant_a"):
        contact = Contact.objects.select_related("lead").get(pk=message.contact_id)
    assert contact.whatsapp == "+966559876543"
    assert contact.lead.source == LeadSource.WHATSAPP


def test_stop_on_whatsapp_revokes_the_contacts_whatsapp_consent(meta, reem, host_client):
    with schema_context("tenant_a"):
        consent_record(actor=None, contact=reem, channel=ConsentChannel.WHATSAPP, granted=True, source="web_form")

    post(host_client, HOST_A, inbound(meta, text="وقف"), secret=meta.app_secret)

    with schema_context("tenant_a"):
        from compliance.services import consent_granted
        assert consent_granted(Contact.objects.get(pk=reem.pk), ConsentChannel.WHATSAPP) is False


def test_a_change_for_another_whatsapp_number_is_not_recorded_here(meta, reem, host_client):
    payload = inbound(meta)
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999999999999"

    response = post(host_client, HOST_A, payload, secret=meta.app_secret)

    assert response.status_code == 200
    assert messages_in("tenant_a", direction=Direction.INBOUND) == []


# --- delivery statuses ---------------------------------------------------------------------------------

@pytest.fixture
def sent_message(reem):
    with schema_context("tenant_a"):
        return MessageFactory(contact=reem, channel=MessageChannel.WHATSAPP, sent=True,
                              provider_message_id="wamid.out-1")


def test_statuses_only_move_forward_a_late_delivered_does_not_undo_read(meta, sent_message, host_client):
    for state in ("delivered", "read", "delivered", "sent"):
        response = post(host_client, HOST_A, status(meta, "wamid.out-1", state), secret=meta.app_secret)
        assert response.status_code == 200

    [message] = messages_in("tenant_a", pk=sent_message.pk)
    assert message.status == MessageStatus.READ
    assert message.delivered_at is not None and message.read_at is not None


def test_a_failed_delivery_marks_the_message_failed_with_metas_reason(meta, sent_message, host_client):
    payload = status(meta, "wamid.out-1", "failed", errors=[{
        "code": 131026, "title": "Message undeliverable", "message": "Message undeliverable",
        "error_data": {"details": "The recipient is not a WhatsApp user"}}])

    post(host_client, HOST_A, payload, secret=meta.app_secret)

    [message] = messages_in("tenant_a", pk=sent_message.pk)
    assert message.status == MessageStatus.FAILED
    assert message.reason_code == MessageReason.DELIVERY_FAILED
    assert "Message undeliverable" in message.failure_reason
    assert "not a WhatsApp user" in message.failure_reason


def test_a_status_for_a_message_we_do_not_know_is_accepted_and_ignored(meta, host_client):
    response = post(host_client, HOST_A, status(meta, "wamid.someone-else", "read"), secret=meta.app_secret)

    assert response.status_code == 200
    assert messages_in("tenant_a") == []


def test_a_reply_goes_out_through_the_cloud_api_and_its_delivery_comes_back(meta, reem, people, host_client):
    """End to end: Reem writes, the agent answers within 24 h, the job sends it to the Cloud API
    imitation, and Meta's "delivered" webhook finds the message by the id the API gave it."""
    with schema_context("tenant_a"):
        consent_record(actor=None, contact=reem, channel=ConsentChannel.WHATSAPP, granted=True, source="web_form")
    post(host_client, HOST_A, inbound(meta, at=SUNDAY_MORNING - datetime.timedelta(hours=1)),
         secret=meta.app_secret)

    with schema_context("tenant_a"):
        # the rules date the 24-hour window from when we recorded her message: make that Sunday too
        Message.objects.filter(direction=Direction.INBOUND).update(
            created_at=SUNDAY_MORNING - datetime.timedelta(hours=1))
        reply = message_send(actor=user_of(people["owner"]), channel=MessageChannel.WHATSAPP,
                             contact=Contact.objects.get(pk=reem.pk), body="أهلًا ريم، أرسلت لك العرض الآن",
                             now=SUNDAY_MORNING)
        assert reply.status == MessageStatus.QUEUED, reply.reason_code
        assert deliver_message(str(reply.pk), SUNDAY_MORNING.isoformat()) == "sent"

    [request] = meta.received
    assert request.data["to"] == REEM.lstrip("+")
    assert request.data["text"]["body"] == "أهلًا ريم، أرسلت لك العرض الآن"
    assert request.data["biz_opaque_callback_data"] == str(reply.pk)
    [sent] = messages_in("tenant_a", pk=reply.pk)
    assert sent.status == MessageStatus.SENT and sent.provider_message_id.startswith("wamid.")

    post(host_client, HOST_A, status(meta, sent.provider_message_id, "delivered"), secret=meta.app_secret)

    assert messages_in("tenant_a", pk=reply.pk)[0].status == MessageStatus.DELIVERED


# --- SMS delivery reports ------------------------------------------------------------------------------

@pytest.fixture
def sms_sent(tenant_a, reem):
    point_tenant_at(tenant_a, "sms", {"api_url": "http://127.0.0.1:9/", "app_sid": "sid", "sender_id": "TenantA",
                                      "webhook_secret": "sms-hook-secret"})
    with schema_context("tenant_a"):
        return MessageFactory(contact=reem, channel=MessageChannel.SMS, sent=True, provider_message_id="41872")


def test_an_sms_delivery_report_with_the_tenants_token_marks_the_message_delivered(sms_sent, host_client):
    response = host_client(HOST_A).post("/webhooks/sms/", {"MessageID": "41872", "Status": "Delivered"},
                                        HTTP_X_WEBHOOK_TOKEN="sms-hook-secret")

    assert response.status_code == 200
    assert messages_in("tenant_a", pk=sms_sent.pk)[0].status == MessageStatus.DELIVERED


def test_an_sms_delivery_report_without_the_token_is_refused(sms_sent, host_client):
    response = host_client(HOST_A).post("/webhooks/sms/?token=guess", {"MessageID": "41872", "Status": "Failed"})

    assert response.status_code == 403
    assert messages_in("tenant_a", pk=sms_sent.pk)[0].status == MessageStatus.SENT
