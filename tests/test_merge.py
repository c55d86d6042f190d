"""Duplicates: found by phone or email, merged with chosen values, everything moved, and undone."""
import pytest
from django_tenants.utils import schema_context

from compliance.models import Consent
from crm.merge import find_duplicates, merge_records, merge_undo
from crm.models import Activity, Company, Contact, Deal, Lead, Message
from dealix.accounts.models import User
from dealix.core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(in_tenant_a):
    return User.objects.get(email="agent@a.test")


@pytest.fixture
def twins(agent):
    first = Lead.objects.create(full_name="Nora Saleh", phone="+966501112222", email="", city="Riyadh",
                                assigned_to=agent)
    second = Lead.objects.create(full_name="نورة صالح", phone="+966501112222", email="nora@example.sa", city="",
                                 assigned_to=agent)
    Activity.objects.create(user=agent, lead=second, type="note", subject="called her")
    Message.objects.create(lead=second, channel="whatsapp", content="hello", status="sent")
    Deal.objects.create(lead=second, title="Second's deal", assigned_to=agent)
    contact = Contact.objects.create(full_name="نورة صالح", lead=second, owner=agent)
    Consent.objects.create(contact=contact, channel="whatsapp", status="granted", granted_at="2026-11-01T10:00Z",
                           source="web_form")
    return first, second


def test_leads_with_the_same_phone_are_found(agent, twins):
    groups = find_duplicates("lead", agent)

    assert [{lead.pk for lead in group.records} for group in groups] == [{twins[0].pk, twins[1].pk}]
    assert groups[0].reason == "phone"


def test_merging_keeps_chosen_values_and_moves_everything_to_the_survivor(agent, twins):
    first, second = twins

    merge_records(actor=agent, kind="lead", survivor=first, duplicates=[second],
                  chosen={"full_name": "نورة صالح", "email": "nora@example.sa"})

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.full_name, first.email, first.city) == ("نورة صالح", "nora@example.sa", "Riyadh")
    assert second.merged_into == first
    assert Activity.objects.get(subject="called her").lead == first
    assert Message.objects.get(content="hello").lead == first
    assert Deal.objects.get(title="Second's deal").lead == first
    assert Contact.objects.get(full_name="نورة صالح").lead == first
    assert not Lead.objects.visible_to(agent).filter(pk=second.pk).exists()
    assert AuditLog.objects.filter(entity_id=first.pk, changes__has_key="merge").exists()


def test_undoing_a_merge_puts_everything_back(agent, twins):
    first, second = twins
    entry = merge_records(actor=agent, kind="lead", survivor=first, duplicates=[second],
                          chosen={"full_name": "نورة صالح"})

    merge_undo(actor=agent, entry=entry)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.full_name == "Nora Saleh" and second.merged_into is None
    assert Activity.objects.get(subject="called her").lead == second
    assert Deal.objects.get(title="Second's deal").lead == second
    with pytest.raises(Exception):
        merge_undo(actor=agent, entry=entry)


def test_merged_contacts_follow_the_survivors_owner_until_the_merge_is_undone(agent, twins):
    first, second = twins
    colleague = User.objects.get(email="agent2@a.test")
    Lead.objects.filter(pk=first.pk).update(assigned_to=colleague)
    first.refresh_from_db()
    contact = Contact.objects.get(lead=second)

    manager = User.objects.get(email="manager@a.test")
    entry = merge_records(actor=manager, kind="lead", survivor=first, duplicates=[second])

    contact.refresh_from_db()
    assert contact.lead == first and contact.owner == colleague
    assert Contact.objects.visible_to(colleague).filter(pk=contact.pk).exists()

    merge_undo(actor=manager, entry=entry)

    contact.refresh_from_db()
    assert contact.lead == second and contact.owner == agent


def test_merging_contacts_moves_their_consent_history(agent):
    keep = Contact.objects.create(full_name="A", phone="+966503334444", owner=agent)
    other = Contact.objects.create(full_name="A bis", phone="+966503334444", owner=agent)
    Consent.objects.create(contact=other, channel="email", status="granted", granted_at="2026-11-01T10:00Z",
                           source="import")

    merge_records(actor=agent, kind="contact", survivor=keep, duplicates=[other])

    assert Consent.objects.get(channel="email").contact == keep


def test_an_agent_cannot_merge_another_agents_lead(agent, twins):
    other = User.objects.get(email="agent2@a.test")
    theirs = Lead.objects.create(full_name="Theirs", phone="+966501112222", assigned_to=other)

    with pytest.raises(Lead.DoesNotExist):
        merge_records(actor=agent, kind="lead", survivor=twins[0], duplicates=[theirs])
    theirs.refresh_from_db()
    assert theirs.merged_into is None


def test_only_managers_merge_companies(agent):
    from django.core.exceptions import PermissionDenied
    one, two = Company.objects.create(name="Same Co"), Company.objects.create(name="same co")

    with pytest.raises(PermissionDenied):
        merge_records(actor=agent, kind="company", survivor=one, duplicates=[two])
    manager = User.objects.get(email="manager@a.test")
    merge_records(actor=manager, kind="company", survivor=one, duplicates=[two])
    two.refresh_from_db()
    assert two.merged_into == one


def test_the_merge_page_merges_and_the_lead_page_offers_undo(client_for, people, twins):
    first, second = twins
    client = client_for(people["agent"])

    page = client.get("/crm/duplicates/?kind=lead").content.decode()
    response = client.post("/crm/duplicates/merge/", {"kind": "lead", "ids": [str(first.pk), str(second.pk)],
                                                      "survivor": str(first.pk), "field_email": str(second.pk)})

    assert "Nora Saleh" in page
    assert response.status_code == 302 and response["Location"] == f"/crm/leads/{first.pk}/"
    lead_page = client.get(response["Location"]).content.decode()
    assert 'data-testid="undo-merge"' in lead_page
    with schema_context("tenant_a"):
        assert Lead.objects.get(pk=first.pk).email == "nora@example.sa"
