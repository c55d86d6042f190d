"""The header search over leads, contacts, companies and deals."""
import pytest
from django_tenants.utils import schema_context

from crm.models import Company, Contact, Deal, Lead
from dealix.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(people):
    with schema_context("tenant_a"):
        agent = User.objects.get(email="agent@a.test")
        other = User.objects.get(email="agent2@a.test")
        company = Company.objects.create(name="مؤسسة النخبة للتجارة")
        Contact.objects.create(full_name="أحمد الزهراني", phone="+966501234567", company=company, owner=agent)
        Lead.objects.create(full_name="أحمد القحطاني", email="ahmed@example.sa", assigned_to=agent)
        Lead.objects.create(full_name="أحمد آخر", assigned_to=other)
        Deal.objects.create(title="توريد أجهزة أحمد", assigned_to=agent)


@pytest.mark.parametrize("typed", ["احمد", "أحمد", "إحمد"])
def test_an_arabic_name_is_found_whatever_the_alef(client_for, people, records, typed):
    page = client_for(people["agent"]).get("/crm/search/", {"q": typed}, HTTP_HX_REQUEST="true").content.decode()

    assert "أحمد القحطاني" in page and "أحمد الزهراني" in page and "توريد أجهزة أحمد" in page
    assert "أحمد آخر" not in page  # another agent's lead


def test_a_company_is_found_with_a_plain_waw_for_the_hamza(client_for, people, records):
    page = client_for(people["agent"]).get("/crm/search/", {"q": "موسسة"}).content.decode()

    assert "مؤسسة النخبة للتجارة" in page


@pytest.mark.parametrize("typed", ["0501234567", "+966 50 123 4567", "٠٥٠١٢٣٤٥٦٧"])
def test_a_phone_finds_the_same_contact_however_it_is_typed(client_for, people, records, typed):
    page = client_for(people["agent"]).get("/crm/search/", {"q": typed}).content.decode()

    assert "أحمد الزهراني" in page


def test_a_manager_finds_everyones_leads(client_for, people, records):
    page = client_for(people["manager"]).get("/crm/search/", {"q": "احمد"}).content.decode()

    assert "أحمد آخر" in page


def test_an_affiliate_cannot_search_the_crm(client_for, people, records):
    assert client_for(people["affiliate"]).get("/crm/search/", {"q": "احمد"}).status_code == 403


def test_too_short_a_query_returns_nothing(client_for, people, records):
    response = client_for(people["agent"]).get("/crm/search/", {"q": "ا"}, HTTP_HX_REQUEST="true")

    assert "أحمد" not in response.content.decode()
