"""Writes of the CRM. Every page, admin action, importer, job and assistant calls these, so each rule
lives in one place. Each function is one transaction with its audit rows; side effects (messages, jobs)
run after commit."""
from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.choices import DealStage, LeadStatus
from crm.models import Company, Contact, Customer, Deal, Lead
from crm.scoring import score_for
from dealix.accounts import roles
from dealix.accounts.choices import Role
from dealix.accounts.models import User
from dealix.core.audit import audit, audit_create, audit_update, snapshot
from dealix.core.choices import AuditAction
from dealix.core.states import transition
from dealix.tenancy.rules import current_rules

# Sent after commit when a deal closes won; the affiliate programme (which the CRM must not import)
# listens to create the commission. Arguments: deal_id, actor_id.
deal_won = Signal()
# Sent after commit when a customer's payment is refunded: the affiliate programme cancels or claws back
# the commission earned on it. Arguments: payment_id, actor_id.
payment_refunded = Signal()
# Sent after commit on every move of a deal to another stage (the affiliate programme extends an
# attribution while the deal is in negotiation). Arguments: deal_id, stage.
deal_stage_changed = Signal()
# Sent after commit when a lead arrives carrying an affiliate's referral code: the lead form's and the
# booking page's `?ref=`. The affiliate programme decides whether the code attributes the lead.
# Arguments: lead_id, code (as typed), source ("form" | "booking"), ip (the visitor's address or None).
lead_referred = Signal()
# The same for a lead import, once for the whole file rather than once per row (a file may hold
# 100,000 leads). Arguments: referrals (a list of (lead_id, code)), source ("import"), ip, import_id.
leads_referred = Signal()

LEAD_EDITABLE_FIELDS = ("full_name", "phone", "email", "company_name", "sector", "city", "notes", "source",
                        "employees", "engagement_signals", "budget_signals", "timing")
SCORE_INPUTS = ("employees", "sector", "engagement_signals", "budget_signals", "timing")


def _require_work(actor) -> None:
    roles.require(actor, roles.CRM_WORK)


def _require_in_scope(actor, queryset, instance) -> None:
    """A record outside the actor's scope is treated as absent (a 404 upstream), never as forbidden."""
    if actor is not None and not queryset.visible_to(actor).filter(pk=instance.pk).exists():
        raise queryset.model.DoesNotExist(f"{queryset.model.__name__} {instance.pk} is not visible to this user")


# --- leads ---------------------------------------------------------------------------------------

def apply_score(lead: Lead) -> None:
    result = score_for(lead, current_rules())
    lead.score = result.total
    lead.score_breakdown = result.breakdown


def choose_assignee(*, sector: str) -> User | None:
    """RULES.md §1: round-robin among the active agents specialised in the lead's sector (the one who
    least recently received a lead of that sector goes next); if none, the least busy active agent
    (fewest open leads). Serialised with an advisory lock so two leads arriving together don't both
    go to the same agent."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('crm.lead_assignment'))")
    agents = User.objects.filter(role=Role.AGENT, is_active=True)
    specialists = agents.filter(sector=sector) if sector else agents.none()
    if specialists.exists():
        return (specialists.annotate(last_received=Max("assigned_leads__created_at",
                                                       filter=Q(assigned_leads__sector=sector)))
                .order_by(F("last_received").asc(nulls_first=True), "created_at", "id").first())
    open_statuses = [LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED]
    return (agents.annotate(open_leads=Count("assigned_leads", filter=Q(assigned_leads__status__in=open_statuses)))
            .order_by("open_leads", "created_at", "id").first())


@transaction.atomic
def lead_create(*, actor, data: dict, assign: bool = True) -> Lead:
    """Create a lead from validated data, score it, and give it an owner (the creating agent when an
    agent types it in; round-robin otherwise)."""
    if actor is not None:
        _require_work(actor)
    lead = Lead(**{name: value for name, value in data.items() if name in LEAD_EDITABLE_FIELDS + ("assigned_to",)})
    if lead.assigned_to_id is None and assign:
        if actor is not None and getattr(actor, "role", None) == Role.AGENT:
            lead.assigned_to = actor
        else:
            lead.assigned_to = choose_assignee(sector=lead.sector)
    apply_score(lead)
    lead.full_clean()
    lead.save()
    audit_create(actor=actor, instance=lead)
    _notify_assignee(actor=actor, lead=lead)
    return lead


@transaction.atomic
def lead_update(*, actor, lead: Lead, data: dict) -> Lead:
    _require_work(actor)
    _require_in_scope(actor, Lead.objects, lead)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    before = snapshot(lead)
    for name, value in data.items():
        if name in LEAD_EDITABLE_FIELDS:
            setattr(lead, name, value)
    if any(before.get(name) != getattr(lead, name) for name in SCORE_INPUTS):
        apply_score(lead)
    lead.full_clean()
    lead.save()
    audit_update(actor=actor, instance=lead, before=before)
    return lead


def lead_change_status(*, actor, lead: Lead, status: str, lost_reason: str = "") -> Lead:
    """Move a lead along RULES.md §1 (the transition stamps qualified_at / converted_at). Losing a lead
    needs a reason. Converting goes through `lead_convert`, which creates what conversion creates."""
    _require_work(actor)
    _require_in_scope(actor, Lead.objects, lead)
    if status == LeadStatus.CONVERTED:
        raise ValidationError(_("Convert a qualified lead with “Convert”, which creates its company, contact and deal."),
                              code="use_convert")
    changes = {}
    if status == LeadStatus.LOST:
        if not (lost_reason or "").strip():
            raise ValidationError({"lost_reason": _("Say why the lead was lost.")}, code="lost_reason_required")
        changes["lost_reason"] = lost_reason.strip()
    return transition(actor=actor, instance=lead, target=status, changes=changes)


@transaction.atomic
def lead_assign(*, actor, lead: Lead, assignee: User) -> Lead:
    """A manager gives a lead to another agent; audited like every write."""
    roles.require(actor, roles.CRM_REASSIGN)
    if not (assignee.is_active and roles.can(assignee, roles.CRM_WORK)):
        raise ValidationError({"assigned_to": _("Leads can only be assigned to an active member of the sales team.")})
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    before = snapshot(lead, ["assigned_to"])
    lead.assigned_to = assignee
    lead.save(update_fields=["assigned_to", "updated_at"])
    if audit_update(actor=actor, instance=lead, before=before):
        contacts_follow_lead(actor=actor, lead=lead)
        _notify_assignee(actor=actor, lead=lead)
    return lead


def contacts_follow_lead(*, actor, lead: Lead) -> list[str]:
    """The people of a lead belong to whoever works the lead: a reassigned (or merged) lead takes its
    contacts to the new owner, and the previous agent no longer sees them. Agents' contact visibility is
    then `owner = me` alone, which an index answers, instead of an OR across the lead table.
    Returns the ids of the contacts handed over, each audited."""
    handed_over = []
    for contact in Contact.objects.select_for_update().filter(lead=lead).exclude(owner_id=lead.assigned_to_id):
        before = snapshot(contact, ["owner"])
        contact.owner_id = lead.assigned_to_id
        contact.save(update_fields=["owner", "updated_at"])
        audit_update(actor=actor, instance=contact, before=before)
        handed_over.append(str(contact.pk))
    return handed_over


def _notify_assignee(*, actor, lead: Lead) -> None:
    """Tell the lead's new owner, once the assignment is committed; nobody is told of their own choice."""
    assignee = lead.assigned_to
    if assignee is None or getattr(actor, "pk", None) == assignee.pk:
        return
    from django.urls import reverse

    from dealix.core.notifications import NotificationType, in_language_of, notify

    def send():
        with in_language_of(assignee):
            title = _("New lead for you: %(name)s") % {"name": lead.full_name}
            details = [lead.company_name, lead.city, _("Score %(score)d") % {"score": lead.score}]
            body = " · ".join(part for part in details if part)
        notify(user=assignee, type=NotificationType.LEAD_ASSIGNED, title=title, body=body,
               url=reverse("crm:lead_detail", args=[lead.pk]))

    transaction.on_commit(send)


@transaction.atomic
def lead_convert(*, actor, lead: Lead, deal_title: str = "", deal_value: Decimal | None = None,
                 company: Company | None = None) -> Deal:
    """A qualified lead becomes a company (found by name or created), a contact and a deal in
    discovery, in one step; the lead is then converted."""
    _require_work(actor)
    _require_in_scope(actor, Lead.objects, lead)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.status != LeadStatus.QUALIFIED:
        raise ValidationError(_("Only a qualified lead can be converted."), code="not_qualified")
    if company is None and lead.company_name:
        company = Company.objects.filter(name__iexact=lead.company_name).first()
        if company is None:
            company = Company(name=lead.company_name, sector=lead.sector, city=lead.city)
            company.full_clean()
            company.save()
            audit_create(actor=actor, instance=company)
    # The lead may already have its contact (the public form creates one to hold the consents): reuse it,
    # so the deal's contact is the one whose consent the message gate will ask about.
    contact = Contact.objects.filter(lead=lead, merged_into__isnull=True).order_by("created_at").first()
    if contact is None:
        contact = Contact(full_name=lead.full_name, email=lead.email, phone=lead.phone, company=company, lead=lead,
                          owner=lead.assigned_to)
        contact.full_clean()
        contact.save()
        audit_create(actor=actor, instance=contact)
    elif company is not None and contact.company_id is None:
        before = snapshot(contact, ["company"])
        contact.company = company
        contact.save(update_fields=["company", "updated_at"])
        audit_update(actor=actor, instance=contact, before=before)
    rules = current_rules()
    deal = Deal(lead=lead, company=company, contact=contact, assigned_to=lead.assigned_to,
                title=deal_title.strip() or lead.company_name or lead.full_name,
                value=deal_value if deal_value is not None else Decimal("0"),
                stage=DealStage.DISCOVERY, probability=rules.stage_probability[DealStage.DISCOVERY])
    deal.full_clean()
    deal.save()
    audit_create(actor=actor, instance=deal)
    transition(actor=actor, instance=lead, target=LeadStatus.CONVERTED)
    return deal


# --- deals ---------------------------------------------------------------------------------------

@transaction.atomic
def deal_move(*, actor, deal: Deal, stage: str, lost_reason: str = "") -> Deal:
    """Move a deal to another stage (RULES.md §4): the stage's default probability, `closed_at` when
    closing, a reason to close lost; closing won creates or links the customer, starts the 30-day
    guarantee window and, after commit, tells the affiliate programme."""
    _require_work(actor)
    _require_in_scope(actor, Deal.objects, deal)
    rules = current_rules()
    changes = {"probability": rules.stage_probability.get(stage, deal.probability)}
    if stage == DealStage.CLOSED_LOST:
        if not (lost_reason or "").strip():
            raise ValidationError({"lost_reason": _("Say why the deal was lost.")}, code="lost_reason_required")
        changes["lost_reason"] = lost_reason.strip()
    moved = transition(actor=actor, instance=deal, target=stage, changes=changes)
    transaction.on_commit(lambda: deal_stage_changed.send(sender=Deal, deal_id=moved.pk, stage=stage))
    if stage == DealStage.CLOSED_WON:
        _create_customer_for(actor=actor, deal=moved)
        actor_id = getattr(actor, "pk", None)
        transaction.on_commit(lambda: deal_won.send(sender=Deal, deal_id=moved.pk, actor_id=actor_id))
    return moved


def _create_customer_for(*, actor, deal: Deal) -> Customer:
    existing = Customer.objects.filter(deal=deal).first()
    if existing:
        return existing
    lead, contact = deal.lead, deal.contact
    customer = Customer(
        deal=deal, lead=lead,
        full_name=(contact.full_name if contact else lead.full_name if lead else deal.title),
        email=(contact.email if contact else lead.email if lead else ""),
        phone=(contact.phone if contact else lead.phone if lead else ""),
        company_name=(deal.company.name if deal.company else lead.company_name if lead else ""),
        lifetime_value=deal.value, activated_at=timezone.now(), plan=deal.plan)
    customer.full_clean()
    customer.save()
    audit_create(actor=actor, instance=customer)
    return customer


@transaction.atomic
def deal_reassign(*, actor, deal: Deal, assignee: User) -> Deal:
    roles.require(actor, roles.CRM_REASSIGN)
    if not (assignee.is_active and roles.can(assignee, roles.CRM_WORK)):
        raise ValidationError({"assigned_to": _("Deals can only be assigned to an active member of the sales team.")})
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    before = snapshot(deal, ["assigned_to"])
    deal.assigned_to = assignee
    deal.save(update_fields=["assigned_to", "updated_at"])
    audit_update(actor=actor, instance=deal, before=before)
    return deal


def record_export(*, actor, entity_type: str, count: int, filters: dict) -> None:
    """Exports are audited: who took which rows out of the system."""
    if not roles.can(actor, roles.CRM_EXPORT):
        raise PermissionDenied(roles.CRM_EXPORT)
    audit(actor=actor, action=AuditAction.EXPORT, entity_type=entity_type,
          changes={"rows": count, "filters": filters})


# --- activities: notes, tasks, calls logged by hand ---------------------------------------------

@transaction.atomic
def activity_create(*, actor, data: dict, lead: Lead | None = None, deal: Deal | None = None):
    """A note, task, call, email, WhatsApp or meeting record on a lead or deal the actor may work."""
    from crm.models import Activity
    _require_work(actor)
    if lead is not None:
        _require_in_scope(actor, Lead.objects, lead)
    if deal is not None:
        _require_in_scope(actor, Deal.objects, deal)
    activity = Activity(user=data.get("user") or actor, lead=lead, deal=deal, type=data["type"],
                        subject=(data.get("subject") or "").strip(), body=data.get("body", ""),
                        scheduled_at=data.get("scheduled_at"), completed_at=data.get("completed_at"))
    activity.full_clean()
    activity.save()
    audit_create(actor=actor, instance=activity)
    return activity


@transaction.atomic
def task_complete(*, actor, task, done: bool = True):
    from crm.models import Activity
    _require_work(actor)
    _require_in_scope(actor, Activity.objects, task)
    task = Activity.objects.select_for_update().get(pk=task.pk)
    before = snapshot(task, ["completed_at"])
    task.completed_at = timezone.now() if done else None
    task.save(update_fields=["completed_at", "updated_at"])
    audit_update(actor=actor, instance=task, before=before)
    return task


# --- payments ------------------------------------------------------------------------------------
# Payments are money: recorded and refunded by the admins who process refunds (RULES.md §9), or by a
# billing integration (no actor).

@transaction.atomic
def payment_record(*, actor, customer: Customer, period, amount, reference: str = "", paid_at=None):
    """A customer's confirmed payment for one month of their subscription; `period` is any day of that
    month. A confirmed payment is what lets the affiliate who brought the customer be paid (RULES.md §6)."""
    from crm.models import Payment
    if actor is not None:
        roles.require(actor, roles.REFUNDS_PROCESS)
    if not hasattr(period, "replace"):
        raise ValidationError({"period": _("Give the month the payment is for.")}, code="period_required")
    try:
        amount = Decimal(str(amount))
    except ArithmeticError:
        raise ValidationError({"amount": _("Enter the amount paid, in riyals.")}, code="amount_invalid") from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({"amount": _("A payment is more than 0 riyals.")}, code="amount_not_positive")
    payment = Payment(customer=customer, period=period.replace(day=1), amount=amount,
                      paid_at=paid_at or timezone.now(), reference=(reference or "").strip())
    payment.full_clean()
    payment.save()
    audit_create(actor=actor, instance=payment)
    return payment


@transaction.atomic
def payment_refund(*, actor, payment, reason: str):
    """Refund a confirmed payment. After commit, `payment_refunded` tells the affiliate programme, which
    cancels the commission earned on it (or claws it back once it was paid out)."""
    from crm.choices import PaymentStatus
    from crm.models import Payment
    roles.require(actor, roles.REFUNDS_PROCESS)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the payment is refunded.")}, code="reason_required")
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status == PaymentStatus.REFUNDED:
        raise ValidationError(_("This payment was already refunded."), code="already_refunded")
    before = snapshot(payment, ["status", "refunded_at"])
    payment.status = PaymentStatus.REFUNDED
    payment.refunded_at = timezone.now()
    payment.full_clean()
    payment.save(update_fields=["status", "refunded_at", "updated_at"])
    after = snapshot(payment, ["status", "refunded_at"])
    audit(actor=actor, action=AuditAction.UPDATE, instance=payment,
          changes={**{name: [before[name], after[name]] for name in before}, "reason": reason})
    payment_id, actor_id = payment.pk, getattr(actor, "pk", None)
    transaction.on_commit(lambda: payment_refunded.send(sender=Payment, payment_id=payment_id, actor_id=actor_id))
    return payment
