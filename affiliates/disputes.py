"""Disputes (RULES.md §6): an affiliate objects to a commission (or the attribution, payout or guarantee
decision behind it) within `dispute_window_days` of the statement; the amount is frozen; a manager
decides within `dispute_decision_business_days` with a written resolution, or escalates it to an
admin; the affiliate may appeal once within `appeal_window_days` of the decision.

When the window starts ("the statement"):
- a paid commission: when its payout was completed (the statement that shows the money);
- an unpaid one: when it first appears on a monthly statement, i.e. the end of its month, or its
  creation if that came later (the monthly run creates last month's recurring commissions on the 1st);
  for a cancelled one, its cancellation if later still (the affiliate learns of it then);
- an attribution without a commission: its last change (it was rejected, expired or split);
- anything else: the latest statement, the 1st of this month or the last completed payout.
Freezing moves the commission to "disputed", which payouts never take; a commission already on its
way to the bank (a payout processing) or paid cannot be frozen, so the dispute freezes nothing and an
upheld one is settled by a correction (a new approved commission, or a clawback).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, ngettext

from affiliates.choices import (AttributionStatus, CommissionKind, CommissionStatus, DisputeStatus, DisputeType,
                                PayoutStatus)
from affiliates.models import Affiliate, AffiliateDeal, Commission, Dispute, Payout
from affiliates.periods import local_zone as _zone
from dealix.accounts import roles
from dealix.core.audit import audit, audit_create
from dealix.core.choices import AuditAction
from dealix.core.models import AuditLog
from dealix.core.states import transition
from dealix.tenancy.rules import current_rules

__all__ = ["dispute_open", "dispute_review", "dispute_resolve", "dispute_escalate", "dispute_appeal",
           "dispute_deadline", "appeal_deadline", "add_business_days", "is_overdue", "UNDECIDED"]

ZERO = Decimal("0.00")
UNDECIDED = (DisputeStatus.OPEN, DisputeStatus.UNDER_REVIEW, DisputeStatus.ESCALATED)
FREEZABLE = (CommissionStatus.PENDING, CommissionStatus.APPROVED)


# --- time ---------------------------------------------------------------------------------------------

def add_business_days(day: dt.date, count: int) -> dt.date:
    """`count` working days after `day` (the tenant's work week, Sunday–Thursday by default)."""
    work_days = current_rules().work_days
    while count > 0:
        day += dt.timedelta(days=1)
        if day.weekday() in work_days:
            count -= 1
    return day


def _decision_due(opened: dt.datetime) -> dt.datetime:
    """The close of business on the last of the decision's working days."""
    rules = current_rules()
    local = opened.astimezone(_zone())
    day = add_business_days(local.date(), rules.dispute_decision_business_days)
    return dt.datetime.combine(day, dt.time(rules.meeting_day[1]), tzinfo=_zone())


def _month_end(period: dt.date) -> dt.datetime:
    following = (period.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return dt.datetime.combine(following, dt.time.min, tzinfo=_zone())


def _statement_moment(*, affiliate: Affiliate, commission: Commission | None,
                      attribution: AffiliateDeal | None, now: dt.datetime) -> dt.datetime:
    if commission is not None:
        payout = commission.payout
        if commission.status == CommissionStatus.PAID and payout is not None and payout.processed_at:
            return payout.processed_at
        moment = max(commission.created_at, _month_end(commission.period))
        if commission.status == CommissionStatus.CANCELLED:
            moment = max(moment, commission.updated_at)
        return moment
    if attribution is not None:
        return attribution.updated_at
    local_now = now.astimezone(_zone())
    month_start = dt.datetime.combine(local_now.date().replace(day=1), dt.time.min, tzinfo=_zone())
    last_paid = (Payout.objects.filter(affiliate=affiliate, status=PayoutStatus.COMPLETED, processed_at__isnull=False)
                 .order_by("-processed_at").values_list("processed_at", flat=True).first())
    return max(month_start, last_paid) if last_paid else month_start


def dispute_deadline(*, affiliate: Affiliate, commission: Commission | None = None,
                     attribution: AffiliateDeal | None = None, now: dt.datetime | None = None) -> dt.datetime:
    """The last moment a dispute about this may be opened (see the module docstring)."""
    now = now or timezone.now()
    moment = _statement_moment(affiliate=affiliate, commission=commission, attribution=attribution, now=now)
    return moment + dt.timedelta(days=current_rules().dispute_window_days)


def appeal_deadline(dispute: Dispute) -> dt.datetime | None:
    if dispute.resolved_at is None:
        return None
    return dispute.resolved_at + dt.timedelta(days=current_rules().appeal_window_days)


def is_overdue(dispute: Dispute, now: dt.datetime | None = None) -> bool:
    return dispute.status in UNDECIDED and dispute.due_at is not None and dispute.due_at < (now or timezone.now())


# --- freezing -----------------------------------------------------------------------------------------

def _previous_status(instance, fallback: str) -> str:
    """The status the record had before it was disputed, from its audit trail (the status history)."""
    row = (AuditLog.objects.filter(entity_type=instance._meta.label_lower, entity_id=instance.pk,
                                   changes__status__1="disputed")
           .order_by("-created_at").values_list("changes", flat=True).first())
    previous = (row or {}).get("status", [None])[0]
    return previous or fallback


def _freeze(*, actor, commission: Commission) -> Decimal:
    """Move the commission to "disputed" (out of any payout not yet sent) and return the amount frozen;
    nothing is frozen when the money is paid or already on its way."""
    from affiliates.payouts import release_from_pending_payout
    commission = Commission.objects.select_for_update().get(pk=commission.pk)
    if commission.status not in FREEZABLE or commission.kind == CommissionKind.CLAWBACK:
        return ZERO
    if commission.payout_id:
        if commission.payout.status != PayoutStatus.PENDING:
            return ZERO
        release_from_pending_payout(actor=actor, commission=commission)
    transition(actor=actor, instance=commission, target=CommissionStatus.DISPUTED)
    return commission.amount


def _attribution_of(commission: Commission | None) -> AffiliateDeal | None:
    if commission is None or commission.deal_id is None:
        return None
    return AffiliateDeal.objects.filter(affiliate_id=commission.affiliate_id, deal_id=commission.deal_id).first()


def _commission_of(attribution: AffiliateDeal) -> Commission | None:
    if attribution.deal_id is None:
        return None
    return (Commission.objects.filter(affiliate_id=attribution.affiliate_id, deal_id=attribution.deal_id,
                                      kind=CommissionKind.DEAL).order_by("-created_at").first())


# --- opening ------------------------------------------------------------------------------------------

def _require_own(actor, affiliate: Affiliate) -> None:
    roles.require(actor, roles.FILE_OWN_DISPUTE)
    if affiliate.user_id is None or affiliate.user_id != actor.pk:
        raise PermissionDenied("a dispute is filed by the affiliate about their own records")


@transaction.atomic
def dispute_open(*, actor, affiliate: Affiliate, type: str, description: str, commission: Commission | None = None,
                 attribution: AffiliateDeal | None = None, now: dt.datetime | None = None) -> Dispute:
    """The affiliate disputes one of their commissions (or an attribution, a payout, a guarantee
    decision). Refused after the window; the commission's amount is frozen; due in 5 business days."""
    _require_own(actor, affiliate)
    now = now or timezone.now()
    description = (description or "").strip()
    if type not in DisputeType.values:
        raise ValidationError({"type": _("Choose what the dispute is about.")}, code="invalid_type")
    if not description:
        raise ValidationError({"description": _("Describe what is wrong and what you expected.")},
                              code="description_required")
    if commission is not None:
        # Locked first, so two disputes filed at once about one commission cannot both get through.
        commission = Commission.objects.select_for_update(of=("self",)).select_related("payout").get(pk=commission.pk)
        if commission.affiliate_id != affiliate.pk:
            raise Commission.DoesNotExist("not this affiliate's commission")
    if attribution is not None:
        if attribution.affiliate_id != affiliate.pk:
            raise AffiliateDeal.DoesNotExist("not this affiliate's attribution")
        if commission is None:
            commission = _commission_of(attribution)
            if commission is not None:
                commission = Commission.objects.select_for_update(of=("self",)).select_related("payout").get(pk=commission.pk)
        if commission is None:
            description = _("About the referral of %(lead)s.") % {"lead": attribution.lead} + "\n\n" + description
    if type == DisputeType.COMMISSION and commission is None:
        raise ValidationError({"commission": _("Choose the commission you dispute.")}, code="commission_required")
    if now > dispute_deadline(affiliate=affiliate, commission=commission, attribution=attribution, now=now):
        days = current_rules().dispute_window_days
        raise ValidationError(ngettext("Disputes are opened within %(days)s day of the statement, and that time has "
                                       "passed for this one.",
                                       "Disputes are opened within %(days)s days of the statement, and that time has "
                                       "passed for this one.", days) % {"days": days},
                              code="window_closed")
    if commission is not None and Dispute.objects.filter(commission=commission, status__in=UNDECIDED).exists():
        raise ValidationError(_("This commission is already disputed: follow that dispute instead."),
                              code="already_disputed")
    frozen = _freeze(actor=actor, commission=commission) if commission is not None else ZERO
    target = None
    if type == DisputeType.ATTRIBUTION:
        target = attribution or _attribution_of(commission)
        if target is not None and AffiliateDeal.STATES.can(target.status, AttributionStatus.DISPUTED):
            transition(actor=actor, instance=target, target=AttributionStatus.DISPUTED)
    dispute = Dispute(affiliate=affiliate, commission=commission, attribution=target, type=type,
                      status=DisputeStatus.OPEN, description=description, amount_frozen=frozen,
                      due_at=_decision_due(now))
    dispute.full_clean()
    dispute.save()
    audit_create(actor=actor, instance=dispute)
    _tell_deciders(dispute, escalated=False)
    return dispute


def _tell_deciders(dispute: Dispute, *, escalated: bool) -> None:
    """Managers (or, for an escalated dispute, admins) hear of it at once: it has a service level."""
    from affiliates.performance import reviewers
    from dealix.core.notifications import in_language_of, notify

    link = reverse("affiliates:dispute", args=[dispute.pk])
    for user in reviewers():
        if escalated and not roles.can(user, roles.COMMISSIONS_PAY):
            continue
        with in_language_of(user):
            title = (_("A dispute was escalated to you: %(partner)s") if escalated
                     else _("%(partner)s opened a dispute")) % {"partner": dispute.affiliate.full_name}
            body = dispute.description[:300]
        transaction.on_commit(lambda user=user, title=title, body=body: notify(
            user=user, type="dispute", title=title[:255], body=body, url=link))


def _tell_affiliate(dispute: Dispute) -> None:
    """The partner reads the decision in their portal and by email."""
    from dealix.core.notifications import in_language_of, notify

    user = dispute.affiliate.user
    if user is None or not user.is_active:
        return
    with in_language_of(user):
        title = _("Your dispute was decided")
    transaction.on_commit(lambda: notify(user=user, type="dispute", title=str(title), body=dispute.resolution[:300],
                                         url=reverse("affiliates:portal_disputes")))


# --- deciding -----------------------------------------------------------------------------------------

def _lock(dispute: Dispute) -> Dispute:
    return Dispute.objects.select_for_update(of=("self",)).select_related("commission", "affiliate").get(pk=dispute.pk)


@transaction.atomic
def dispute_review(*, actor, dispute: Dispute) -> Dispute:
    """A manager takes the dispute: open → under review."""
    roles.require(actor, roles.DISPUTES_RESOLVE)
    return transition(actor=actor, instance=dispute, target=DisputeStatus.UNDER_REVIEW)


@transaction.atomic
def dispute_escalate(*, actor, dispute: Dispute, reason: str = "") -> Dispute:
    """A manager passes the dispute to an admin (RULES.md §10: a commission error goes up at once)."""
    roles.require(actor, roles.DISPUTES_RESOLVE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the dispute goes to an admin.")}, code="reason_required")
    dispute = transition(actor=actor, instance=dispute, target=DisputeStatus.ESCALATED)
    audit(actor=actor, action=AuditAction.UPDATE, instance=dispute, changes={"escalation_reason": [None, reason]})
    _tell_deciders(dispute, escalated=True)
    return dispute


def escalation_reason(dispute: Dispute) -> str:
    row = (AuditLog.objects.filter(entity_type="affiliates.dispute", entity_id=dispute.pk,
                                   changes__has_key="escalation_reason")
           .order_by("-created_at").values_list("changes", flat=True).first())
    return (row or {}).get("escalation_reason", [None, ""])[1]


def _correct(*, actor, dispute: Dispute, commission: Commission, target: Decimal) -> None:
    """Settle an upheld dispute about money that could not be frozen: the difference between what the
    commission should be and what it pays becomes a new approved commission, or a clawback."""
    counted = commission.amount if commission.status != CommissionStatus.CANCELLED else ZERO
    difference = (target - counted).quantize(Decimal("0.01"))
    if not difference:
        return
    today = timezone.localdate()
    basis = {"correction_of": str(commission.pk), "dispute": str(dispute.pk), "from": str(counted),
             "to": str(target)}
    if difference < 0:
        roles.require(actor, roles.COMMISSIONS_PAY)
        if Commission.objects.filter(kind=CommissionKind.CLAWBACK, reverses=commission).exists():
            raise ValidationError(_("This commission was already clawed back; correct it by hand."),
                                  code="already_clawed_back")
        correction = Commission(affiliate=commission.affiliate, deal=commission.deal, kind=CommissionKind.CLAWBACK,
                                reverses=commission, amount=difference, currency=commission.currency,
                                rate=commission.rate, status=CommissionStatus.APPROVED, period=today.replace(day=1),
                                approved_by=actor, approved_at=timezone.now(), basis=basis)
    else:
        # A top-up is its own "deal" commission without the deal, so it never collides with the
        # once-per-deal-and-month rule; its basis names the commission it corrects.
        correction = Commission(affiliate=commission.affiliate, deal=None, kind=CommissionKind.DEAL,
                                amount=difference, currency=commission.currency, rate=commission.rate,
                                status=CommissionStatus.APPROVED, period=today.replace(day=1), approved_by=actor,
                                approved_at=timezone.now(), basis=basis)
    correction.full_clean()
    correction.save()
    audit_create(actor=actor, instance=correction)


@transaction.atomic
def dispute_resolve(*, actor, dispute: Dispute, resolution: str, uphold: bool, amount: Decimal | None = None,
                    cancel: bool = False) -> Dispute:
    """Decide the dispute with a written resolution. Rejected: the commission goes back to the status it
    had. Upheld: restored as it was, or adjusted to `amount`, or cancelled (`cancel=True`); money that
    was already paid is corrected by a new commission or a clawback. An escalated dispute is decided by
    an admin."""
    roles.require(actor, roles.DISPUTES_RESOLVE)
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": _("Write the resolution: what was decided and why.")},
                              code="resolution_required")
    if amount is not None and cancel:
        raise ValidationError(_("Either adjust the amount or cancel the commission, not both."), code="both")
    if amount is not None:
        amount = Decimal(amount).quantize(Decimal("0.01"))
        if amount < 0:
            raise ValidationError({"amount": _("An amount is zero or more.")}, code="negative")
    dispute = _lock(dispute)
    if dispute.status == DisputeStatus.ESCALATED:
        roles.require(actor, roles.COMMISSIONS_PAY)
    if dispute.status == DisputeStatus.OPEN:
        dispute = transition(actor=actor, instance=dispute, target=DisputeStatus.UNDER_REVIEW)
    if dispute.status not in (DisputeStatus.UNDER_REVIEW, DisputeStatus.ESCALATED):
        raise ValidationError(_("This dispute is already decided."), code="decided")
    commission = dispute.commission
    if commission is not None:
        _settle(actor=actor, dispute=dispute, commission=commission, uphold=uphold, amount=amount, cancel=cancel)
    attribution = None
    if dispute.type == DisputeType.ATTRIBUTION:
        # The referral itself, commission or not (a referral not yet won has none to find it by).
        attribution = (AffiliateDeal.objects.select_for_update().get(pk=dispute.attribution_id)
                       if dispute.attribution_id else _attribution_of(commission))
    if attribution is not None and attribution.status == AttributionStatus.DISPUTED:
        fallback = AttributionStatus.CONFIRMED if attribution.deal_id else AttributionStatus.PENDING
        transition(actor=actor, instance=attribution, target=_previous_status(attribution, fallback))
    decided = transition(actor=actor, instance=dispute, target=DisputeStatus.RESOLVED, changes={"resolution": resolution})
    _tell_affiliate(decided)
    return decided


def _settle(*, actor, dispute: Dispute, commission: Commission, uphold: bool, amount, cancel: bool) -> None:
    commission = Commission.objects.select_for_update().get(pk=commission.pk)
    frozen = commission.status == CommissionStatus.DISPUTED
    if frozen:
        fallback = CommissionStatus.APPROVED if commission.approved_at else CommissionStatus.PENDING
        previous = _previous_status(commission, fallback)
        if previous not in (CommissionStatus.PENDING, CommissionStatus.APPROVED):
            previous = fallback
        if not uphold:
            transition(actor=actor, instance=commission, target=previous)
        elif cancel:
            transition(actor=actor, instance=commission, target=CommissionStatus.CANCELLED)
        elif amount is not None:
            basis = dict(commission.basis or {})
            basis["adjusted"] = {"from": str(commission.amount), "to": str(amount), "dispute": str(dispute.pk)}
            transition(actor=actor, instance=commission, target=previous, changes={"amount": amount, "basis": basis})
        else:
            transition(actor=actor, instance=commission, target=previous)
        return
    if not uphold:
        return
    if cancel:
        target = ZERO
    elif amount is not None:
        target = amount
    else:
        target = commission.amount
    _correct(actor=actor, dispute=dispute, commission=commission, target=target)


# --- appeal -------------------------------------------------------------------------------------------

@transaction.atomic
def dispute_appeal(*, actor, dispute: Dispute, description: str, now: dt.datetime | None = None) -> Dispute:
    """The affiliate appeals a decided dispute, once, within `appeal_window_days` of the decision: a new
    dispute (`appeal_of` the first) that freezes the commission again and has its own due date."""
    dispute = _lock(dispute)
    _require_own(actor, dispute.affiliate)
    now = now or timezone.now()
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Say why the decision should change.")}, code="description_required")
    if dispute.appeal_of_id is not None:
        raise ValidationError(_("An appeal's decision is final: it cannot be appealed again."), code="appeal_of_appeal")
    if dispute.status not in (DisputeStatus.RESOLVED, DisputeStatus.CLOSED) or dispute.resolved_at is None:
        raise ValidationError(_("Only a decided dispute can be appealed."), code="not_decided")
    if Dispute.objects.filter(appeal_of=dispute).exists():
        raise ValidationError(_("This dispute was already appealed; there is one appeal."), code="already_appealed")
    if now > appeal_deadline(dispute):
        days = current_rules().appeal_window_days
        raise ValidationError(ngettext("An appeal is made within %(days)s day of the decision, and that time has "
                                       "passed.",
                                       "An appeal is made within %(days)s days of the decision, and that time has "
                                       "passed.", days) % {"days": days}, code="appeal_window_closed")
    commission = dispute.commission
    frozen = _freeze(actor=actor, commission=commission) if commission is not None else ZERO
    appeal = Dispute(affiliate=dispute.affiliate, commission=commission, attribution_id=dispute.attribution_id,
                     appeal_of=dispute, type=dispute.type, status=DisputeStatus.OPEN, description=description,
                     amount_frozen=frozen, due_at=_decision_due(now))
    appeal.full_clean()
    appeal.save()
    audit_create(actor=actor, instance=appeal)
    return appeal


# --- reading ------------------------------------------------------------------------------------------

def dispute_queue(*, status: str = "undecided"):
    """The staff queue: undecided disputes by due date (overdue first), or one status, or all."""
    queryset = Dispute.objects.select_related("affiliate", "commission", "commission__deal", "appeal_of",
                                              "resolved_by")
    if status == "undecided":
        return queryset.filter(status__in=UNDECIDED).order_by("due_at", "created_at")
    if status in DisputeStatus.values:
        return queryset.filter(status=status).order_by("-updated_at")
    return queryset.order_by("-created_at")
