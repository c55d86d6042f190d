"""The CRM lists beside leads (prospects, deals, contacts, companies, customers, activities, calls) and
the record pages: who sees what, search, filters, sorts, pages, exports, and a steady number of queries."""
import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from crm.models import Activity, Call, Company, Contact, Customer, Deal, Lead, Message, Prospect, Proposal
from dealix.accounts.models import User
from dealix.core.models import AuditLog
from tests.factories import ConsentFactory

pytestmark = pytest.mark.django_db

FORMULA = "=cmd|' /C calc'!A0"


# --- making rows fast (bulk_create; search_text filled as save() would) ----------------------------

def _user(email: str) -> User:
    return User.objects.get(email=email)


def _bulk(model, rows):
    for row in rows:
        if hasattr(row, "build_search_text"):
            row.search_text = row.build_search_text()
    return model.objects.bulk_create(rows)


def make_companies(count: int, **fields) -> list[Company]:
    with schema_context("tenant_a"):
        return _bulk(Company, [Company(name=fields.get("name", f"Company {n:04d}"), sector=fields.get("sector", ""),
                                       city=fields.get("city", ""), size=fields.get("size", ""))
                               for n in range(count)])


def make_contacts(owner_email: str, count: int, **fields) -> list[Contact]:
    with schema_context("tenant_a"):
        owner = _user(owner_email)
        company = fields.get("company") or _bulk(Company, [Company(name=f"Employer of {owner.full_name}")])[0]
        return _bulk(Contact, [Contact(full_name=fields.get("full_name", f"Contact {n:04d}"), owner=owner,
                                       company=company, phone=fields.get("phone", ""),
                                       email=fields.get("email", ""), job_title=fields.get("job_title", ""))
                               for n in range(count)])


def make_deals(owner_email: str, count: int, **fields) -> list[Deal]:
    with schema_context("tenant_a"):
        owner = _user(owner_email)
        company = _bulk(Company, [Company(name=f"Client of {owner.full_name}")])[0]
        contact = _bulk(Contact, [Contact(full_name=f"Buyer of {owner.full_name}", owner=owner, company=company)])[0]
        return _bulk(Deal, [Deal(title=fields.get("title", f"Deal {n:04d}"), assigned_to=owner, company=company,
                                 contact=contact, stage=fields.get("stage", "discovery"),
                                 value=fields.get("value", Decimal("1000")),
                                 expected_close=fields.get("expected_close"))
                            for n in range(count)])


def make_prospects(owner_email: str, count: int, **fields) -> list[Prospect]:
    with schema_context("tenant_a"):
        owner = _user(owner_email)
        company = _bulk(Company, [Company(name=fields.get("company_name", f"Target of {owner.full_name}"))])[0]
        return _bulk(Prospect, [Prospect(company=company, owner=owner, status=fields.get("status", "identified"),
                                         priority=fields.get("priority", "medium"), sector=fields.get("sector", ""))
                                for _n in range(count)])


def make_customers(owner_email: str, count: int, **fields) -> list[Customer]:
    with schema_context("tenant_a"):
        owner = _user(owner_email)
        deal = _bulk(Deal, [Deal(title=f"Won by {owner.full_name}", assigned_to=owner, stage="closed_won",
                                 probability=100, closed_at=timezone.now())])[0]
        return _bulk(Customer, [Customer(full_name=fields.get("full_name", f"Customer {n:04d}"), deal=deal,
                                         phone=fields.get("phone", ""), company_name=fields.get("company_name", ""),
                                         lifetime_value=Decimal("8388"), activated_at=timezone.now())
                                for n in range(count)])


def make_activities(owner_email: str, count: int, **fields) -> list[Activity]:
    with schema_context("tenant_a"):
        owner = _user(owner_email)
        lead = _bulk(Lead, [Lead(full_name=f"Lead of {owner.full_name}", assigned_to=owner)])[0]
        return _bulk(Activity, [Activity(user=owner, lead=lead, type=fields.get("type", "task"),
                                         subject=fields.get("subject", f"Activity {n:04d}"),
                                         scheduled_at=fields.get("scheduled_at"),
                                         completed_at=fields.get("completed_at"))
                                for n in range(count)])


def make_calls(owner_email: str, count: int, **fields) -> list[Call]:
    with schema_context("tenant_a"):
        owner = _user(owner_email)
        contact = fields.get("contact") or _bulk(Contact, [Contact(full_name=f"Callee of {owner.full_name}",
                                                                   owner=owner)])[0]
        return _bulk(Call, [Call(user=owner, contact=contact, status=fields.get("status", "answered"),
                                 duration_seconds=fields.get("duration_seconds", 65),
                                 outcome=fields.get("outcome", f"Outcome {n:04d}"))
                            for n in range(count)])


def make_messages(owner_email: str, count: int, **fields) -> list[Message]:
    with schema_context("tenant_a"):
        owner = _user(owner_email)
        contact = _bulk(Contact, [Contact(full_name=f"Recipient of {owner.full_name}", owner=owner)])[0]
        return _bulk(Message, [Message(contact=contact, channel="whatsapp", direction="outbound", status="sent",
                                       content=fields.get("content", f"Message {n:04d}"))
                               for n in range(count)])


# kind -> (list URL, maker, the text a made row shows on the list)
KINDS = {
    "prospects": ("/crm/prospects/", lambda email, n, label: make_prospects(email, n, company_name=label)),
    "deals": ("/crm/deals/", lambda email, n, label: make_deals(email, n, title=label)),
    "contacts": ("/crm/contacts/", lambda email, n, label: make_contacts(email, n, full_name=label)),
    "companies": ("/crm/companies/", lambda email, n, label: make_companies(n, name=label)),
    "customers": ("/crm/customers/", lambda email, n, label: make_customers(email, n, full_name=label)),
    "activities": ("/crm/activities/", lambda email, n, label: make_activities(email, n, subject=label)),
    "calls": ("/crm/calls/", lambda email, n, label: make_calls(email, n, outcome=label)),
    "messages": ("/crm/messages/", lambda email, n, label: make_messages(email, n, content=label)),
}
OWNED_KINDS = [kind for kind in KINDS if kind != "companies"]
ENTITY_TYPES = {"prospects": "crm.prospect", "deals": "crm.deal", "contacts": "crm.contact",
                "companies": "crm.company", "customers": "crm.customer", "activities": "crm.activity",
                "calls": "crm.call", "messages": "crm.message"}
DETAIL_KINDS = {"prospects": "/crm/prospects/{}/", "deals": "/crm/deals/{}/", "contacts": "/crm/contacts/{}/",
                "customers": "/crm/customers/{}/"}


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def show_all_columns(client, kind: str) -> None:
    """Calls hide their outcome column until chosen; show every column so the test can see the labels."""
    from crm import lists
    entity_list = {"prospects": lists.PROSPECTS, "deals": lists.DEALS, "contacts": lists.CONTACTS,
                   "companies": lists.COMPANIES, "customers": lists.CUSTOMERS, "activities": lists.ACTIVITIES,
                   "calls": lists.CALLS, "messages": lists.MESSAGES}[kind]
    columns = [name for name in entity_list.table_class.base_columns if name != "select"]
    client.post("/core/views/columns/", {"list_key": entity_list.key, "columns": columns, "next": "/"})


# --- visibility -------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", OWNED_KINDS)
def test_an_agent_sees_only_their_own_records(client_for, people, kind):
    url, make = KINDS[kind]
    make("agent@a.test", 2, "Mine Record")
    make("agent2@a.test", 2, "Someone Else Record")
    client = client_for(people["agent"])
    show_all_columns(client, kind)

    page = page_of(client.get(url))

    assert "Mine Record" in page and "Someone Else Record" not in page


def test_every_agent_reads_every_company_because_companies_are_shared(client_for, people):
    make_companies(1, name="Shared Company")

    assert "Shared Company" in page_of(client_for(people["agent"]).get("/crm/companies/"))
    assert "Shared Company" in page_of(client_for(people["agent2"]).get("/crm/companies/"))


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_manager_sees_the_whole_teams_records(client_for, people, kind):
    url, make = KINDS[kind]
    make("agent@a.test", 1, "First Agents Record")
    make("agent2@a.test", 1, "Second Agents Record")
    client = client_for(people["manager"])
    show_all_columns(client, kind)

    page = page_of(client.get(url))

    assert "First Agents Record" in page and "Second Agents Record" in page


@pytest.mark.parametrize("kind", list(KINDS))
def test_another_tenants_records_are_absent_from_the_lists(client_for, people, kind):
    url, _make = KINDS[kind]
    with schema_context("tenant_b"):
        owner = User.objects.get(email="agent@b.test")
        company = Company.objects.create(name="Tenant B Record")
        contact = Contact.objects.create(full_name="Tenant B Record", owner=owner, company=company)
        deal = Deal.objects.create(title="Tenant B Record", assigned_to=owner, company=company)
        Prospect.objects.create(company=company, owner=owner)
        Customer.objects.create(full_name="Tenant B Record", deal=deal)
        Activity.objects.create(user=owner, deal=deal, subject="Tenant B Record")
        Call.objects.create(user=owner, contact=contact, outcome="Tenant B Record")
        Message.objects.create(contact=contact, channel="whatsapp", content="Tenant B Record")
    client = client_for(people["manager"])
    show_all_columns(client, kind)

    assert "Tenant B Record" not in page_of(client.get(url))


def test_record_pages_of_another_tenant_are_a_404(client_for, people):
    with schema_context("tenant_b"):
        owner = User.objects.get(email="agent@b.test")
        company = Company.objects.create(name="B Company")
        contact = Contact.objects.create(full_name="B Contact", owner=owner, company=company)
        deal = Deal.objects.create(title="B Deal", assigned_to=owner, company=company, contact=contact)
        prospect = Prospect.objects.create(company=company, owner=owner)
        customer = Customer.objects.create(full_name="B Customer", deal=deal)
    client = client_for(people["manager"])

    for url in (f"/crm/companies/{company.pk}/", f"/crm/contacts/{contact.pk}/", f"/crm/deals/{deal.pk}/",
                f"/crm/prospects/{prospect.pk}/", f"/crm/customers/{customer.pk}/"):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("kind", list(DETAIL_KINDS))
def test_another_agents_record_page_is_a_404_for_an_agent_but_not_for_a_manager(client_for, people, kind):
    (theirs,) = KINDS[kind][1]("agent2@a.test", 1, "Theirs")
    url = DETAIL_KINDS[kind].format(theirs.pk)

    assert client_for(people["agent"]).get(url).status_code == 404
    assert client_for(people["agent2"]).get(url).status_code == 200
    assert client_for(people["manager"]).get(url).status_code == 200


def test_an_agent_opens_any_company_page_but_sees_only_their_own_contacts_and_deals_on_it(client_for, people):
    (company,) = make_companies(1, name="Shared Client")
    make_contacts("agent@a.test", 1, full_name="My Contact There", company=company)
    make_contacts("agent2@a.test", 1, full_name="Their Contact There", company=company)
    with schema_context("tenant_a"):
        Deal.objects.create(title="My Deal There", company=company, assigned_to=_user("agent@a.test"))
        Deal.objects.create(title="Their Deal There", company=company, assigned_to=_user("agent2@a.test"))

    agent_page = page_of(client_for(people["agent"]).get(f"/crm/companies/{company.pk}/"))
    manager_page = page_of(client_for(people["manager"]).get(f"/crm/companies/{company.pk}/"))

    assert "My Contact There" in agent_page and "My Deal There" in agent_page
    assert "Their Contact There" not in agent_page and "Their Deal There" not in agent_page
    assert "Their Contact There" in manager_page and "Their Deal There" in manager_page


@pytest.mark.parametrize("url", [kind[0] for kind in KINDS.values()])
def test_an_affiliate_opens_no_crm_list(client_for, people, url):
    assert client_for(people["affiliate"]).get(url).status_code == 403


# --- steady query counts ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", list(KINDS))
def test_each_list_runs_the_same_number_of_queries_for_10_and_500_rows(client_for, people, kind):
    url, make = KINDS[kind]
    client = client_for(people["manager"])
    show_all_columns(client, kind)  # every column rendered, so a lazy relation anywhere would show
    make("agent@a.test", 10, "Row")
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as small:
        page_of(client.get(url))
    make("agent2@a.test", 490, "Row")
    with CaptureQueriesContext(connection) as large:
        page_of(client.get(url))

    assert len(small) == len(large)


def test_record_pages_run_the_same_number_of_queries_for_few_and_many_related_rows(client_for, people):
    (contact,) = make_contacts("agent@a.test", 1, full_name="Busy Contact")
    client = client_for(people["agent"], HTTP_ACCEPT_LANGUAGE="en")
    url = f"/crm/contacts/{contact.pk}/?lang=en"
    make_calls("agent@a.test", 2, contact=contact)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        page_of(client.get(url))
    make_calls("agent@a.test", 80, contact=contact)
    with CaptureQueriesContext(connection) as many:
        page = page_of(client.get(url))

    assert len(few) == len(many)
    assert page.count("Outcome 00") == 50 and "Showing the newest 50." in page


# --- search -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["احمد", "أحمد", "إحمد", "احمد الغامدى"])
def test_contact_search_finds_arabic_names_however_they_are_spelled(client_for, people, typed):
    make_contacts("agent@a.test", 1, full_name="أحمد الغامدي")
    make_contacts("agent@a.test", 1, full_name="سارة القحطاني")

    page = page_of(client_for(people["agent"]).get("/crm/contacts/", {"q": typed}, HTTP_HX_REQUEST="true"))

    assert "أحمد الغامدي" in page and "سارة القحطاني" not in page


@pytest.mark.parametrize("typed", ["0501234567", "+966 50 123 4567", "٠٥٠١٢٣٤٥٦٧", "050-123-4567"])
def test_contact_search_finds_a_phone_typed_any_usual_way(client_for, people, typed):
    make_contacts("agent@a.test", 1, full_name="Phone Person", phone="+966501234567")
    make_contacts("agent@a.test", 1, full_name="Other Person", phone="+966559999999")

    page = page_of(client_for(people["agent"]).get("/crm/contacts/", {"q": typed}))

    assert "Phone Person" in page and "Other Person" not in page


def test_contact_search_never_reaches_another_agents_contacts(client_for, people):
    make_contacts("agent2@a.test", 1, full_name="أحمد الغامدي")

    assert "أحمد الغامدي" not in page_of(client_for(people["agent"]).get("/crm/contacts/", {"q": "احمد"}))


@pytest.mark.parametrize(("kind", "label", "typed"), [
    ("companies", "مؤسسة الواحة للتجارة", "مؤسسه الواحه"),
    ("customers", "إبراهيم العتيبي", "ابراهيم"),
    ("deals", "توريد أجهزة طبية", "اجهزه"),
    ("prospects", "مجموعة الإتقان", "الاتقان"),
])
def test_search_folds_arabic_on_other_lists_too(client_for, people, kind, label, typed):
    url, make = KINDS[kind]
    make("agent@a.test", 1, label)
    make("agent@a.test", 1, "Unrelated Zeta")

    page = page_of(client_for(people["agent"]).get(url, {"q": typed}))

    assert label in page and "Unrelated Zeta" not in page


def test_calls_are_found_by_the_contacts_phone(client_for, people):
    (contact,) = make_contacts("agent@a.test", 1, full_name="Caller One", phone="+966501234567")
    (other,) = make_contacts("agent@a.test", 1, full_name="Caller Two", phone="+966559999999")
    make_calls("agent@a.test", 1, contact=contact)
    make_calls("agent@a.test", 1, contact=other)

    page = page_of(client_for(people["agent"]).get("/crm/calls/", {"q": "0501234567"}))

    assert "Caller One" in page and "Caller Two" not in page


def test_activities_are_found_by_their_subject(client_for, people):
    make_activities("agent@a.test", 1, subject="Prepare the quote")
    make_activities("agent@a.test", 1, subject="Book the demo")

    page = page_of(client_for(people["agent"]).get("/crm/activities/", {"q": "QUOTE"}))

    assert "Prepare the quote" in page and "Book the demo" not in page


def test_the_htmx_search_answers_with_the_table_fragment_only(client_for, people):
    response = client_for(people["agent"]).get("/crm/contacts/", {"q": "x"}, HTTP_HX_REQUEST="true")

    assert "<html" not in response.content.decode() and 'data-testid="list-count"' in response.content.decode()
    assert "HX-Request" in response["Vary"]


# --- filters, sorts, pages ----------------------------------------------------------------------------

def test_deals_filter_by_stage_and_owner(client_for, people):
    make_deals("agent@a.test", 1, title="Proposal One", stage="proposal")
    make_deals("agent@a.test", 1, title="Discovery One", stage="discovery")
    make_deals("agent2@a.test", 1, title="Proposal Two", stage="proposal")
    with schema_context("tenant_a"):
        agent = _user("agent@a.test")

    page = page_of(client_for(people["manager"]).get("/crm/deals/", {"stage": "proposal",
                                                                     "assigned_to": str(agent.pk)}))

    assert "Proposal One" in page and "Discovery One" not in page and "Proposal Two" not in page


def test_the_deal_list_links_each_deal_to_its_page(client_for, people):
    (deal,) = make_deals("agent@a.test", 1, title="Linked Deal")

    assert f'href="/crm/deals/{deal.pk}/"' in page_of(client_for(people["agent"]).get("/crm/deals/"))


def test_deals_sorted_by_expected_close_keep_undated_deals_last_across_pages(client_for, people):
    today = timezone.localdate()
    for number in range(3):
        make_deals("agent@a.test", 1, title=f"Dated {number}", expected_close=today + datetime.timedelta(days=number))
    make_deals("agent@a.test", 3, title="Undated")
    client = client_for(people["agent"])

    first = page_of(client.get("/crm/deals/", {"sort": "close", "per_page": 25}))
    titles = re.findall(r"(Dated \d|Undated)</a>", first)

    assert titles == ["Dated 0", "Dated 1", "Dated 2", "Undated", "Undated", "Undated"]


def test_paging_a_sorted_annotation_walks_every_row_once(client_for, people):
    today = timezone.localdate()
    for number in range(30):
        make_deals("agent@a.test", 1, title=f"D{number:02d}", expected_close=today + datetime.timedelta(days=number))
    make_deals("agent@a.test", 30, title="Undated")
    client = client_for(people["agent"])

    seen = []
    query = {"sort": "close", "per_page": 25}
    response = client.get("/crm/deals/", query)
    while True:
        page = page_of(response)
        seen += re.findall(r"(D\d\d|Undated)</a>", page)
        found = re.search(r'href="\?([^"]*cursor=[^"]*)"[^>]*rel="next"', page)
        if not found:
            break
        response = client.get("/crm/deals/?" + found.group(1).replace("&amp;", "&"))

    assert seen == [f"D{number:02d}" for number in range(30)] + ["Undated"] * 30


def test_prospects_sort_by_priority(client_for, people):
    make_prospects("agent@a.test", 1, company_name="Low Co", priority="low")
    make_prospects("agent@a.test", 1, company_name="Critical Co", priority="critical")
    make_prospects("agent@a.test", 1, company_name="High Co", priority="high")

    page = page_of(client_for(people["agent"]).get("/crm/prospects/", {"sort": "-priority"}))

    assert re.findall(r"(\w+) Co</a>", page) == ["Critical", "High", "Low"]


def test_activities_filter_overdue_open_tasks(client_for, people):
    past = timezone.now() - datetime.timedelta(days=1)
    make_activities("agent@a.test", 1, subject="Late task", scheduled_at=past)
    make_activities("agent@a.test", 1, subject="Done task", scheduled_at=past, completed_at=timezone.now())
    make_activities("agent@a.test", 1, subject="Future task", scheduled_at=timezone.now() + datetime.timedelta(days=2))

    page = page_of(client_for(people["agent"]).get("/crm/activities/", {"state": "overdue"}))

    assert "Late task" in page and "Done task" not in page and "Future task" not in page


def test_calls_filter_by_status(client_for, people):
    make_calls("agent@a.test", 1, status="missed", outcome="Missed call")
    make_calls("agent@a.test", 1, status="answered", outcome="Answered call")
    client = client_for(people["agent"])
    show_all_columns(client, "calls")

    page = page_of(client.get("/crm/calls/", {"status": "missed"}))

    assert "Missed call" in page and "Answered call" not in page


def test_companies_filter_by_sector_and_city(client_for, people):
    make_companies(1, name="Riyadh Clinic", sector="healthcare", city="Riyadh")
    make_companies(1, name="Jeddah Clinic", sector="healthcare", city="Jeddah")
    make_companies(1, name="Riyadh Shop", sector="retail", city="Riyadh")

    page = page_of(client_for(people["agent"]).get("/crm/companies/", {"sector": "healthcare", "city": " riyadh "}))

    assert "Riyadh Clinic" in page and "Jeddah Clinic" not in page and "Riyadh Shop" not in page


def test_a_saved_default_view_opens_the_contact_list_with_its_filters(client_for, people):
    make_contacts("agent@a.test", 1, full_name="Alpha Person")
    make_contacts("agent@a.test", 1, full_name="Beta Person")
    client = client_for(people["agent"])

    client.post("/core/views/save/", {"list_key": "contacts", "name": "Alpha", "query": "q=alpha",
                                      "make_default": "on", "next": "/crm/contacts/"})
    page = page_of(client.get("/crm/contacts/"))

    assert "Alpha Person" in page and "Beta Person" not in page


def test_chosen_columns_are_remembered_per_list(client_for, people):
    make_contacts("agent@a.test", 1, full_name="Column Person", email="column@example.test")
    client = client_for(people["agent"])
    client.post("/core/views/columns/", {"list_key": "contacts", "columns": ["full_name"], "next": "/"})

    page = page_of(client.get("/crm/contacts/"))

    assert "Column Person" in page and "column@example.test" not in page


def test_a_damaged_cursor_starts_again_from_the_first_page(client_for, people):
    make_companies(2, name="Cursor Co")

    assert "Cursor Co" in page_of(client_for(people["agent"]).get("/crm/companies/", {"cursor": "x!!"}))


def test_the_crm_tabs_list_every_section_and_mark_the_current_one(client_for, people):
    page = page_of(client_for(people["agent"], HTTP_ACCEPT_LANGUAGE="en").get("/crm/contacts/?lang=en"))

    nav = re.search(r'<ul[^>]*data-testid="crm-subnav".*?</ul>', page, re.S).group(0)
    for url in ("/crm/leads/", "/crm/pipeline/", "/crm/deals/", "/crm/contacts/", "/crm/companies/",
                "/crm/customers/", "/crm/prospects/", "/crm/activities/", "/crm/calls/"):
        assert f'href="{url}"' in nav
    assert re.search(r'active"[^>]*aria-current="page" href="/crm/contacts/"', nav)
    assert "overflow-x-auto" in nav and "flex-nowrap" in nav


def test_script_tags_in_names_are_shown_escaped(client_for, people):
    (contact,) = make_contacts("agent@a.test", 1, full_name="<script>alert(1)</script>")
    client = client_for(people["agent"])

    for page in (page_of(client.get("/crm/contacts/")), page_of(client.get(f"/crm/contacts/{contact.pk}/"))):
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- exports ------------------------------------------------------------------------------------------

def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


@pytest.mark.parametrize("kind", list(KINDS))
def test_export_is_audited_and_neutralises_formulas(client_for, people, kind):
    url, make = KINDS[kind]
    make("agent@a.test", 1, FORMULA)
    if kind != "companies":
        make("agent2@a.test", 1, "Not Mine")

    response = client_for(people["agent"]).get(f"{url}export.csv")

    rows = csv_rows(response)
    assert len(rows) == 2  # the header and the agent's own row only
    assert "'" + FORMULA in rows[1]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in rows[1])
    with schema_context("tenant_a"):
        audit = AuditLog.objects.get(action="export", entity_type=ENTITY_TYPES[kind])
    assert audit.changes["rows"] == 1


def test_export_follows_the_current_filter(client_for, people):
    make_deals("agent@a.test", 1, title="Won Deal", stage="closed_won")
    make_deals("agent@a.test", 1, title="Open Deal", stage="discovery")

    rows = csv_rows(client_for(people["agent"]).get("/crm/deals/export.csv", {"stage": "closed_won"}))

    assert [row[0] for row in rows[1:]] == ["Won Deal"]


def test_xlsx_export_of_contacts_opens_right_to_left_in_arabic(client_for, people):
    make_contacts("agent@a.test", 2, full_name="نورة")

    response = client_for(people["agent"]).get("/crm/contacts/export.xlsx?lang=ar")

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.sheet_view.rightToLeft
    assert [cell.value for cell in sheet["A"]][1:] == ["نورة", "نورة"]


def test_an_unknown_export_format_is_a_404(client_for, people):
    assert client_for(people["agent"]).get("/crm/contacts/export.pdf").status_code == 404


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_viewer_reads_every_list_but_cannot_export(client_for, people, kind):
    url, make = KINDS[kind]
    make("agent@a.test", 1, "Visible To Viewer")
    client = client_for(people["viewer"])
    show_all_columns(client, kind)

    page = page_of(client.get(url))

    assert "Visible To Viewer" in page and "export.csv" not in page
    assert client.get(f"{url}export.csv").status_code == 403
    assert client.get(f"{url}export.xlsx").status_code == 403


# --- record pages -------------------------------------------------------------------------------------

def test_the_contact_page_shows_company_lead_deals_messages_calls_and_consents(client_for, people):
    with schema_context("tenant_a"):
        agent = _user("agent@a.test")
        company = Company.objects.create(name="شركة الأفق")
        lead = Lead.objects.create(full_name="Lead Behind Contact", assigned_to=agent)
        contact = Contact.objects.create(full_name="Khalid Contact", company=company, lead=lead, owner=agent,
                                         phone="+966501234567")
        Deal.objects.create(title="Contact Deal", contact=contact, company=company, assigned_to=agent)
        Deal.objects.create(title="Hidden Deal", contact=contact, assigned_to=_user("agent2@a.test"))
        Message.objects.create(contact=contact, channel="whatsapp", content="Hello from the message")
        Call.objects.create(contact=contact, user=agent, outcome="demo_booked", duration_seconds=125)
        old = timezone.now() - datetime.timedelta(days=10)
        ConsentFactory(contact=contact, channel="whatsapp", status="granted", granted_at=old, source="web_form")
        ConsentFactory(contact=contact, channel="whatsapp", revoked=True, source="stop_keyword")
        ConsentFactory(contact=contact, channel="email", status="granted", granted_at=old, source="event_signup")

    page = page_of(client_for(people["agent"], HTTP_ACCEPT_LANGUAGE="en").get(f"/crm/contacts/{contact.pk}/?lang=en"))

    assert f'href="/crm/companies/{company.pk}/"' in page and "شركة الأفق" in page
    assert f'href="/crm/leads/{lead.pk}/"' in page
    assert "Contact Deal" in page and "Hidden Deal" not in page  # deals go through the deal's visibility too
    assert "Hello from the message" in page and "demo_booked" in page and "2:05" in page
    channels = re.search(r'data-testid="consent-channels">(.*?)</ul>', page, re.S).group(1)
    whatsapp, email, sms = (re.search(rf"<span>{name}</span>(.*?)</li>", channels, re.S).group(1)
                            for name in ("WhatsApp", "Email", "SMS"))
    assert "Revoked" in whatsapp and "Granted" in email and "Not recorded" in sms
    history = re.search(r'data-testid="consent-history">(.*?)</ul>', page, re.S).group(1)
    assert history.index("stop_keyword") < history.index("web_form")  # newest first


def test_the_company_page_lists_its_contacts_and_deals(client_for, people):
    (company,) = make_companies(1, name="Listed Company")
    (contact,) = make_contacts("agent@a.test", 1, full_name="Listed Contact", company=company)
    with schema_context("tenant_a"):
        deal = Deal.objects.create(title="Listed Deal", company=company, assigned_to=_user("agent@a.test"))

    page = page_of(client_for(people["agent"]).get(f"/crm/companies/{company.pk}/"))

    assert f'href="/crm/contacts/{contact.pk}/"' in page and f'href="/crm/deals/{deal.pk}/"' in page


def test_the_deal_page_shows_its_activities_and_proposals(client_for, people):
    (deal,) = make_deals("agent@a.test", 1, title="Deal With History")
    with schema_context("tenant_a"):
        Activity.objects.create(user=_user("agent@a.test"), deal=deal, type="meeting", subject="Demo held")
        Proposal.objects.create(deal=deal, version=1, title="First proposal")
        Proposal.objects.create(deal=deal, version=2, title="Second proposal", status="sent",
                                sent_at=timezone.now())

    page = page_of(client_for(people["agent"]).get(f"/crm/deals/{deal.pk}/"))

    assert "Demo held" in page
    assert page.index("Second proposal") < page.index("First proposal")
    assert 'href="/crm/deals/"' in page  # the breadcrumb leads back to the deal list


def test_the_customer_page_links_its_deal(client_for, people):
    (customer,) = make_customers("agent@a.test", 1, full_name="Happy Customer")

    page = page_of(client_for(people["agent"]).get(f"/crm/customers/{customer.pk}/"))

    assert "Happy Customer" in page and f'href="/crm/deals/{customer.deal_id}/"' in page


def test_the_prospect_page_links_its_company(client_for, people):
    (prospect,) = make_prospects("agent@a.test", 1, company_name="Prospect Target")

    page = page_of(client_for(people["agent"]).get(f"/crm/prospects/{prospect.pk}/"))

    assert "Prospect Target" in page and f'href="/crm/companies/{prospect.company_id}/"' in page
