"""Custom fields: defined by an admin, filled in on the lead's page, filterable on the list."""
import pytest
from django_tenants.utils import schema_context

from crm.models import Lead
from dealix.accounts.models import User
from dealix.core.models import AuditLog, Property, PropertyDefinition

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(people):
    with schema_context("tenant_a"):
        PropertyDefinition.objects.create(entity_type="lead", key="heard_from", label="Heard from",
                                          label_ar="عرفنا من", field_type="choice", choices=["Google", "صديق"])
        PropertyDefinition.objects.create(entity_type="lead", key="budget", label="Budget", field_type="number")
        agent = User.objects.get(email="agent@a.test")
        one = Lead.objects.create(full_name="One", phone="+966501000001", assigned_to=agent)
        two = Lead.objects.create(full_name="Two", phone="+966501000002", assigned_to=agent)
    return one, two


def test_a_custom_field_is_filled_in_on_the_page_and_audited(client_for, people, setup):
    one, _two = setup
    client = client_for(people["agent"])

    client.post(f"/crm/leads/{one.pk}/fields/", {"prop_heard_from": "صديق", "prop_budget": "25,000"})

    with schema_context("tenant_a"):
        values = dict(Property.objects.filter(entity_id=one.pk).values_list("key", "value"))
        assert values == {"heard_from": "صديق", "budget": "25000"}
        assert AuditLog.objects.filter(entity_id=one.pk, changes__has_key="property.heard_from").exists()
    page = client.get(f"/crm/leads/{one.pk}/").content.decode()
    assert "عرفنا من" in page


def test_a_bad_value_is_refused_with_a_message_and_nothing_is_saved(client_for, people, setup):
    one, _two = setup

    response = client_for(people["agent"], language="en").post(
        f"/crm/leads/{one.pk}/fields/", {"prop_heard_from": "Google", "prop_budget": "lots"}, follow=True)

    assert "Budget must be a number." in response.content.decode()
    with schema_context("tenant_a"):
        assert not Property.objects.filter(entity_id=one.pk).exists()


def test_the_lead_list_filters_by_a_custom_field(client_for, people, setup):
    one, two = setup
    client = client_for(people["agent"])
    client.post(f"/crm/leads/{one.pk}/fields/", {"prop_heard_from": "Google"})
    client.post(f"/crm/leads/{two.pk}/fields/", {"prop_heard_from": "صديق"})

    page = client.get("/crm/leads/", {"prop_heard_from": "Google"}).content.decode()

    assert ">One<" in page and ">Two<" not in page
    assert 'name="prop_heard_from"' in page
