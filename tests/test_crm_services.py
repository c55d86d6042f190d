"""The CRM's write services: lead life cycle, assignment, conversion, deal stages and closing."""
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from crm import services
from crm.choices import DealStage, LeadStatus
from crm.models import Company, Contact, Customer, Deal, Lead
from dealix.accounts.choices import Role
from dealix.accounts.models import User
from dealix.core.models import AuditLog
from dealix.core.states import TransitionNotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(people, in_tenant_a):
    return User.objects.get(email=people["agent"].email)


@pytest.fixture
def manager(people, in_tenant_a):
    return User.objects.get(email=people["manager"].email)


def new_lead(actor, **data):
    return services.lead_create(actor=actor, data={"full_name": "نورة العتيبي", "phone": "0551234567",
                                                   "sector": "healthcare", **data})


def test_a_lead_typed_in_by_an_agent_is_theirs_scored_and_audited(agent):
    lead = new_lead(agent, employees=30, engagement_signals=["requested_demo"], timing="urgent")

    assert lead.assigned_to == agent
    assert lead.phone == "+966551234567"
    assert lead.score == 20 + 25 + 15 + 10
    assert lead.score_breakdown == {"company_size": 20, "industry_fit": 25, "engagement": 15, "budget": 0,
                                    "timing": 10}
    assert AuditLog.objects.filter(entity_id=lead.pk, action="create").exists()


def test_the_score_is_recomputed_when_its_inputs_change(agent):
    lead = new_lead(agent)

    lead = services.lead_update(actor=agent, lead=lead, data={"budget_signals": ["ready_to_pay"]})

    assert lead.score_breakdown["budget"] == 15 and lead.score == 25 + 15


def test_every_lead_status_transition_of_the_rules(agent):
    lead = new_lead(agent)
    lead = services.lead_change_status(actor=agent, lead=lead, status=LeadStatus.CONTACTED)
    assert lead.status == "contacted" and lead.qualified_at is None
    lead = services.lead_change_status(actor=agent, lead=lead, status=LeadStatus.QUALIFIED)
    assert lead.qualified_at is not None

    deal = services.lead_convert(actor=agent, lead=lead, deal_title="عقد سنوي", deal_value=Decimal("12000.00"))

    lead.refresh_from_db()
    assert lead.status == "converted" and lead.converted_at is not None
    assert deal.stage == "discovery" and deal.probability == 10 and deal.value == Decimal("12000.00")
    assert deal.contact.full_name == "نورة العتيبي" and deal.contact.owner == agent


@pytest.mark.parametrize("start", [LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED])
def test_any_open_lead_may_be_lost_with_a_reason(agent, start):
    lead = new_lead(agent)
    Lead.objects.filter(pk=lead.pk).update(status=start)

    lost = services.lead_change_status(actor=agent, lead=lead, status=LeadStatus.LOST, lost_reason="اختار منافسًا")

    assert lost.status == "lost" and lost.lost_reason == "اختار منافسًا"


def test_losing_a_lead_without_a_reason_is_refused_and_changes_nothing(agent):
    lead = new_lead(agent)

    with pytest.raises(ValidationError):
        services.lead_change_status(actor=agent, lead=lead, status=LeadStatus.LOST, lost_reason="  ")

    lead.refresh_from_db()
    assert lead.status == "new"


@pytest.mark.parametrize("start, target", [("new", "qualified"), ("contacted", "new"), ("lost", "contacted"),
                                           ("converted", "qualified")])
def test_transitions_outside_the_rules_are_refused(agent, start, target):
    lead = new_lead(agent)
    Lead.objects.filter(pk=lead.pk).update(status=start, lost_reason="x")

    with pytest.raises(TransitionNotAllowed):
        services.lead_change_status(actor=agent, lead=lead, status=target)


def test_only_a_qualified_lead_converts(agent):
    lead = new_lead(agent)

    with pytest.raises(ValidationError):
        services.lead_convert(actor=agent, lead=lead)
    assert not Deal.objects.exists()


def test_round_robin_among_the_sectors_specialists_then_the_least_busy(manager, in_tenant_a):
    specialists = [User.objects.create_user(f"rr{i}@a.test", "x-password-123", full_name=f"RR {i}",
                                            role=Role.AGENT, sector="beauty") for i in range(3)]

    owners = [new_lead(manager, sector="beauty", full_name=f"Lead {i}").assigned_to for i in range(6)]

    assert owners == specialists + specialists
    # no specialist for restaurants: the active agent with the fewest open leads
    least_busy = new_lead(manager, sector="restaurants").assigned_to
    assert least_busy.sector != "beauty"
    assert least_busy.role == "agent"


def test_reassignment_is_for_managers_and_audited(agent, manager, people):
    lead = new_lead(agent)
    other = User.objects.get(email=people["agent2"].email)

    with pytest.raises(PermissionDenied):
        services.lead_assign(actor=agent, lead=lead, assignee=other)
    services.lead_assign(actor=manager, lead=lead, assignee=other)

    lead.refresh_from_db()
    assert lead.assigned_to == other
    entry = AuditLog.objects.filter(entity_id=lead.pk, action="update").latest("created_at")
    assert entry.user == manager and entry.changes == {"assigned_to_id": [str(agent.pk), str(other.pk)]}


def test_a_reassigned_lead_takes_its_contacts_to_the_new_agent(agent, manager, people):
    lead = new_lead(agent)
    other = User.objects.get(email=people["agent2"].email)
    contact = Contact.objects.create(full_name="نورة العتيبي", lead=lead, owner=agent)
    unrelated = Contact.objects.create(full_name="Someone else", owner=agent)

    services.lead_assign(actor=manager, lead=lead, assignee=other)

    contact.refresh_from_db()
    assert contact.owner == other
    assert not Contact.objects.visible_to(agent).filter(pk=contact.pk).exists()
    assert Contact.objects.visible_to(other).filter(pk=contact.pk).exists()
    assert Contact.objects.visible_to(agent).filter(pk=unrelated.pk).exists()
    entry = AuditLog.objects.get(entity_id=contact.pk, action="update")
    assert entry.user == manager and entry.changes == {"owner_id": [str(agent.pk), str(other.pk)]}


def test_a_contact_added_to_a_lead_without_an_owner_belongs_to_the_leads_agent(agent, manager, people):
    lead = new_lead(agent)
    other = User.objects.get(email=people["agent2"].email)

    unowned = Contact.objects.create(full_name="Added by an admin", lead=lead)
    chosen = Contact.objects.create(full_name="Given to someone else", lead=lead, owner=other)

    assert unowned.owner == agent and Contact.objects.visible_to(agent).filter(pk=unowned.pk).exists()
    assert chosen.owner == other


def test_an_agent_cannot_touch_another_agents_lead(agent, people):
    other = User.objects.get(email=people["agent2"].email)
    lead = new_lead(other)

    with pytest.raises(Lead.DoesNotExist):
        services.lead_update(actor=agent, lead=lead, data={"notes": "mine now"})


def test_a_viewer_cannot_write(people, in_tenant_a):
    viewer = User.objects.get(email=people["viewer"].email)

    with pytest.raises(PermissionDenied):
        new_lead(viewer)


def _qualified_deal(agent):
    lead = new_lead(agent, company_name="عيادات النخبة")
    services.lead_change_status(actor=agent, lead=lead, status=LeadStatus.CONTACTED)
    services.lead_change_status(actor=agent, lead=lead, status=LeadStatus.QUALIFIED)
    return services.lead_convert(actor=agent, lead=lead, deal_value=Decimal("45000"))


@pytest.mark.parametrize("stage, probability", [("proposal", 30), ("negotiation", 60), ("discovery", 10)])
def test_moving_a_deal_sets_the_stages_probability(agent, stage, probability):
    deal = _qualified_deal(agent)
    if stage == "discovery":
        deal = services.deal_move(actor=agent, deal=deal, stage=DealStage.PROPOSAL)

    moved = services.deal_move(actor=agent, deal=deal, stage=stage)

    assert moved.probability == probability and moved.closed_at is None


def test_closing_won_creates_the_customer_and_starts_the_guarantee(agent, django_capture_on_commit_callbacks):
    received = []
    services.deal_won.connect(lambda **kwargs: received.append(kwargs["deal_id"]), weak=False,
                              dispatch_uid="test-deal-won")
    deal = _qualified_deal(agent)

    with django_capture_on_commit_callbacks(execute=True):
        won = services.deal_move(actor=agent, deal=deal, stage=DealStage.CLOSED_WON)

    services.deal_won.disconnect(dispatch_uid="test-deal-won")
    assert won.probability == 100 and won.closed_at is not None
    customer = Customer.objects.get(deal=won)
    assert customer.lifetime_value == Decimal("45000.00") and customer.activated_at is not None
    assert customer.company_name == "عيادات النخبة"
    assert received == [won.pk]


def test_closing_lost_needs_a_reason(agent):
    deal = _qualified_deal(agent)

    with pytest.raises(ValidationError):
        services.deal_move(actor=agent, deal=deal, stage=DealStage.CLOSED_LOST)
    lost = services.deal_move(actor=agent, deal=deal, stage=DealStage.CLOSED_LOST, lost_reason="الميزانية")

    assert lost.probability == 0 and lost.closed_at is not None and not Customer.objects.filter(deal=deal).exists()


def test_a_closed_deal_stays_closed(agent):
    deal = services.deal_move(actor=agent, deal=_qualified_deal(agent), stage=DealStage.CLOSED_WON)

    with pytest.raises(TransitionNotAllowed):
        services.deal_move(actor=agent, deal=deal, stage=DealStage.NEGOTIATION)


def test_visibility_agents_see_their_own_managers_and_viewers_everything(agent, manager, people):
    other = User.objects.get(email=people["agent2"].email)
    mine, theirs = new_lead(agent), new_lead(other)
    viewer = User.objects.get(email=people["viewer"].email)
    affiliate = User.objects.get(email=people["affiliate"].email)

    assert set(Lead.objects.visible_to(agent)) == {mine}
    assert {mine, theirs} <= set(Lead.objects.visible_to(manager))
    assert {mine, theirs} <= set(Lead.objects.visible_to(viewer))
    assert not Lead.objects.visible_to(affiliate).exists()
    company = Company.objects.create(name="Shared Co")
    assert company in Company.objects.visible_to(agent)
    assert not Contact.objects.visible_to(affiliate).exists()


def test_converting_a_lead_reuses_the_contact_that_holds_its_consents(agent):
    lead = new_lead(agent, company_name="مؤسسة الريادة")
    existing = Contact.objects.create(full_name=lead.full_name, phone=lead.phone, lead=lead, owner=agent)
    services.lead_change_status(actor=agent, lead=lead, status=LeadStatus.CONTACTED)
    services.lead_change_status(actor=agent, lead=lead, status=LeadStatus.QUALIFIED)

    deal = services.lead_convert(actor=agent, lead=lead)

    assert deal.contact == existing
    assert Contact.objects.filter(lead=lead).count() == 1
    existing.refresh_from_db()
    assert existing.company.name == "مؤسسة الريادة"
