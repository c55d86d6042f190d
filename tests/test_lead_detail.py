"""The lead page: details, inline edit, status, conversion, notes, tasks, timeline, visibility."""
import pytest
from django_tenants.utils import schema_context

from crm.models import Activity, Deal, Lead
from dealix.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(people):
    with schema_context("tenant_a"):
        agent = User.objects.get(email="agent@a.test")
        return Lead.objects.create(full_name="سلمان الدوسري", phone="+966501234567", assigned_to=agent,
                                   company_name="مؤسسة الواحة", sector="retail", status="contacted")


def url(lead, suffix=""):
    return f"/crm/leads/{lead.pk}/{suffix}"


def reload(lead):
    with schema_context("tenant_a"):
        return Lead.objects.get(pk=lead.pk)


def test_the_lead_page_shows_details_score_reasons_and_timeline(client_for, people, lead):
    page = client_for(people["agent"], language="en").get(url(lead) + "?lang=en").content.decode()

    assert "سلمان الدوسري" in page and "مؤسسة الواحة" in page and "Why this score" in page
    assert "Industry fit" in page


def test_inline_edit_saves_through_the_service_and_rescores(client_for, people, lead):
    client = client_for(people["agent"])

    form = client.get(url(lead, "edit/"), HTTP_HX_REQUEST="true")
    response = client.post(url(lead, "edit/"), {"full_name": "سلمان الدوسري", "phone": "0501234567", "source": "web",
                                                "sector": "healthcare", "employees": "20"}, HTTP_HX_REQUEST="true")

    assert 'hx-post' in form.content.decode() and "<html" not in form.content.decode()
    assert response["HX-Redirect"] == url(lead)
    updated = reload(lead)
    assert updated.sector == "healthcare" and updated.score == 20 + 25


def test_inline_edit_with_a_bad_phone_shows_the_error_and_changes_nothing(client_for, people, lead):
    response = client_for(people["agent"], language="en").post(
        url(lead, "edit/") + "?lang=en", {"full_name": "X", "phone": "12", "source": "web"}, HTTP_HX_REQUEST="true")

    assert "Enter a valid phone number" in response.content.decode()
    assert reload(lead).full_name == "سلمان الدوسري"


def test_status_change_and_conversion_from_the_page(client_for, people, lead):
    client = client_for(people["agent"])

    client.post(url(lead, "status/"), {"status": "qualified"})
    response = client.post(url(lead, "convert/"), {"deal_title": "توريد سنوي", "deal_value": "30000"})

    assert response.status_code == 302 and response["Location"] == "/crm/pipeline/"
    assert reload(lead).status == "converted"
    with schema_context("tenant_a"):
        deal = Deal.objects.get(lead=lead)
    assert deal.title == "توريد سنوي" and str(deal.value) == "30000.00"


def test_notes_and_tasks_appear_on_the_page_and_tasks_can_be_completed(client_for, people, lead):
    client = client_for(people["agent"])

    timeline = client.post(url(lead, "notes/"), {"body": "طلب عرض سعر للفروع الثلاثة"}, HTTP_HX_REQUEST="true")
    tasks = client.post(url(lead, "tasks/"), {"subject": "اتصال متابعة", "scheduled_at": "2026-12-01T10:00"},
                        HTTP_HX_REQUEST="true")

    assert "طلب عرض سعر للفروع الثلاثة" in timeline.content.decode()
    assert "اتصال متابعة" in tasks.content.decode()
    with schema_context("tenant_a"):
        task = Activity.objects.get(subject="اتصال متابعة")
    client.post(f"/crm/tasks/{task.pk}/done/", HTTP_HX_REQUEST="true")
    with schema_context("tenant_a"):
        assert Activity.objects.get(pk=task.pk).completed_at is not None


def test_status_changes_show_in_the_timeline_with_labels(client_for, people, lead):
    client = client_for(people["agent"], language="en")
    client.post(url(lead, "status/"), {"status": "qualified"})

    page = client.get(url(lead) + "?lang=en").content.decode()

    assert "Status: Contacted → Qualified" in page


def test_other_agents_cannot_see_or_act_on_the_lead(client_for, people, lead):
    client = client_for(people["agent2"])

    assert client.get(url(lead)).status_code == 404
    assert client.post(url(lead, "notes/"), {"body": "x"}).status_code == 404
    assert client.post(url(lead, "status/"), {"status": "qualified"}).status_code == 404
    assert reload(lead).status == "contacted"


def test_a_manager_reassigns_from_the_page_and_an_agent_cannot(client_for, people, lead):
    with schema_context("tenant_a"):
        agent2 = User.objects.get(email="agent2@a.test")

    assert client_for(people["agent"]).post(url(lead, "assign/"), {"assignee": str(agent2.pk)}).status_code == 403
    client_for(people["manager"]).post(url(lead, "assign/"), {"assignee": str(agent2.pk)})

    assert reload(lead).assigned_to_id == agent2.pk


def test_the_home_page_lists_the_agents_tasks_due_today_and_overdue(client_for, people, lead):
    import datetime

    from django.utils import timezone
    with schema_context("tenant_a"):
        agent = User.objects.get(email="agent@a.test")
        now = timezone.now()
        for subject, when in [("متأخرة", now - datetime.timedelta(days=2)), ("اليوم", now),
                              ("الأسبوع القادم", now + datetime.timedelta(days=7))]:
            Activity.objects.create(user=agent, lead=lead, type="task", subject=subject, scheduled_at=when)
        Activity.objects.create(user=User.objects.get(email="agent2@a.test"), lead=lead, type="task",
                                subject="ليست لي", scheduled_at=now)

    page = client_for(people["agent"]).get("/").content.decode()

    assert "متأخرة" in page and "اليوم" in page
    assert "الأسبوع القادم" not in page and "ليست لي" not in page
