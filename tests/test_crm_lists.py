"""The lead list as agents and managers use it: visibility, search, filters, pages, exports, bulk actions."""
import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from crm.models import Lead
from dealix.accounts.models import User
from dealix.core.models import AuditLog, SavedView

pytestmark = pytest.mark.django_db


def make_leads(owner_email: str, count: int, **fields) -> list[Lead]:
    with schema_context("tenant_a"):
        owner = User.objects.get(email=owner_email)
        leads = []
        for number in range(count):
            lead = Lead(full_name=fields.get("full_name", f"Lead {number:04d}"), phone=fields.get("phone", ""),
                        email=fields.get("email", ""), company_name=fields.get("company_name", ""),
                        assigned_to=owner, status=fields.get("status", "new"), score=fields.get("score", 10),
                        sector=fields.get("sector", ""))
            lead.search_text = lead.build_search_text()
            leads.append(lead)
        return Lead.objects.bulk_create(leads)


def user_in_a(email: str) -> User:
    with schema_context("tenant_a"):
        return User.objects.get(email=email)


def names_on(response) -> str:
    return response.content.decode()


def test_an_agent_sees_only_their_own_leads(client_for, people):
    make_leads("agent@a.test", 2, full_name="Mine")
    make_leads("agent2@a.test", 2, full_name="Someone Else")

    page = names_on(client_for(people["agent"]).get("/crm/leads/"))

    assert "Mine" in page and "Someone Else" not in page


def test_a_manager_sees_the_whole_teams_leads(client_for, people):
    make_leads("agent@a.test", 1, full_name="Mine")
    make_leads("agent2@a.test", 1, full_name="Someone Else")

    page = names_on(client_for(people["manager"]).get("/crm/leads/"))

    assert "Mine" in page and "Someone Else" in page


def test_another_agents_lead_is_a_404_for_an_agent(client_for, people):
    (theirs,) = make_leads("agent2@a.test", 1)

    assert client_for(people["agent"]).get(f"/crm/leads/{theirs.pk}/").status_code == 404
    assert client_for(people["manager"]).get(f"/crm/leads/{theirs.pk}/").status_code == 200


def test_a_lead_of_another_tenant_is_a_404(client_for, people):
    with schema_context("tenant_b"):
        owner = User.objects.get(email="agent@b.test")
        other = Lead.objects.create(full_name="Tenant B lead", assigned_to=owner)

    assert client_for(people["manager"]).get(f"/crm/leads/{other.pk}/").status_code == 404


@pytest.mark.parametrize("typed", ["احمد", "أحمد", "إحمد", "احمد الغامدى"])
def test_search_finds_arabic_names_however_they_are_spelled(client_for, people, typed):
    make_leads("agent@a.test", 1, full_name="أحمد الغامدي")
    make_leads("agent@a.test", 1, full_name="سارة القحطاني")

    page = names_on(client_for(people["agent"]).get("/crm/leads/", {"q": typed}, HTTP_HX_REQUEST="true"))

    assert "أحمد الغامدي" in page and "سارة القحطاني" not in page


@pytest.mark.parametrize("typed", ["0501234567", "+966 50 123 4567", "٠٥٠١٢٣٤٥٦٧", "966501234567", "050-123-4567"])
def test_search_finds_a_phone_typed_any_usual_way(client_for, people, typed):
    make_leads("agent@a.test", 1, full_name="Phone Person", phone="+966501234567")
    make_leads("agent@a.test", 1, full_name="Other Person", phone="+966559999999")

    page = names_on(client_for(people["agent"]).get("/crm/leads/", {"q": typed}))

    assert "Phone Person" in page and "Other Person" not in page


def test_the_htmx_search_answers_with_the_table_fragment_only(client_for, people):
    response = client_for(people["agent"]).get("/crm/leads/", {"q": "x"}, HTTP_HX_REQUEST="true")

    assert "<html" not in response.content.decode()
    assert 'id="bulk-form"' in response.content.decode()
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_filters_by_status_and_owner(client_for, people):
    make_leads("agent@a.test", 1, full_name="Qualified One", status="qualified")
    make_leads("agent@a.test", 1, full_name="New One", status="new")
    make_leads("agent2@a.test", 1, full_name="Qualified Two", status="qualified")
    agent = user_in_a("agent@a.test")

    page = names_on(client_for(people["manager"]).get("/crm/leads/", {"status": "qualified",
                                                                      "assigned_to": str(agent.pk)}))

    assert "Qualified One" in page and "New One" not in page and "Qualified Two" not in page


def test_paging_walks_every_row_once_forwards_and_back(client_for, people):
    make_leads("agent@a.test", 60)
    client = client_for(people["agent"])
    import re

    def rows(response):
        return re.findall(r"Lead \d{4}", response.content.decode())

    first = client.get("/crm/leads/", {"per_page": 25, "sort": "name"})
    next_link = re.search(r'href="\?([^"]*cursor=[^"]*)" hx-get="[^"]*" hx-target="#list-table" hx-push-url="true" rel="next"',
                          first.content.decode()).group(1).replace("&amp;", "&")
    second = client.get("/crm/leads/?" + next_link)
    assert rows(first) == [f"Lead {n:04d}" for n in range(25)]
    assert rows(second) == [f"Lead {n:04d}" for n in range(25, 50)]
    previous_link = re.search(r'href="\?([^"]*)" hx-get="[^"]*" hx-target="#list-table" hx-push-url="true" rel="prev"',
                              second.content.decode()).group(1).replace("&amp;", "&")
    assert rows(client.get("/crm/leads/?" + previous_link)) == rows(first)


def test_a_damaged_cursor_starts_again_from_the_first_page(client_for, people):
    make_leads("agent@a.test", 3)

    response = client_for(people["agent"]).get("/crm/leads/", {"cursor": "not-a-cursor!!"})

    assert response.status_code == 200 and "Lead 0000" in response.content.decode()


def test_the_list_runs_the_same_number_of_queries_for_10_and_500_rows(client_for, people):
    client = client_for(people["manager"])
    make_leads("agent@a.test", 10)
    client.get("/crm/leads/")  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as small:
        client.get("/crm/leads/")
    make_leads("agent2@a.test", 490)
    with CaptureQueriesContext(connection) as large:
        client.get("/crm/leads/")

    assert len(small) == len(large)


def test_filtering_by_status_reads_each_lead_once_without_deduplicating_every_match(client_for, people):
    make_leads("agent@a.test", 3, status="new")
    make_leads("agent@a.test", 2, status="contacted")
    client = client_for(people["manager"], language="en")

    with CaptureQueriesContext(connection) as captured:
        page = client.get("/crm/leads/?status=new&status=contacted").content.decode()

    lead_queries = [query["sql"] for query in captured if 'FROM "crm_lead"' in query["sql"]]
    assert lead_queries and not any("DISTINCT" in sql for sql in lead_queries)
    assert "5 found" in page and page.count('data-select-all') == 1


def test_export_is_audited_and_neutralises_formulas(client_for, people):
    make_leads("agent@a.test", 1, full_name="=cmd|' /C calc'!A0", company_name="+SUM(1,2)")
    make_leads("agent2@a.test", 1, full_name="Not Mine")

    response = client_for(people["agent"]).get("/crm/leads/export.csv")

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][0] == "'=cmd|' /C calc'!A0" and rows[1][1] == "'+SUM(1,2)"
    assert len(rows) == 2  # the header and the agent's own lead only
    with schema_context("tenant_a"):
        assert AuditLog.objects.filter(action="export", entity_type="crm.lead").exists()


def test_xlsx_export_opens_with_the_rows_right_to_left_in_arabic(client_for, people):
    make_leads("agent@a.test", 2, full_name="نورة")

    response = client_for(people["agent"]).get("/crm/leads/export.xlsx?lang=ar")

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.sheet_view.rightToLeft
    assert [cell.value for cell in sheet["A"]][1:] == ["نورة", "نورة"]


def test_a_viewer_cannot_export_or_bulk_change(client_for, people):
    make_leads("agent@a.test", 1)
    client = client_for(people["viewer"])

    assert client.get("/crm/leads/").status_code == 200
    assert client.get("/crm/leads/export.csv").status_code == 403
    assert client.post("/crm/leads/bulk/", {"action": "status", "status": "contacted"}).status_code == 403


def test_a_manager_assigns_selected_leads_in_bulk(client_for, people):
    leads = make_leads("agent@a.test", 3)
    agent2 = user_in_a("agent2@a.test")

    client_for(people["manager"]).post("/crm/leads/bulk/", {
        "action": "assign", "assignee": str(agent2.pk), "selected": [str(lead.pk) for lead in leads[:2]]})

    with schema_context("tenant_a"):
        owners = [Lead.objects.get(pk=lead.pk).assigned_to_id for lead in leads]
    assert owners == [agent2.pk, agent2.pk, leads[2].assigned_to_id]


def test_bulk_changes_skip_leads_the_user_cannot_see(client_for, people):
    (theirs,) = make_leads("agent2@a.test", 1)

    client_for(people["agent"]).post("/crm/leads/bulk/", {"action": "status", "status": "contacted",
                                                          "selected": [str(theirs.pk)]})

    with schema_context("tenant_a"):
        assert Lead.objects.get(pk=theirs.pk).status == "new"


def test_bulk_losing_without_a_reason_is_refused_with_a_message(client_for, people):
    leads = make_leads("agent@a.test", 2)

    response = client_for(people["agent"], language="en").post(
        "/crm/leads/bulk/", {"action": "status", "status": "lost", "selected": [str(lead.pk) for lead in leads]},
        follow=True)

    assert "Say why the lead was lost." in response.content.decode()
    with schema_context("tenant_a"):
        assert set(Lead.objects.filter(pk__in=[lead.pk for lead in leads]).values_list("status", flat=True)) == {"new"}


def test_a_saved_default_view_opens_the_list_with_its_filters(client_for, people):
    make_leads("agent@a.test", 1, full_name="Qualified One", status="qualified")
    make_leads("agent@a.test", 1, full_name="New One", status="new")
    client = client_for(people["agent"])

    client.post("/core/views/save/", {"list_key": "leads", "name": "Qualified", "query": "status=qualified",
                                      "make_default": "on", "next": "/crm/leads/"})
    page = names_on(client.get("/crm/leads/"))

    assert "Qualified One" in page and "New One" not in page
    with schema_context("tenant_a"):
        assert SavedView.objects.get(name="Qualified").is_default


def test_chosen_columns_are_remembered(client_for, people):
    make_leads("agent@a.test", 1, email="someone@example.test")
    client = client_for(people["agent"])
    assert "someone@example.test" not in names_on(client.get("/crm/leads/"))

    client.post("/core/views/columns/", {"list_key": "leads", "columns": ["full_name", "email"], "next": "/crm/leads/"})

    page = names_on(client.get("/crm/leads/"))
    assert "someone@example.test" in page


def test_creating_a_lead_from_the_form(client_for, people):
    client = client_for(people["agent"], language="en")

    response = client.post("/crm/leads/new/", {"full_name": "Fahad Al-Harbi", "phone": "0501112222",
                                               "source": "web", "sector": "education", "employees": "25",
                                               "engagement_signals": ["requested_demo"], "timing": "deciding"})

    with schema_context("tenant_a"):
        lead = Lead.objects.get(full_name="Fahad Al-Harbi")
    assert response.status_code == 302 and response["Location"] == f"/crm/leads/{lead.pk}/"
    assert lead.phone == "+966501112222" and lead.score == 20 + 25 + 15 + 8
    assert lead.assigned_to.email == "agent@a.test"


def test_a_lead_without_phone_or_email_is_refused_and_nothing_is_saved(client_for, people):
    response = client_for(people["agent"], language="en").post(
        "/crm/leads/new/", {"full_name": "Nobody", "source": "web"})

    assert "Give at least a phone number or an email" in response.content.decode()
    with schema_context("tenant_a"):
        assert not Lead.objects.filter(full_name="Nobody").exists()


def test_script_tags_are_shown_escaped(client_for, people):
    make_leads("agent@a.test", 1, full_name="<script>alert(1)</script>")

    page = names_on(client_for(people["agent"]).get("/crm/leads/"))

    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_ten_thousand_character_name_is_refused_with_a_message(client_for, people):
    response = client_for(people["agent"], language="en").post(
        "/crm/leads/new/", {"full_name": "ن" * 10000, "phone": "0501112223", "source": "web"})

    assert response.status_code == 200
    assert "Ensure this value has at most 255 characters" in response.content.decode()
    with schema_context("tenant_a"):
        assert not Lead.objects.filter(phone="+966501112223").exists()


def test_htmx_fragments_of_another_agents_lead_are_404(client_for, people):
    (theirs,) = make_leads("agent2@a.test", 1)
    client = client_for(people["agent"])

    for path in (f"/crm/leads/{theirs.pk}/edit/", f"/crm/leads/{theirs.pk}/"):
        assert client.get(path, HTTP_HX_REQUEST="true").status_code == 404
    assert client.post(f"/crm/leads/{theirs.pk}/tasks/", {"subject": "x", "scheduled_at": "2026-12-01T10:00"},
                       HTTP_HX_REQUEST="true").status_code == 404


def test_every_filter_control_is_named_for_screen_readers_and_keeps_its_value(client_for, people):
    import re
    page = client_for(people["manager"], language="en").get(
        "/crm/leads/?city=Jeddah&created_min=2026-01-01&status=new").content.decode()
    panel = page[page.index('<form id="filters"'):]
    panel = panel[:panel.index("</form>")]
    labelled = set(re.findall(r'<label[^>]* for="([^"]+)"', panel))
    controls = re.findall(r'<(?:select|input)\b([^>]*)>', panel)
    for attributes in controls:
        if 'type="hidden"' in attributes:
            continue
        control_id = re.search(r'id="([^"]+)"', attributes).group(1)
        assert control_id in labelled or "aria-label=" in attributes, attributes
    assert '<legend class="form-label fw-semibold mb-1 fs-6">Status</legend>' in panel
    assert 'name="city" id="id_city" class="form-control form-control-sm" value="Jeddah"' in panel
    assert 'type="date" name="created_min" id="id_created_0"' in panel and 'value="2026-01-01"' in panel
    assert 'name="status" value="new" id="id_status_0" class="form-check-input" checked' in panel
