"""Calls on the lead page: logging one, refusing bad input, who may see it, the call script in both
languages, and the hint to switch channel after unanswered calls."""
import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from compliance.services import consent_record
from crm import calls
from crm.models import Activity, Call, Contact, Lead, Template
from dealix.accounts.models import User
from dealix.core.models import AuditLog
from tests.conftest import user_of

pytestmark = pytest.mark.django_db

SCRIPTS = {
    "ar": "السلام عليكم {contact_name}، معك {agent_name} من {tenant_name}. هل عندك دقيقتان؟",
    "en": "Hello {contact_name}, this is {agent_name} from {tenant_name}. Do you have two minutes?",
}


@pytest.fixture
def lead(people):
    with schema_context("tenant_a"):
        agent = User.objects.get(email="agent@a.test")
        lead = Lead.objects.create(full_name="سلمان الدوسري", phone="+966501234567", assigned_to=agent,
                                   company_name="مؤسسة الواحة", status="contacted")
        Contact.objects.create(full_name="سلمان الدوسري", lead=lead, owner=agent, phone="+966501234567",
                               whatsapp="+966501234567", email="salman@example.sa", language="ar")
        return lead


@pytest.fixture
def call_scripts(tenant_a):
    with schema_context("tenant_a"):
        for language, body in SCRIPTS.items():
            Template.objects.update_or_create(key="call_opener", type="voice", language=language,
                                              defaults={"name": "Call opener", "body": body, "is_active": True})


def url(lead):
    return f"/crm/leads/{lead.pk}/calls/"


def calls_of(lead):
    with schema_context("tenant_a"):
        return list(Call.objects.filter(lead=lead).order_by("created_at"))


def log(client, lead, **fields):
    data = {"direction": "outbound", "status": "answered", "duration": "", "outcome": "", "sentiment": "",
            "recording_url": "", "notes": "", **fields}
    return client.post(url(lead), data, HTTP_HX_REQUEST="true")


# --- logging ---------------------------------------------------------------------------------------

def test_the_lead_page_loads_the_calls_card(client_for, people, lead, call_scripts):
    client = client_for(people["agent"], language="en")

    page = client.get(f"/crm/leads/{lead.pk}/").content.decode()
    card = client.get(url(lead), HTTP_HX_REQUEST="true")

    assert f'hx-get="{url(lead)}"' in page
    assert "HX-Request" in card["Vary"] and "<html" not in card.content.decode()
    assert "Call script" in card.content.decode() and "Log the call" in card.content.decode()


def test_logging_a_call_through_the_page_saves_it_audits_it_and_shows_it(client_for, people, lead):
    response = log(client_for(people["agent"], language="en"), lead, duration="4:30", outcome="Demo booked",
                   sentiment="positive", recording_url="https://recordings.example.sa/c/1.mp3",
                   notes="يريد عرضاً للفروع الثلاثة\nيفضّل الأحد")

    [call] = calls_of(lead)
    assert call.status == "answered" and call.duration_seconds == 270 and call.outcome == "Demo booked"
    assert call.user.email == "agent@a.test" and call.contact.full_name == "سلمان الدوسري"
    page = response.content.decode()
    assert response.status_code == 200 and "Demo booked" in page and "4:30" in page and "Call logged." in page
    with schema_context("tenant_a"):
        assert AuditLog.objects.filter(entity_type="crm.call", entity_id=call.pk, action="create").exists()
        note = Activity.objects.get(lead=lead, type="note")
        assert note.subject == "يريد عرضاً للفروع الثلاثة" and "يفضّل الأحد" in note.body
        assert not Activity.objects.filter(lead=lead, type="call").exists()  # the timeline lists the Call itself


def test_the_timeline_shows_the_call_once(client_for, people, lead):
    client = client_for(people["agent"], language="en")
    log(client, lead, status="missed", outcome="No answer")

    page = client.get(f"/crm/leads/{lead.pk}/").content.decode()

    assert page.count("No answer") == 1


def test_without_javascript_logging_a_call_returns_to_the_lead_page(client_for, people, lead):
    response = client_for(people["agent"]).post(url(lead), {"direction": "outbound", "status": "missed"})

    assert response.status_code == 302 and response["Location"] == f"/crm/leads/{lead.pk}/"
    assert [call.status for call in calls_of(lead)] == ["missed"]


def test_without_javascript_the_calls_have_a_page_of_their_own(client_for, people, lead):
    page = client_for(people["agent"], language="en").get(url(lead)).content.decode()

    assert "<html" in page and 'href="/crm/leads/' in page and "Log the call" in page


@pytest.mark.parametrize("fields, error", [
    ({"duration": "-5"}, "Write the duration as minutes:seconds"),
    ({"duration": "4:75"}, "Write the duration as minutes:seconds"),
    ({"duration": "25:00:00"}, "A call cannot last more than 24 hours."),
    ({"status": "missed", "duration": "2:00"}, "A missed or failed call lasted 0 seconds"),
    ({"status": "failed", "duration": "0:05"}, "A missed or failed call lasted 0 seconds"),
    ({"recording_url": "ftp://files.example.sa/1.mp3"}, "The recording link must start with https://"),
    ({"recording_url": "javascript:alert(1)"}, "The recording link must start with https://"),
    ({"status": "ringing"}, "Select a valid choice"),
])
def test_bad_input_is_refused_with_a_clear_error_and_nothing_saved(fields, error, client_for, people, lead):
    response = log(client_for(people["agent"], language="en"), lead, **fields)

    assert response.status_code == 200 and error in response.content.decode()
    assert calls_of(lead) == []
    with schema_context("tenant_a"):
        assert not AuditLog.objects.filter(entity_type="crm.call").exists()


def test_the_service_refuses_what_the_form_cannot_catch(people, lead, in_tenant_a):
    agent = User.objects.get(email="agent@a.test")

    with pytest.raises(ValidationError) as refused:
        calls.call_log(actor=agent, lead=lead, data={"status": "answered", "duration_seconds": -1,
                                                     "direction": "sideways"})

    assert set(refused.value.message_dict) == {"duration_seconds", "direction"}
    assert not Call.objects.exists()


def test_another_agents_lead_is_a_404_and_nothing_is_logged(client_for, people, lead):
    client = client_for(people["agent2"])

    assert client.get(url(lead), HTTP_HX_REQUEST="true").status_code == 404
    assert log(client, lead, status="missed").status_code == 404
    assert calls_of(lead) == []


def test_another_tenants_user_gets_a_404(client_for, people, lead):
    assert client_for(people["outsider"]).get(url(lead)).status_code == 404


def test_the_service_refuses_a_lead_the_agent_may_not_see(people, lead, in_tenant_a):
    with pytest.raises(Lead.DoesNotExist):
        calls.call_log(actor=User.objects.get(email="agent2@a.test"), lead=lead, data={"status": "missed"})


def test_a_viewer_reads_the_card_but_cannot_log_a_call(client_for, people, lead):
    client = client_for(people["viewer"])

    card = client.get(url(lead), HTTP_HX_REQUEST="true").content.decode()

    assert 'data-testid="log-call"' not in card
    assert log(client, lead, status="missed").status_code == 403
    assert calls_of(lead) == []


def test_a_manager_logs_a_call_on_the_teams_lead(client_for, people, lead):
    log(client_for(people["manager"]), lead, status="voicemail", duration="0:25")

    [call] = calls_of(lead)
    assert call.user.email == "manager@a.test" and call.duration_seconds == 25


# --- the script ------------------------------------------------------------------------------------

def test_the_script_is_in_the_contacts_language_and_switches_to_english(client_for, people, lead, call_scripts):
    client = client_for(people["agent"], language="en")

    agent_name = user_of(people["agent"]).full_name

    arabic = client.get(url(lead), HTTP_HX_REQUEST="true").content.decode()
    english = client.get(url(lead) + "?script_language=en", HTTP_HX_REQUEST="true").content.decode()

    assert f"السلام عليكم سلمان الدوسري، معك {agent_name} من Tenant A." in arabic
    assert 'lang="ar" dir="rtl"' in arabic
    assert f"Hello سلمان الدوسري, this is {agent_name} from Tenant A." in english
    assert 'lang="en" dir="ltr"' in english


def test_a_value_the_records_lack_shows_as_what_to_ask(people, lead, in_tenant_a):
    Template.objects.update_or_create(key="call_opener", type="voice", language="en",
                                      defaults={"name": "Call opener", "body": "How is {company_name} doing?"})
    Lead.objects.filter(pk=lead.pk).update(company_name="")
    lead.refresh_from_db()
    Contact.objects.filter(lead=lead).update(language="en")

    script = calls.call_script(lead=lead, user=User.objects.get(email="agent@a.test"), language="en")

    assert script == "How is [Contact's company] doing?"


# --- switching channel after unanswered calls ------------------------------------------------------

def make_calls(lead, *statuses, direction="outbound"):
    with schema_context("tenant_a"):
        agent = User.objects.get(email="agent@a.test")
        for status in statuses:
            Call.objects.create(lead=lead, user=agent, direction=direction, status=status)


def suggestion(lead):
    from django.utils import translation
    with schema_context("tenant_a"), translation.override("en"):
        return calls.channel_switch_suggestion(Lead.objects.get(pk=lead.pk))


def grant(lead, channel):
    with schema_context("tenant_a"):
        consent_record(actor=None, contact=Contact.objects.get(lead=lead), channel=channel, granted=True,
                       source="web_form")


def test_two_unanswered_calls_suggest_the_first_channel_the_contact_consented_to(lead):
    grant(lead, "email")
    grant(lead, "sms")
    make_calls(lead, "missed", "voicemail")

    assert suggestion(lead) == ("2 calls in a row went unanswered: write to سلمان الدوسري by Email instead.")

    grant(lead, "whatsapp")
    assert "by WhatsApp instead" in suggestion(lead)


def test_without_consent_the_suggestion_is_to_ask_for_it(lead):
    make_calls(lead, "failed", "missed")

    assert "first ask for consent" in suggestion(lead)


def test_one_unanswered_call_is_not_enough(lead):
    make_calls(lead, "missed")

    assert suggestion(lead) is None


def test_an_answered_call_since_ends_the_suggestion(lead):
    make_calls(lead, "missed", "missed", "answered")

    assert suggestion(lead) is None

    make_calls(lead, "missed")
    assert suggestion(lead) is None


def test_missing_their_call_to_us_does_not_count(lead):
    make_calls(lead, "missed")
    make_calls(lead, "missed", direction="inbound")

    assert suggestion(lead) is None


def test_the_card_shows_the_suggestion_after_the_second_unanswered_call_is_logged(client_for, people, lead):
    grant(lead, "whatsapp")
    client = client_for(people["agent"], language="en")

    first = log(client, lead, status="missed").content.decode()
    second = log(client, lead, status="voicemail", duration="0:20").content.decode()

    assert 'data-testid="channel-switch"' not in first
    assert 'data-testid="channel-switch"' in second and "by WhatsApp instead" in second
