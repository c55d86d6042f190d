"""The channel adapters, each speaking its real protocol to a small local server (tests/servers.py)."""
import datetime
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from compliance.choices import ConsentChannel
from compliance.services import consent_record
from crm.channels import PermanentSendError, TransientSendError, channel_for, channel_status
from crm.channels.base import Outgoing
from crm.channels.email import EmailChannel
from crm.channels.in_app import InAppChannel
from crm.channels.outbox import OutboxChannel
from crm.channels.sms import SmsChannel
from crm.channels.whatsapp import WhatsAppChannel
from crm.choices import MessageChannel, MessageStatus
from crm.messaging import deliver_message, message_send
from dealix.tenancy.services import tenant_url
from tests.conftest import user_of
from tests.factories import ContactFactory
from tests.servers import sms_server, smtp_server, unused_port, whatsapp_server  # noqa: F401 (fixtures)

# as long as a real signed link, so the header is folded on the wire
UNSUBSCRIBE = ("https://tenant-a.localhost/forms/unsubscribe/eyJjb250YWN0IjoiZGY3ZDZmMjEtZDA1ZS00ZTJmLWE5ZWEtOTgw"
               "NGY2MjE3ODI1IiwiY2hhbm5lbCI6ImVtYWlsIn0:1xXif5:x9EZMILQ1m8L_hQllTp82ljpbyBMZmTahtUyxnwDVJU/")
# A Sunday morning in Riyadh, inside every channel's sending window.
SUNDAY_MORNING = datetime.datetime(2030, 1, 6, 10, 0, tzinfo=ZoneInfo("Asia/Riyadh"))
INVITE = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:meeting-1@tenant-a\r\n"
          b"SUMMARY:\xd8\xb9\xd8\xb1\xd8\xb6 \xd8\xaa\xd9\x88\xd8\xb6\xd9\x8a\xd8\xad\xd9\x8a\r\n"
          b"END:VEVENT\r\nEND:VCALENDAR\r\n")


def outgoing(**fields) -> Outgoing:
    defaults = {"message_id": str(uuid.uuid4()), "channel": "email", "to": "reem@example.sa",
                "body": "السلام عليكم ريم،\nنرفق لك عرض السعر.\n\nمع التحية", "subject": "عرض سعر من شركة الأفق",
                "language": "ar", "unsubscribe_url": UNSUBSCRIBE}
    return Outgoing(**{**defaults, **fields})


def email_channel(server, **changes) -> EmailChannel:
    return EmailChannel({**server.settings, **changes}, host="tenant-a.localhost")


# --- email -------------------------------------------------------------------------------------------

def test_an_arabic_email_arrives_with_its_subject_and_both_parts_readable(smtp_server):
    email_channel(smtp_server).send(outgoing())

    [mail] = smtp_server.received
    assert mail.rcpt_tos == ["reem@example.sa"]
    message = mail.parsed()
    assert message["Subject"] == "عرض سعر من شركة الأفق"
    assert message["From"].addresses[0].display_name == "شركة الأفق"
    assert message["From"].addresses[0].addr_spec == "sales@tenant-a.test"
    text = message.get_body(("plain",))
    assert text.get_content_charset() == "utf-8"
    assert "السلام عليكم ريم،\r\nنرفق لك عرض السعر." in text.get_content()
    html = message.get_body(("html",)).get_content()
    assert '<html lang="ar" dir="rtl">' in html
    assert "السلام عليكم ريم،<br>نرفق لك عرض السعر.</p>" in html


def test_the_html_part_escapes_what_the_writer_typed(smtp_server):
    email_channel(smtp_server).send(outgoing(body="Price <b>5% off</b> & more", language="en"))

    html = smtp_server.messages()[0].get_body(("html",)).get_content()
    assert "Price &lt;b&gt;5% off&lt;/b&gt; &amp; more" in html
    assert '<html lang="en" dir="ltr">' in html


def test_every_email_offers_one_click_unsubscribe_in_its_headers_and_both_parts(smtp_server):
    email_channel(smtp_server).send(outgoing(language="en", body="Hello Reem"))

    message = smtp_server.messages()[0]
    assert message["List-Unsubscribe"].strip() == f"<{UNSUBSCRIBE}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    assert f"To stop receiving these emails, open: {UNSUBSCRIBE}" in text
    html = message.get_body(("html",)).get_content()
    assert f'<a href="{UNSUBSCRIBE}">Unsubscribe</a>' in html


def test_the_message_id_is_made_from_our_message_id_and_is_the_provider_id(smtp_server):
    message_id = str(uuid.uuid4())

    sent = email_channel(smtp_server).send(outgoing(message_id=message_id))

    assert sent.provider_message_id == f"<{message_id}@tenant-a.localhost>"
    assert smtp_server.messages()[0]["Message-ID"] == sent.provider_message_id
    assert sent.delivered is False


def test_a_meeting_invite_arrives_as_a_calendar_attachment(smtp_server):
    email_channel(smtp_server).send(outgoing(attachments=(
        ("meeting.ics", INVITE, "text/calendar; method=REQUEST"),
        ("عرض-السعر.pdf", b"%PDF-1.7 fake", "application/pdf"))))

    attachments = list(smtp_server.messages()[0].iter_attachments())
    assert [part.get_filename() for part in attachments] == ["meeting.ics", "عرض-السعر.pdf"]
    invite, pdf = attachments
    assert invite.get_content_type() == "text/calendar"
    assert invite.get_param("method") == "REQUEST"
    assert "SUMMARY:عرض توضيحي" in invite.get_content()
    assert pdf.get_content() == b"%PDF-1.7 fake"


def test_the_mail_server_login_comes_from_the_tenant_settings(smtp_server):
    email_channel(smtp_server).send(outgoing())
    assert smtp_server.logins == ["dealix"]


def test_a_wrong_mail_password_is_a_permanent_failure(smtp_server):
    with pytest.raises(PermanentSendError, match="535"):
        email_channel(smtp_server, password="wrong").send(outgoing())
    assert smtp_server.received == []


def test_a_recipient_the_server_refuses_is_a_permanent_failure_with_the_servers_words(smtp_server):
    smtp_server.refuse("reem@example.sa", 550, "5.1.1 No such user here")

    with pytest.raises(PermanentSendError, match="550 5.1.1 No such user here"):
        email_channel(smtp_server).send(outgoing())
    assert smtp_server.received == []


def test_a_recipient_refused_for_now_is_tried_again_later(smtp_server):
    smtp_server.refuse("reem@example.sa", 450, "4.2.1 Mailbox busy, try later")

    with pytest.raises(TransientSendError, match="450"):
        email_channel(smtp_server).send(outgoing())


def test_a_mail_server_that_is_down_is_tried_again_later(smtp_server):
    with pytest.raises(TransientSendError):
        email_channel(smtp_server, port=unused_port()).send(outgoing())


# --- WhatsApp ----------------------------------------------------------------------------------------

def whatsapp(server) -> WhatsAppChannel:
    return WhatsAppChannel(server.settings)


def test_free_text_goes_to_the_cloud_api_as_meta_expects(whatsapp_server):
    message = outgoing(channel="whatsapp", to="+966551234567", body="أهلًا ريم، متى يناسبك الاتصال؟")

    sent = whatsapp(whatsapp_server).send(message)

    [request] = whatsapp_server.received
    assert request.path == f"/v21.0/{whatsapp_server.phone_number_id}/messages"
    assert request.headers["Authorization"] == f"Bearer {whatsapp_server.access_token}"
    assert request.data == {"messaging_product": "whatsapp", "recipient_type": "individual",
                            "to": "966551234567", "type": "text",
                            "text": {"body": "أهلًا ريم، متى يناسبك الاتصال؟", "preview_url": False},
                            "biz_opaque_callback_data": message.message_id}
    assert sent.provider_message_id.startswith("wamid.")
    assert sent.delivered is False


def test_an_approved_template_is_sent_by_name_language_and_parameters(whatsapp_server):
    message = outgoing(channel="whatsapp", to="+966551234567", body="(rendered)",
                       template={"name": "meeting_confirmation", "language": "ar",
                                 "params": ["ريم", "الأحد 12 يناير 10:00"]})

    whatsapp(whatsapp_server).send(message)

    body = whatsapp_server.bodies[0]
    assert body["type"] == "template"
    assert "text" not in body
    assert body["template"] == {"name": "meeting_confirmation", "language": {"code": "ar"}, "components": [
        {"type": "body", "parameters": [{"type": "text", "text": "ريم"},
                                        {"type": "text", "text": "الأحد 12 يناير 10:00"}]}]}


def test_english_templates_go_under_the_language_code_meta_approved_them_with(whatsapp_server):
    settings = {**whatsapp_server.settings, "english_template_language": "en_US"}
    channel = WhatsAppChannel(settings)

    channel.send(outgoing(channel="whatsapp", to="+966551234567", body="(rendered)",
                          template={"name": "meeting_confirmation", "language": "en", "params": []}))
    channel.send(outgoing(channel="whatsapp", to="+966551234567", body="(rendered)",
                          template={"name": "meeting_confirmation", "language": "ar", "params": []}))

    assert [body["template"]["language"] for body in whatsapp_server.bodies] == [{"code": "en_US"}, {"code": "ar"}]


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_cloud_api_outage_or_throttle_is_tried_again_later(whatsapp_server, status):
    whatsapp_server.fail_next(1, status=status)
    channel = whatsapp(whatsapp_server)

    with pytest.raises(TransientSendError, match="temporarily unavailable"):
        channel.send(outgoing(channel="whatsapp", to="+966551234567"))
    assert channel.send(outgoing(channel="whatsapp", to="+966551234567")).provider_message_id.startswith("wamid.")


def test_a_message_meta_refuses_fails_for_good_with_metas_words(whatsapp_server):
    whatsapp_server.reject_next("(#131026) Message undeliverable", code=131026,
                                details="Message could not be delivered to the recipient")

    with pytest.raises(PermanentSendError) as refused:
        whatsapp(whatsapp_server).send(outgoing(channel="whatsapp", to="+966551234567"))
    assert str(refused.value) == ("(#131026) Message undeliverable: Message could not be delivered to the "
                                  "recipient (code 131026)")


def test_a_rate_limit_meta_answers_with_400_is_tried_again_later(whatsapp_server):
    whatsapp_server.reject_next("(#130429) Rate limit hit", code=130429)

    with pytest.raises(TransientSendError, match="Rate limit hit"):
        whatsapp(whatsapp_server).send(outgoing(channel="whatsapp", to="+966551234567"))


def test_a_wrong_access_token_fails_for_good(whatsapp_server):
    channel = WhatsAppChannel({**whatsapp_server.settings, "access_token": "expired"})

    with pytest.raises(PermanentSendError, match="Invalid OAuth access token"):
        channel.send(outgoing(channel="whatsapp", to="+966551234567"))


def test_an_unreachable_cloud_api_is_tried_again_later(whatsapp_server):
    channel = WhatsAppChannel({**whatsapp_server.settings, "api_base": f"http://127.0.0.1:{unused_port()}/v21.0"})

    with pytest.raises(TransientSendError):
        channel.send(outgoing(channel="whatsapp", to="+966551234567"))


# --- SMS ---------------------------------------------------------------------------------------------

def test_an_arabic_text_message_is_posted_as_utf8_form_fields(sms_server):
    message = outgoing(channel="sms", to="+966551234567", body="موعدك غدًا الساعة ١٠ صباحًا", subject="")

    sent = SmsChannel(sms_server.settings).send(message)

    [request] = sms_server.received
    assert request.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert request.data == {"AppSid": sms_server.app_sid, "SenderID": "TenantA", "Recipient": "966551234567",
                            "Body": "موعدك غدًا الساعة ١٠ صباحًا", "CorrelationID": message.message_id}
    assert sent.provider_message_id.isdigit()


def test_a_message_the_sms_provider_refuses_fails_for_good_with_its_words(sms_server):
    sms_server.reject_next("Sender ID is not approved", error_code="ER-14")

    with pytest.raises(PermanentSendError, match="Sender ID is not approved"):
        SmsChannel(sms_server.settings).send(outgoing(channel="sms", to="+966551234567"))


def test_an_sms_provider_outage_is_tried_again_later(sms_server):
    sms_server.fail_next(1, status=502)

    with pytest.raises(TransientSendError):
        SmsChannel(sms_server.settings).send(outgoing(channel="sms", to="+966551234567"))


def test_the_first_text_message_to_a_contact_may_not_carry_a_link(sms_server):
    message = outgoing(channel="sms", to="+966551234567", body="احجز موعدك: https://tenant-a.localhost/b/1",
                       is_first_sms=True)

    with translation.override("en"), pytest.raises(PermanentSendError, match="may not contain a link"):
        SmsChannel(sms_server.settings).send(message)
    assert sms_server.received == []
    SmsChannel(sms_server.settings).send(outgoing(channel="sms", to="+966551234567", body="أهلًا بك",
                                                  is_first_sms=True))
    assert len(sms_server.received) == 1


# --- choosing the adapter ----------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_tenant_without_credentials_records_messages_in_the_outbox(in_tenant_a):
    in_tenant_a.settings = {**in_tenant_a.settings, "channels": {}}

    for channel in ("email", "whatsapp", "sms"):
        adapter = channel_for(channel)
        assert isinstance(adapter, OutboxChannel)
        assert adapter.really_sends is False
        sent = adapter.send(outgoing(channel=channel, message_id="42"))
        assert (sent.provider_message_id, sent.delivered) == ("outbox-42", False)


@pytest.mark.django_db
def test_a_channel_missing_a_required_credential_stays_in_the_outbox(in_tenant_a, whatsapp_server):
    whatsapp_server.configure(in_tenant_a)
    in_tenant_a.settings["channels"]["whatsapp"]["access_token"] = ""

    assert isinstance(channel_for("whatsapp"), OutboxChannel)


@pytest.mark.django_db
def test_a_configured_tenant_sends_through_its_own_servers(in_tenant_a, smtp_server, whatsapp_server, sms_server):
    for server in (smtp_server, whatsapp_server, sms_server):
        server.configure(in_tenant_a)

    channel_for("email").send(outgoing())
    channel_for("whatsapp").send(outgoing(channel="whatsapp", to="+966551234567"))
    channel_for("sms").send(outgoing(channel="sms", to="+966551234567"))

    assert smtp_server.messages()[0]["Message-ID"].endswith("@tenant-a.localhost>")
    assert len(whatsapp_server.received) == len(sms_server.received) == 1


@pytest.mark.django_db
def test_in_app_messages_are_delivered_as_soon_as_they_are_recorded(in_tenant_a):
    adapter = channel_for("in_app")

    assert isinstance(adapter, InAppChannel)
    sent = adapter.send(outgoing(channel="in_app", to="7", message_id="42"))
    assert (sent.provider_message_id, sent.delivered) == ("inapp-42", True)


@pytest.mark.django_db
def test_the_settings_page_can_say_how_each_channel_goes_out(tenant_a, whatsapp_server):
    tenant_a.settings = {**tenant_a.settings, "channels": {}}
    whatsapp_server.configure(tenant_a)

    with translation.override("en"):
        status = channel_status(tenant_a)

    assert status == {"whatsapp": "WhatsApp: Cloud API", "email": "Email: outbox (not configured)",
                      "sms": "SMS: outbox (not configured)", "in_app": "In-app: in the app"}


@pytest.mark.django_db
def test_an_unknown_channel_is_a_programming_error(in_tenant_a):
    with pytest.raises(ValueError):
        channel_for("fax")


@pytest.mark.django_db
def test_an_email_an_agent_writes_reaches_the_mail_server_with_its_unsubscribe_link(in_tenant_a, smtp_server, people):
    smtp_server.configure(in_tenant_a)
    reem = ContactFactory(full_name="ريم الحربي", email="reem@example.sa", language="ar")
    consent_record(actor=None, contact=reem, channel=ConsentChannel.EMAIL, granted=True, source="web_form")

    message = message_send(actor=user_of(people["owner"]), channel=MessageChannel.EMAIL, contact=reem,
                           subject="عرض سعر", body="مرحبًا ريم،\nالعرض مرفق.", now=SUNDAY_MORNING)
    assert deliver_message(str(message.pk), SUNDAY_MORNING.isoformat()) == "sent"

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    [mail] = smtp_server.messages()
    assert mail["Message-ID"] == message.provider_message_id == f"<{message.pk}@tenant-a.localhost>"
    link = mail["List-Unsubscribe"].strip()[1:-1]
    assert link.startswith(tenant_url("/forms/unsubscribe/"))
    assert link in mail.get_body(("plain",)).get_content()
