"""The commission engine (RULES.md §6): what an affiliate earns, when it may be approved, and what a
refund undoes. Every amount is Decimal rounded to the halala (ROUND_HALF_UP), and every commission
carries its `basis`: the numbers it was computed from, so each riyal can be explained in words
(`basis_lines`) on the staff page, the portal and the statement.

Decisions, so they live in one place:

* **What a deal commission pays on.** A won deal earns each affiliate attributed to it (B's
  `attributions_for_won_deal`) a `deal` commission on the deal's value × the affiliate's share × the
  rate. The deal's value is what the customer's first payment(s) pay, so a monthly payment earns a
  `recurring` commission only on the part of it that goes beyond the deal's value (the customer's
  confirmed payments are added up month by month): a deal of one month's subscription covers the first
  month; an annual deal covers the year's payments. No riyal earns twice, none is missed.
* **No commission on a trial, nor on a deal without a plan or without a value.** No row is written
  (a zero commission would sit in every list and payout for nothing); the reason is written on the
  attribution's note instead, where the manager looking at that referral sees it. Setting the plan
  later and running the month again (`run_monthly`) creates the commission.
* **The rate** is the table's (tier × plan, `commission_rates`). An admin-set `Affiliate.commission_rate`
  is an agreed rate that can only raise it: the higher of the two applies. A lower agreed rate would
  contradict the commission policy the affiliate accepted, and a fixed rate would cancel the tiers.
* **The tier** comes from the month's closed deals (`tier_thresholds`): the deals of the commission's
  month that earned a deal commission not cancelled. A deal commission is priced when the deal is won
  at the tier reached so far that month (this deal included); the monthly run settles the month:
  it re-prices the month's still-pending deal commissions at the tier the whole month reached, prices
  the month's recurring commissions at that tier, and stores it on the affiliate.
* **Bonuses** (`monthly_bonuses`): the highest threshold the month's deals reached, once per month.
* **Approvable** when the commission is pending and not held, the affiliate is neither suspended nor
  terminated, the customer's guarantee window (activated_at + guarantee_days) has passed, and the payment
  it stands on is confirmed: for a deal commission the customer's first payment (a Payment row: the CRM's
  record that money arrived; a won deal alone is a promise), for a recurring one its own payment; a bonus
  once the windows of the deals it counts have passed and enough of them still stand.
* **A refund** cancels the commission(s) standing on that payment (the first payment carries the deal
  commission) while they are not paid; once paid (or in a payout under way) it creates a clawback: a
  negative commission, approved at once so the next payout deducts it.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _, ngettext

from affiliates.choices import AffiliateStatus, AttributionStatus, CommissionKind, CommissionStatus, PayoutStatus, Tier
from affiliates.models import Affiliate, AffiliateDeal, Commission
from affiliates.periods import local_zone as _zone, month_start as month_of, next_month as _next_month
from crm.choices import CustomerPlan, DealStage, PaymentStatus
from crm.models import Customer, Deal, Payment
from dealix.accounts import roles
from dealix.core.audit import _json_value, audit_create, audit_update, snapshot
from dealix.core.choices import AuditAction
from dealix.core.models import AuditLog
from dealix.core.seeding import copy_rows
from dealix.core.states import transition
from dealix.tenancy.rules import current_rules

CENT = Decimal("0.01")
ZERO = Decimal("0")
# The plans of the commission table; a trial (or no plan) earns nothing.
PAID_PLANS = (CustomerPlan.STARTER, CustomerPlan.PRO, CustomerPlan.ENTERPRISE)
# Attributions that earn: B confirms one when its deal is won (and pays it through a payout).
EARNING_ATTRIBUTIONS = (AttributionStatus.CONFIRMED, AttributionStatus.PAID)
OPEN_STATUSES = (CommissionStatus.PENDING, CommissionStatus.APPROVED, CommissionStatus.DISPUTED)
BASIS_VERSION = 1


# --- numbers ---------------------------------------------------------------------------------------

def money(value) -> Decimal:
    """An amount in riyals rounded to the halala, half up."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _amount(revenue: Decimal, rate: Decimal) -> Decimal:
    return money(Decimal(revenue) * Decimal(rate) / 100)


def _decimal(value, default=ZERO) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return default


def tier_for(deals_closed: int, rules=None) -> str:
    """The tier that `deals_closed` closed deals in a month reach (`tier_thresholds`)."""
    thresholds = (rules or current_rules()).tier_thresholds
    reached = [(int(minimum), tier) for tier, minimum in thresholds.items() if deals_closed >= int(minimum)]
    return max(reached)[1] if reached else Tier.BRONZE


def _tier_threshold(tier: str, rules=None) -> int:
    return int((rules or current_rules()).tier_thresholds.get(tier, 0))


def commission_rate(*, tier: str, plan: str) -> Decimal:
    """The table's rate in percent for a tier and a customer plan; 0 for a trial or no plan."""
    rates = current_rules().commission_rates.get(tier, {})
    if plan not in PAID_PLANS or plan not in rates:
        return ZERO
    return _decimal(rates[plan])


def _rate_for(affiliate: Affiliate, *, tier: str, plan: str) -> tuple[Decimal, dict]:
    """The rate that applies and how it was chosen (see the module's docstring)."""
    table = commission_rate(tier=tier, plan=plan)
    agreed = affiliate.commission_rate
    rate, source = (agreed, "agreed") if agreed is not None and agreed > table else (table, "table")
    return Decimal(rate), {"table_rate": str(table), "agreed_rate": None if agreed is None else str(agreed),
                           "rate": str(Decimal(rate)), "rate_source": source}


def _bonus_for(deals_closed: int, rules=None) -> tuple[int, Decimal] | None:
    """The highest (threshold, amount) of `monthly_bonuses` reached, or None."""
    reached = [(int(threshold), _decimal(amount)) for threshold, amount in (rules or current_rules()).monthly_bonuses
               if deals_closed >= int(threshold)]
    return max(reached) if reached else None


# --- months ----------------------------------------------------------------------------------------

def _previous_month(period: dt.date) -> dt.date:
    return (period.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _month_range(period: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = _zone()
    start = dt.datetime(period.year, period.month, 1, tzinfo=zone)
    end_day = _next_month(period)
    return start, dt.datetime(end_day.year, end_day.month, 1, tzinfo=zone)


def parse_period(value=None) -> dt.date:
    """A month from a date, "YYYY-MM" or "YYYY-MM-DD"; by default the month that just ended (the run
    happens on the 1st)."""
    if value is None or value == "":
        return _previous_month(month_of(timezone.now()))
    if isinstance(value, dt.datetime):
        return month_of(value)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text if len(text) > 7 else f"{text}-01").replace(day=1)
    except ValueError:
        raise ValidationError({"period": _("Give a month as YYYY-MM.")}, code="period_invalid") from None


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_moment(value) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


# --- the customer behind a deal ----------------------------------------------------------------------

def _customer_of(deal_id) -> Customer | None:
    return Customer.objects.filter(deal_id=deal_id).order_by("created_at").first() if deal_id else None


def _plan_of(deal: Deal, customer: Customer | None) -> str:
    """What the customer bought: the deal's plan, else the customer's (a deal closed before the plan
    was typed in still earns once the customer has one)."""
    return deal.plan or (customer.plan if customer else "") or ""


def _guarantee_end(customer: Customer | None, deal: Deal | None, rules=None) -> dt.datetime | None:
    """RULES.md §8: the guarantee window runs `guarantee_days` from the customer's activation (stamped
    when the deal closes won); a deal without a customer row counts from its closing."""
    start = (customer.activated_at if customer else None) or (deal.closed_at if deal else None)
    if start is None:
        return None
    return start + dt.timedelta(days=(rules or current_rules()).guarantee_days)


def _first_payment(customer: Customer | None) -> Payment | None:
    """The customer's first payment (whatever became of it): the one a deal commission stands on."""
    if customer is None:
        return None
    return Payment.objects.filter(customer=customer).order_by("period", "created_at").first()


# --- writing helpers ---------------------------------------------------------------------------------

@contextmanager
def _tenant_language():
    """Texts stored in rows (notes, hold reasons) are written in the tenant's language."""
    from dealix.core.notifications import current_tenant
    tenant = current_tenant()
    with translation.override(getattr(tenant, "language", None) or "ar"):
        yield


def _lock(name: str) -> None:
    """A transaction-long lock, per tenant schema, so two runs of the same thing queue up."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{connection.schema_name}:{name}"])


def _automatic_hold(affiliate: Affiliate, rules) -> str:
    """Why a new commission of this affiliate starts held (RULES.md §6 fraud holds), or ""."""
    if affiliate.status == AffiliateStatus.SUSPENDED:
        with _tenant_language():
            return _("The affiliate is suspended: %(reason)s") % {
                "reason": affiliate.status_reason or _("no reason given")}
    if affiliate.risk_score > rules.fraud_risk_suspend_over:
        with _tenant_language():
            return _("Risk score %(score)d is over %(limit)d: held for review.") % {
                "score": affiliate.risk_score, "limit": rules.fraud_risk_suspend_over}
    return ""


def _note_on_attribution(attribution: AffiliateDeal, text: str) -> None:
    """Add a line to the attribution's note, once."""
    attribution = AffiliateDeal.objects.select_for_update().get(pk=attribution.pk)
    if text in attribution.note:
        return
    before = snapshot(attribution, ["note"])
    attribution.note = f"{attribution.note.rstrip()}\n{text}".strip()
    attribution.save(update_fields=["note", "updated_at"])
    audit_update(actor=None, instance=attribution, before=before)


def _record_on_attribution(attribution: AffiliateDeal, amount: Decimal) -> None:
    attribution = AffiliateDeal.objects.select_for_update().get(pk=attribution.pk)
    if attribution.commission_amount == amount:
        return
    before = snapshot(attribution, ["commission_amount"])
    attribution.commission_amount = amount
    attribution.save(update_fields=["commission_amount", "updated_at"])
    audit_update(actor=None, instance=attribution, before=before)


# --- writing many rows at once (the monthly run) ----------------------------------------------------
# At tens of thousands of rows a bulk INSERT spends its time quoting parameters on the client; COPY
# streams them, and one UPDATE … FROM (VALUES …) per thousand rows replaces a save() each. The audit
# rows are the ones `audit_create` / `audit_update` would write, with the system as the actor.

def _insert(model, rows: list[dict], *, audited: bool = True) -> int:
    """New rows given as {attname: value}, every row with the same keys (the model's defaults fill the
    rest), and their audit rows."""
    if not rows:
        return 0
    now = timezone.now()
    for row in rows:
        row.setdefault("id", uuid.uuid4())
        row["created_at"] = row["updated_at"] = now
    names = list(rows[0])
    column_of = {field.attname: field.column for field in model._meta.concrete_fields}
    columns = [column_of[name] for name in names]
    written = copy_rows(model, columns, (tuple(row[name] for name in names) for row in rows))
    if audited:
        label = model._meta.label_lower
        _insert(AuditLog, [_audit_row(AuditAction.CREATE, label, row["id"], {
            name: [None, _json_value(value)] for name, value in row.items()
            if name not in ("id", "created_at", "updated_at") and value not in (None, "")}) for row in rows],
                audited=False)
    return written


def _audit_row(action: str, label: str, pk, changes: dict) -> dict:
    return {"user_id": None, "action": action, "entity_type": label, "entity_id": pk, "changes": changes}


def _update_rows(model, names: tuple[str, ...], rows: dict) -> None:
    """Set `names` of many rows: {pk: (value, …)} in the order of `names`."""
    if not rows:
        return
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    casts = ", ".join(f"%s::{field.db_type(connection)}" for field in fields)
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in fields)
    columns = ", ".join(quote(field.column) for field in fields)
    items = list(rows.items())
    with connection.cursor() as cursor:
        for start in range(0, len(items), 1000):
            chunk = items[start:start + 1000]
            params = []
            for pk, values in chunk:
                params.append(pk)
                params.extend(json.dumps(value) if isinstance(field, models.JSONField) else value
                              for field, value in zip(fields, values))
            cursor.execute(
                f"UPDATE {quote(model._meta.db_table)} AS t SET {assignments}, updated_at = now() "
                f"FROM (VALUES {', '.join(f'(%s::uuid, {casts})' for _ in chunk)}) AS v(id, {columns}) "
                f"WHERE t.id = v.id", params)


# --- won deals ---------------------------------------------------------------------------------------

def _attributions_for(deal: Deal) -> list[AffiliateDeal]:
    """The attributions that earn on this won deal (affiliates.attribution links and confirms them). A
    disputed one earns once its dispute puts it back to confirmed (the monthly run catches up)."""
    from affiliates.attribution import attributions_for_won_deal  # attribution reaches fraud, which holds commissions
    return [item for item in attributions_for_won_deal(deal) if item.status in EARNING_ATTRIBUTIONS]


def _deal_ids_in(affiliate_id, period: dt.date) -> set:
    """The month's closed deals that count for the tier and the bonus: those with a deal commission
    that was not cancelled."""
    return set(Commission.objects.filter(affiliate_id=affiliate_id, kind=CommissionKind.DEAL, period=period)
               .exclude(status=CommissionStatus.CANCELLED).values_list("deal_id", flat=True))


def _why_no_commission(deal: Deal, plan: str, affiliate: Affiliate) -> str:
    with _tenant_language():
        if plan == CustomerPlan.TRIAL:
            return _("No commission on the deal “%(deal)s”: it is a trial, and trials earn none.") % {"deal": deal.title}
        if plan not in PAID_PLANS:
            return _("No commission on the deal “%(deal)s” yet: it has no plan. Set the deal's plan; the monthly "
                     "commission run then creates it.") % {"deal": deal.title}
        if deal.value <= 0:
            return _("No commission on the deal “%(deal)s”: its value is 0.") % {"deal": deal.title}
        if affiliate.status == AffiliateStatus.TERMINATED:
            return _("No commission on the deal “%(deal)s”: the affiliate was terminated.") % {"deal": deal.title}
    return ""


@transaction.atomic
def commissions_for_won_deal(deal_id, actor=None) -> list[Commission]:
    """A pending `deal` commission for each affiliate attributed to this won deal (RULES.md §4: closing
    won creates it). Idempotent: a deal earns each affiliate one deal commission; calling again returns
    the ones that exist."""
    rules = current_rules()
    deal = Deal.objects.select_for_update().filter(pk=deal_id).first()
    if deal is None or deal.stage != DealStage.CLOSED_WON:
        return []
    customer = _customer_of(deal.pk)
    plan = _plan_of(deal, customer)
    period = month_of(deal.closed_at or timezone.now())
    guarantee_ends = _guarantee_end(customer, deal, rules)
    first_payment = _first_payment(customer)
    results = []
    for attribution in _attributions_for(deal):
        existing = Commission.objects.filter(affiliate_id=attribution.affiliate_id, deal=deal,
                                             kind=CommissionKind.DEAL).first()
        if existing is not None:
            results.append(existing)
            continue
        # Locked so two deals of one affiliate closing at once count each other for the tier.
        affiliate = Affiliate.objects.select_for_update().get(pk=attribution.affiliate_id)
        reason = _why_no_commission(deal, plan, affiliate)
        if reason:
            _note_on_attribution(attribution, reason)
            continue
        deals_in_month = len(_deal_ids_in(affiliate.pk, period) - {deal.pk}) + 1
        tier = tier_for(deals_in_month, rules)
        rate, rate_basis = _rate_for(affiliate, tier=tier, plan=plan)
        revenue = money(deal.value)
        share = Decimal(attribution.share_percent)
        # The attribution's own split of the value (its halalas add up across a split deal's shares).
        attributed = money(attribution.attributed_revenue or revenue * share / 100)
        amount = _amount(attributed, rate)
        basis = {
            "v": BASIS_VERSION, "kind": CommissionKind.DEAL, "deal_id": str(deal.pk), "deal_title": deal.title,
            "attribution_id": str(attribution.pk), "customer_id": str(customer.pk) if customer else None,
            "revenue": str(revenue), "share_percent": str(share), "attributed_revenue": str(attributed),
            "plan": plan, "tier": tier, "deals_in_month": deals_in_month, "tier_from": _tier_threshold(tier, rules),
            **rate_basis, "amount": str(amount), "period": period.isoformat(),
            "guarantee_ends": _iso(guarantee_ends),
            "payment_id": str(first_payment.pk) if first_payment else None,
        }
        commission = Commission(affiliate=affiliate, deal=deal, kind=CommissionKind.DEAL, amount=amount,
                                currency=deal.currency, rate=rate, period=period, basis=basis,
                                status=CommissionStatus.PENDING)
        hold = _automatic_hold(affiliate, rules)
        commission.held, commission.hold_reason = bool(hold), hold
        commission.full_clean()
        commission.save()
        audit_create(actor=actor, instance=commission)
        _record_on_attribution(attribution, amount)
        results.append(commission)
    return results


# --- approval ----------------------------------------------------------------------------------------

def _status_label(status: str) -> str:
    return str(dict(CommissionStatus.choices).get(status, status))


def _date_words(moment) -> str:
    if moment is None:
        return ""
    if isinstance(moment, dt.datetime):
        moment = timezone.localtime(moment, _zone()).date()
    return formats.date_format(moment, "DATE_FORMAT")


def month_words(period) -> str:
    if isinstance(period, str):
        period = dt.date.fromisoformat(period)
    return formats.date_format(period, "YEAR_MONTH_FORMAT")


class Known:
    """What a list page already loaded for its rows (customers by deal, first payments by customer,
    payments by id), so `approvable` and `basis_lines` ask nothing more per row."""

    def __init__(self, commissions_on_page: list[Commission]):
        deal_ids = {item.deal_id for item in commissions_on_page if item.deal_id}
        self.customers: dict = {}
        for customer in Customer.objects.filter(deal_id__in=deal_ids).order_by("created_at"):
            self.customers.setdefault(customer.deal_id, customer)
        self.first_payments: dict = {}
        for payment in Payment.objects.filter(customer__in=list(self.customers.values())).order_by("period",
                                                                                                   "created_at"):
            self.first_payments.setdefault(payment.customer_id, payment)
        wanted = {(item.basis or {}).get("payment_id") for item in commissions_on_page} - {None}
        self.payments = {str(payment.pk): payment for payment in Payment.objects.filter(pk__in=wanted)}
        self.payments.update({str(payment.pk): payment for payment in self.first_payments.values()})

    def customer(self, deal_id):
        return self.customers.get(deal_id)

    def first_payment(self, customer):
        return self.first_payments.get(customer.pk) if customer else None

    def payment(self, payment_id):
        return self.payments.get(payment_id)


class _Ask:
    """The same questions as `Known`, asked of the database."""

    customer = staticmethod(_customer_of)
    first_payment = staticmethod(_first_payment)

    @staticmethod
    def payment(payment_id):
        return Payment.objects.filter(pk=payment_id).first() if payment_id else None


def approvable(commission: Commission, now=None, known: Known | None = None) -> tuple[bool, str]:
    """Whether a manager may approve this commission now, and if not, why (in the user's language)."""
    known = known or _Ask
    now = now or timezone.now()
    rules = current_rules()
    if commission.status != CommissionStatus.PENDING:
        return False, _("Only a pending commission can be approved; this one is “%(status)s”.") % {
            "status": _status_label(commission.status)}
    if commission.held:
        return False, _("It is held: %(reason)s") % {"reason": commission.hold_reason or _("no reason given")}
    affiliate = commission.affiliate
    if affiliate.status in (AffiliateStatus.SUSPENDED, AffiliateStatus.TERMINATED):
        return False, _("The affiliate is %(status)s.") % {"status": affiliate.get_status_display().lower()}
    if commission.kind == CommissionKind.CLAWBACK:
        return True, ""
    basis = commission.basis or {}
    if commission.kind == CommissionKind.BONUS:
        return _bonus_approvable(commission, now, rules)
    customer = known.customer(commission.deal_id)
    ends = _guarantee_end(customer, commission.deal, rules) or _parse_moment(basis.get("guarantee_ends"))
    if ends is not None and now < ends:
        return False, ngettext("The customer's %(days)d-day guarantee window ends on %(date)s.",
                               "The customer's %(days)d-day guarantee window ends on %(date)s.",
                               rules.guarantee_days) % {"days": rules.guarantee_days, "date": _date_words(ends)}
    if commission.kind == CommissionKind.DEAL:
        payment = known.first_payment(customer)
    else:
        payment = known.payment(basis.get("payment_id"))
    if payment is None:
        return False, _("No payment from the customer has been recorded yet.")
    if payment.status != PaymentStatus.CONFIRMED:
        return False, _("The customer's payment for %(month)s was refunded.") % {"month": month_words(payment.period)}
    return True, ""


def _bonus_approvable(commission: Commission, now, rules) -> tuple[bool, str]:
    basis = commission.basis or {}
    counted = Commission.objects.filter(affiliate_id=commission.affiliate_id, kind=CommissionKind.DEAL,
                                        period=commission.period).exclude(status=CommissionStatus.CANCELLED)
    needed = int(basis.get("threshold") or 0)
    standing = counted.order_by().values("deal_id").distinct().count()
    if standing < needed:
        return False, _("Only %(count)d of the month's deals still stand; this bonus needs %(needed)d.") % {
            "count": standing, "needed": needed}
    ends = [_parse_moment(item) for item in counted.values_list("basis__guarantee_ends", flat=True)]
    latest = max((item for item in ends if item is not None), default=None)
    if latest is not None and now < latest:
        return False, _("The guarantee window of the month's last deal ends on %(date)s.") % {
            "date": _date_words(latest)}
    return True, ""


def _get_for_update(commission: Commission) -> Commission:
    return (Commission.objects.select_for_update(of=("self",)).select_related("affiliate", "deal", "payout")
            .get(pk=commission.pk))


def _out_of_payout(*, actor, commission: Commission) -> bool:
    """Whether the commission is in no payout, taking it out of one that has not gone to the bank yet
    (the payout is lowered, or fails and carries over). False when its payout is under way or done."""
    if commission.payout_id is None:
        return True
    if commission.payout.status != PayoutStatus.PENDING:
        return False
    from affiliates.payouts import release_from_pending_payout
    release_from_pending_payout(actor=actor, commission=commission)
    commission.refresh_from_db()
    return commission.payout_id is None


@transaction.atomic
def commission_approve(*, actor, commission: Commission) -> Commission:
    """A manager approves a pending commission once `approvable` says so; refused with the reason."""
    roles.require(actor, roles.COMMISSIONS_APPROVE)
    commission = _get_for_update(commission)
    ok, reason = approvable(commission)
    if not ok:
        raise ValidationError(reason, code="not_approvable")
    changes = {}
    if commission.kind == CommissionKind.DEAL:
        # Record which payment confirmed it, so the basis names it for good.
        payment = _first_payment(_customer_of(commission.deal_id))
        if payment is not None and (commission.basis or {}).get("payment_id") != str(payment.pk):
            changes["basis"] = {**commission.basis, "payment_id": str(payment.pk)}
    return transition(actor=actor, instance=commission, target=CommissionStatus.APPROVED, changes=changes)


def _require_reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message}, code="reason_required")
    return reason


@transaction.atomic
def commission_hold(*, actor, commission: Commission, reason: str) -> Commission:
    """Freeze a pending or approved commission (it is neither approved nor paid out while held)."""
    roles.require(actor, roles.COMMISSIONS_APPROVE)
    reason = _require_reason(reason, _("Say why the commission is held."))
    commission = _get_for_update(commission)
    if commission.held:
        raise ValidationError(_("This commission is already held: %(reason)s") % {"reason": commission.hold_reason},
                              code="already_held")
    if commission.status not in (CommissionStatus.PENDING, CommissionStatus.APPROVED) or \
            not _out_of_payout(actor=actor, commission=commission):
        raise ValidationError(_("Only a pending or approved commission that has not gone out in a payout can be "
                                "held."), code="not_holdable")
    before = snapshot(commission, ["held", "hold_reason"])
    commission.held, commission.hold_reason = True, reason
    commission.save(update_fields=["held", "hold_reason", "updated_at"])
    audit_update(actor=actor, instance=commission, before=before)
    return commission


@transaction.atomic
def commission_release(*, actor, commission: Commission) -> Commission:
    roles.require(actor, roles.COMMISSIONS_APPROVE)
    commission = _get_for_update(commission)
    if not commission.held:
        raise ValidationError(_("This commission is not held."), code="not_held")
    before = snapshot(commission, ["held", "hold_reason"])
    commission.held, commission.hold_reason = False, ""
    commission.save(update_fields=["held", "hold_reason", "updated_at"])
    audit_update(actor=actor, instance=commission, before=before)
    return commission


def _cancel(*, actor, commission: Commission, code: str, reason: str, **details) -> Commission:
    stamp = {"code": code, "reason": reason, "at": timezone.now().isoformat(),
             "by": str(actor.pk) if getattr(actor, "is_authenticated", False) else None, **details}
    return transition(actor=actor, instance=commission, target=CommissionStatus.CANCELLED,
                      changes={"basis": {**(commission.basis or {}), "cancelled": stamp}})


@transaction.atomic
def commission_cancel(*, actor, commission: Commission, reason: str) -> Commission:
    """An admin cancels a commission that was not paid (a paid one is clawed back instead)."""
    roles.require(actor, roles.COMMISSIONS_PAY)
    reason = _require_reason(reason, _("Say why the commission is cancelled."))
    commission = _get_for_update(commission)
    if commission.status == CommissionStatus.PAID or not _out_of_payout(actor=actor, commission=commission):
        raise ValidationError(_("This commission was paid out (or its payout is under way): claw it back instead."),
                              code="paid_use_clawback")
    if commission.status not in OPEN_STATUSES:
        raise ValidationError(_("A commission that is “%(status)s” cannot be cancelled.") % {
            "status": _status_label(commission.status)}, code="not_cancellable")
    return _cancel(actor=actor, commission=commission, code="manual", reason=reason)


def _claw_back(*, actor, commission: Commission, code: str, reason: str, **details) -> Commission | None:
    """The negative commission that takes back a paid one, approved at once so the next payout deducts
    it. One per commission."""
    existing = Commission.objects.filter(kind=CommissionKind.CLAWBACK, reverses=commission).first()
    if existing is not None or commission.amount <= 0:
        return existing
    now = timezone.now()
    approver = actor if getattr(actor, "is_authenticated", False) else None
    clawback = Commission(
        affiliate=commission.affiliate, deal=commission.deal, kind=CommissionKind.CLAWBACK, reverses=commission,
        amount=-commission.amount, currency=commission.currency, rate=commission.rate,
        status=CommissionStatus.APPROVED, approved_at=now, approved_by=approver, period=month_of(now),
        basis={"v": BASIS_VERSION, "kind": CommissionKind.CLAWBACK, "reverses_id": str(commission.pk),
               "reversed_kind": commission.kind, "reversed_period": commission.period.isoformat(),
               "reversed_amount": str(commission.amount), "amount": str(-commission.amount),
               "deal_title": (commission.basis or {}).get("deal_title") or (commission.deal.title
                                                                            if commission.deal else None),
               "code": code, "reason": reason, "at": now.isoformat(), **details})
    clawback.full_clean()
    clawback.save()
    audit_create(actor=actor, instance=clawback)
    return clawback


@transaction.atomic
def commission_clawback(*, actor, commission: Commission, reason: str) -> Commission:
    """An admin claws back a commission that was paid out (deducted from the affiliate's next payout)."""
    roles.require(actor, roles.COMMISSIONS_PAY)
    reason = _require_reason(reason, _("Say why the commission is clawed back."))
    commission = _get_for_update(commission)
    if commission.kind == CommissionKind.CLAWBACK or not (
            commission.status == CommissionStatus.PAID or commission.payout_id):
        raise ValidationError(_("Only a commission that was paid out can be clawed back; cancel an unpaid one."),
                              code="not_paid")
    if Commission.objects.filter(kind=CommissionKind.CLAWBACK, reverses=commission).exists():
        raise ValidationError(_("This commission was already clawed back."), code="already_clawed_back")
    return _claw_back(actor=actor, commission=commission, code="manual", reason=reason)


def _holdable(affiliate: Affiliate):
    return Commission.objects.filter(affiliate=affiliate, status__in=[CommissionStatus.PENDING,
                                                                      CommissionStatus.APPROVED],
                                     payout__isnull=True).exclude(kind=CommissionKind.CLAWBACK)


@transaction.atomic
def hold_all(*, affiliate: Affiliate, reason: str, actor=None) -> int:
    """Hold every commission of the affiliate that could still be paid (a fraud review); returns how
    many were held. New commissions of an affiliate over the risk threshold start held anyway."""
    reason = _require_reason(reason, _("Say why the commissions are held."))
    held = 0
    for commission in _holdable(affiliate).filter(held=False).select_for_update():
        before = snapshot(commission, ["held", "hold_reason"])
        commission.held, commission.hold_reason = True, reason
        commission.save(update_fields=["held", "hold_reason", "updated_at"])
        audit_update(actor=actor, instance=commission, before=before)
        held += 1
    return held


@transaction.atomic
def release_all(*, affiliate: Affiliate, actor=None, reason: str | None = None) -> int:
    """Release the affiliate's held commissions (only those held for `reason`, when given, so a
    manager's own hold on one of them stays); returns how many."""
    released = 0
    held = _holdable(affiliate).filter(held=True)
    if reason:
        held = held.filter(hold_reason=reason)
    for commission in held.select_for_update():
        before = snapshot(commission, ["held", "hold_reason"])
        commission.held, commission.hold_reason = False, ""
        commission.save(update_fields=["held", "hold_reason", "updated_at"])
        audit_update(actor=actor, instance=commission, before=before)
        released += 1
    return released


# --- refunds -----------------------------------------------------------------------------------------

@transaction.atomic
def payment_refunded(payment_id, actor_id=None) -> list[Commission]:
    """A customer's payment was refunded (crm's `payment_refunded` signal): the commissions standing on
    it (its recurring commissions; for the customer's first payment, the deal commissions) are cancelled
    while unpaid, or clawed back once paid out. Idempotent. Returns the cancelled commissions and the
    clawbacks."""
    from dealix.accounts.models import User
    payment = Payment.objects.select_related("customer").filter(pk=payment_id).first()
    if payment is None or payment.status != PaymentStatus.REFUNDED:
        return []
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    customer = payment.customer
    standing = Q(kind=CommissionKind.RECURRING, basis__payment_id=str(payment.pk))
    first = _first_payment(customer)
    if first is not None and first.pk == payment.pk and customer.deal_id:
        standing |= Q(kind=CommissionKind.DEAL, deal_id=customer.deal_id)
    ends = _guarantee_end(customer, customer.deal, current_rules())
    refunded_at = payment.refunded_at or timezone.now()
    details = {"payment_id": str(payment.pk), "payment_period": payment.period.isoformat(),
               "refunded_at": refunded_at.isoformat(), "guarantee_ends": _iso(ends),
               "inside_window": bool(ends and refunded_at <= ends)}
    with _tenant_language():
        reason = _("The customer's payment for %(month)s was refunded.") % {"month": month_words(payment.period)}
    results = []
    for commission in (Commission.objects.filter(standing).select_for_update(of=("self",))
                       .select_related("affiliate", "deal", "payout")):
        if commission.status == CommissionStatus.CANCELLED:
            continue
        if commission.status == CommissionStatus.PAID or not _out_of_payout(actor=actor, commission=commission):
            if Commission.objects.filter(kind=CommissionKind.CLAWBACK, reverses=commission).exists():
                continue
            clawback = _claw_back(actor=actor, commission=commission, code="refund", reason=reason, **details)
            if clawback is not None:
                results.append(clawback)
        elif commission.status in OPEN_STATUSES:
            results.append(_cancel(actor=actor, commission=commission, code="refund", reason=reason, **details))
    return results


# --- the monthly run ---------------------------------------------------------------------------------

@transaction.atomic
def run_monthly(period=None) -> dict:
    """Settle one month (by default the one that just ended): catch up deal commissions the close missed,
    recalculate each affiliate's tier from the month's deals (re-pricing the month's pending deal
    commissions), create the recurring commissions of the month's confirmed payments and the monthly
    bonuses. Idempotent: running it again creates nothing new."""
    period = parse_period(period)
    rules = current_rules()
    _lock("affiliates.run_monthly")
    result = {"period": period.isoformat(), "deal_commissions": _catch_up_deals(period),
              "refunds_settled": _settle_refunds(period)}
    counted = _month_deals(period)
    affiliates = {affiliate.pk: affiliate for affiliate in Affiliate.objects.exclude(status=AffiliateStatus.APPLIED)}
    tiers = {pk: tier_for(len(counted.get(pk, {})), rules) for pk in affiliates}
    result["repriced"] = _reprice(period, tiers, counted, affiliates)
    result["tiers_changed"] = _store_tiers(period, tiers, counted, affiliates)
    result["recurring"] = _recurring(period, tiers, counted, affiliates, rules)
    result["bonuses"] = _bonuses(period, counted, affiliates, rules)
    return result


def monthly_commissions(now_iso: str | None = None) -> dict:
    """The periodic job (dealix.core.schedule): settle the month that has just ended."""
    now = dt.datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    return run_monthly(_previous_month(month_of(now)))


def month_deal_count(affiliate, period=None) -> int:
    """How many of the month's deals count for the affiliate's tier and bonus (see `_deal_ids_in`)."""
    return len(_deal_ids_in(getattr(affiliate, "pk", affiliate), parse_period(period or month_of(timezone.now()))))


def _catch_up_deals(period: dt.date) -> int:
    """Deals won in the month whose attributed affiliates have no deal commission yet (the close failed,
    the attribution was fixed later, a plan was set later): `commissions_for_won_deal` for them."""
    start, end = _month_range(period)
    # A trial or a deal without value never earns: not asked again every month.
    won = (Deal.objects.filter(stage=DealStage.CLOSED_WON, closed_at__gte=start, closed_at__lt=end, value__gt=0)
           .filter(Q(plan__in=PAID_PLANS) | Q(plan="", customers__plan__in=PAID_PLANS)))
    attributed: dict = {}
    live = [AttributionStatus.PENDING, *EARNING_ATTRIBUTIONS]
    for deal_id, affiliate_id in (AffiliateDeal.objects.filter(deal__in=won, status__in=live)
                                  .values_list("deal_id", "affiliate_id")):
        attributed.setdefault(deal_id, set()).add(affiliate_id)
    for deal_id, affiliate_id in (won.filter(lead__attributions__status__in=live,
                                             lead__attributions__deal__isnull=True)
                                  .values_list("id", "lead__attributions__affiliate_id")):
        attributed.setdefault(deal_id, set()).add(affiliate_id)
    have: dict = {}
    for deal_id, affiliate_id in (Commission.objects.filter(kind=CommissionKind.DEAL, deal__in=won)
                                  .values_list("deal_id", "affiliate_id")):
        have.setdefault(deal_id, set()).add(affiliate_id)
    created = 0
    for deal_id, affiliate_ids in attributed.items():
        if affiliate_ids - have.get(deal_id, set()):
            made = commissions_for_won_deal(deal_id)
            created += sum(1 for commission in made if commission.affiliate_id not in have.get(deal_id, set()))
    return created


def _settle_refunds(period: dt.date) -> int:
    """Refunds of this month and the one before, settled again (a no-op for those the signal settled):
    a commission must not stay payable because the refund's receiver failed."""
    start, end = _month_range(_previous_month(period))[0], _month_range(period)[1]
    settled = 0
    for payment_id in Payment.objects.filter(status=PaymentStatus.REFUNDED, refunded_at__gte=start,
                                             refunded_at__lt=end).values_list("pk", flat=True):
        settled += len(payment_refunded(payment_id))
    return settled


def _month_deals(period: dt.date) -> dict:
    """{affiliate_id: {deal_id: guarantee_ends}} of the month's deals that count (not cancelled)."""
    counted: dict = {}
    rows = (Commission.objects.filter(kind=CommissionKind.DEAL, period=period)
            .exclude(status=CommissionStatus.CANCELLED)
            .values_list("affiliate_id", "deal_id", "basis__guarantee_ends"))
    for affiliate_id, deal_id, ends in rows:
        counted.setdefault(affiliate_id, {})[deal_id] = ends
    return counted


def _reprice(period, tiers, counted, affiliates) -> int:
    """The month's pending deal commissions at the tier the whole month reached (and the attributions'
    commission amounts with them)."""
    changed, audits, amounts = {}, [], {}
    pending = (Commission.objects.filter(kind=CommissionKind.DEAL, period=period, status=CommissionStatus.PENDING)
               .select_for_update(of=("self",)))
    for commission in pending:
        basis = commission.basis or {}
        affiliate = affiliates.get(commission.affiliate_id)
        tier = tiers.get(commission.affiliate_id)
        if affiliate is None or tier is None or basis.get("tier") == tier or not basis.get("plan"):
            continue
        rate, rate_basis = _rate_for(affiliate, tier=tier, plan=basis["plan"])
        amount = _amount(_decimal(basis.get("attributed_revenue")), rate)
        new_basis = {**basis, "tier": tier, "deals_in_month": len(counted.get(commission.affiliate_id, {})),
                     "tier_from": _tier_threshold(tier), "tier_settled": True, **rate_basis, "amount": str(amount)}
        changed[commission.pk] = (amount, rate, new_basis)
        audits.append(_audit_row(AuditAction.UPDATE, Commission._meta.label_lower, commission.pk, {
            "amount": [str(commission.amount), str(amount)], "rate": [str(commission.rate), str(rate)],
            "basis": [basis, new_basis]}))
        if commission.deal_id:
            amounts[(commission.affiliate_id, commission.deal_id)] = amount
    _update_rows(Commission, ("amount", "rate", "basis"), changed)
    attributions = {}
    for pk, affiliate_id, deal_id, old in (AffiliateDeal.objects.filter(deal_id__in={deal for _aff, deal in amounts})
                                           .values_list("pk", "affiliate_id", "deal_id", "commission_amount")):
        new = amounts.get((affiliate_id, deal_id))
        if new is not None and new != old:
            attributions[pk] = (new,)
            audits.append(_audit_row(AuditAction.UPDATE, AffiliateDeal._meta.label_lower, pk,
                                     {"commission_amount": [str(old), str(new)]}))
    _update_rows(AffiliateDeal, ("commission_amount",), attributions)
    _insert(AuditLog, audits, audited=False)
    return len(changed)


def _store_tiers(period, tiers, counted, affiliates) -> int:
    """The affiliate's tier is the one its latest month reached; re-running an older month leaves it."""
    if period < _previous_month(month_of(timezone.now())):
        return 0
    changed = [(pk, affiliate.tier, tiers[pk]) for pk, affiliate in affiliates.items() if affiliate.tier != tiers[pk]]
    for tier in {new for _pk, _old, new in changed}:
        Affiliate.objects.filter(pk__in=[pk for pk, _old, new in changed if new == tier]).update(
            tier=tier, updated_at=timezone.now())
    _insert(AuditLog, [_audit_row(AuditAction.UPDATE, Affiliate._meta.label_lower, pk, {
        "tier": [old, new], "period": period.isoformat(), "deals_closed": len(counted.get(pk, {}))})
        for pk, old, new in changed], audited=False)
    for pk, _old, new in changed:
        affiliates[pk].tier = new
    return len(changed)


def _recurring(period, tiers, counted, affiliates, rules) -> int:
    """A recurring commission for each confirmed payment of the month by a customer whose deal is
    attributed, on the part of the payment beyond what the deal commission paid on."""
    confirmed = Payment.objects.filter(status=PaymentStatus.CONFIRMED)
    paid_before = (confirmed.filter(customer=OuterRef("customer"), period__lt=period).order_by()
                   .values("customer").annotate(total=Sum("amount")).values("total"))
    payments = list(confirmed.filter(period=period, customer__deal__isnull=False)
                    .annotate(paid_before=Coalesce(Subquery(paid_before), ZERO))
                    .values("id", "amount", "paid_before", "customer_id", "customer__deal_id", "customer__plan",
                            "customer__deal__plan", "customer__activated_at", "customer__cancelled_at",
                            "customer__deal__closed_at", "customer__deal__title", "currency"))
    if not payments:
        return 0
    deal_ids = Payment.objects.filter(status=PaymentStatus.CONFIRMED, period=period).values("customer__deal_id")
    attributions: dict = {}
    for row in (AffiliateDeal.objects.filter(deal_id__in=deal_ids, status__in=EARNING_ATTRIBUTIONS)
                .values("id", "affiliate_id", "deal_id", "share_percent")):
        attributions.setdefault(row["deal_id"], []).append(row)
    covered = {(affiliate_id, deal_id): _decimal(revenue) for affiliate_id, deal_id, revenue in
               Commission.objects.filter(kind=CommissionKind.DEAL, deal_id__in=deal_ids)
               .exclude(status=CommissionStatus.CANCELLED).values_list("affiliate_id", "deal_id", "basis__revenue")}
    existing = set(Commission.objects.filter(kind=CommissionKind.RECURRING, period=period)
                   .values_list("affiliate_id", "deal_id"))
    holds = {pk: _automatic_hold(affiliate, rules) for pk, affiliate in affiliates.items()
             if affiliate.status == AffiliateStatus.SUSPENDED or affiliate.risk_score > rules.fraud_risk_suspend_over}
    days = dt.timedelta(days=rules.guarantee_days)
    rates: dict = {}
    made = []
    for payment in payments:
        deal_id = payment["customer__deal_id"]
        plan = payment["customer__plan"] or payment["customer__deal__plan"] or ""
        cancelled = payment["customer__cancelled_at"]
        if plan not in PAID_PLANS or (cancelled is not None and period > month_of(cancelled)):
            continue
        activated = payment["customer__activated_at"] or payment["customer__deal__closed_at"]
        ends = activated + days if activated else None
        amount_paid, before = Decimal(payment["amount"]), Decimal(payment["paid_before"])
        for attribution in attributions.get(deal_id, ()):
            affiliate_id = attribution["affiliate_id"]
            affiliate = affiliates.get(affiliate_id)
            if affiliate is None or affiliate.status == AffiliateStatus.TERMINATED:
                continue
            if (affiliate_id, deal_id) in existing:
                continue
            deal_covers = covered.get((affiliate_id, deal_id), ZERO)
            revenue = money(min(amount_paid, max(ZERO, before + amount_paid - deal_covers)))
            if revenue <= 0:
                continue
            share = Decimal(attribution["share_percent"])
            attributed = money(revenue * share / 100)
            tier = tiers.get(affiliate_id, Tier.BRONZE)
            if (affiliate_id, tier, plan) not in rates:
                rates[(affiliate_id, tier, plan)] = _rate_for(affiliate, tier=tier, plan=plan)
            rate, rate_basis = rates[(affiliate_id, tier, plan)]
            amount = _amount(attributed, rate)
            if amount <= 0:
                continue
            basis = {
                "v": BASIS_VERSION, "kind": CommissionKind.RECURRING, "deal_id": str(deal_id),
                "deal_title": payment["customer__deal__title"], "attribution_id": str(attribution["id"]),
                "customer_id": str(payment["customer_id"]), "payment_id": str(payment["id"]),
                "payment_amount": str(money(amount_paid)), "paid_before": str(money(before)),
                "deal_covers": str(money(deal_covers)), "revenue": str(revenue), "share_percent": str(share),
                "attributed_revenue": str(attributed), "plan": plan, "tier": tier,
                "deals_in_month": len(counted.get(affiliate_id, {})), "tier_from": _tier_threshold(tier, rules),
                **rate_basis, "amount": str(amount), "period": period.isoformat(), "guarantee_ends": _iso(ends),
            }
            hold = holds.get(affiliate_id, "")
            made.append({"affiliate_id": affiliate_id, "deal_id": deal_id, "kind": CommissionKind.RECURRING,
                         "amount": amount, "currency": payment["currency"], "rate": rate, "period": period,
                         "basis": basis, "status": CommissionStatus.PENDING, "held": bool(hold), "hold_reason": hold})
            existing.add((affiliate_id, deal_id))
    return _insert(Commission, made)


def _bonuses(period, counted, affiliates, rules) -> int:
    """The month's bonus: the highest threshold reached, one per affiliate and month (raised, while
    pending, when a late deal lifts it)."""
    existing = {commission.affiliate_id: commission for commission in
                Commission.objects.filter(kind=CommissionKind.BONUS, period=period).select_for_update()}
    made, raised = [], 0
    for affiliate_id, deals in counted.items():
        affiliate = affiliates.get(affiliate_id)
        reached = _bonus_for(len(deals), rules)
        if affiliate is None or reached is None or affiliate.status == AffiliateStatus.TERMINATED:
            continue
        threshold, bonus = reached
        ends = _iso(max((moment for moment in map(_parse_moment, deals.values()) if moment), default=None))
        basis = {"v": BASIS_VERSION, "kind": CommissionKind.BONUS, "deals_in_month": len(deals),
                 "threshold": threshold, "bonus": str(money(bonus)), "amount": str(money(bonus)),
                 "deal_ids": sorted(str(deal_id) for deal_id in deals), "period": period.isoformat(),
                 "guarantee_ends": ends}
        current = existing.get(affiliate_id)
        if current is not None:
            if current.status == CommissionStatus.PENDING and current.amount < money(bonus):
                before = snapshot(current, ["amount", "basis"])
                current.amount, current.basis = money(bonus), basis
                current.save(update_fields=["amount", "basis", "updated_at"])
                audit_update(actor=None, instance=current, before=before)
                raised += 1
            continue
        hold = _automatic_hold(affiliate, rules)
        made.append({"affiliate_id": affiliate_id, "kind": CommissionKind.BONUS, "amount": money(bonus),
                     "currency": rules.currency, "rate": ZERO, "period": period, "basis": basis,
                     "status": CommissionStatus.PENDING, "held": bool(hold), "hold_reason": hold})
    return _insert(Commission, made) + raised


# --- the basis in words ------------------------------------------------------------------------------

def _sar(value) -> str:
    from dealix.core.templatetags.dealix import sar
    return sar(_decimal(value))


def _percent(value) -> str:
    return f"{_decimal(value).normalize():f} %"


def _label(choices, value) -> str:
    return str(dict(choices.choices).get(value, value or "—"))


def basis_lines(commission: Commission, known: Known | None = None) -> list[str]:
    """The commission's basis as sentences in the active language: every riyal explained."""
    known = known or _Ask
    basis = commission.basis or {}
    kind = commission.kind
    if not basis:
        return [_("Recorded without a basis (entered by hand or imported): %(amount)s at %(rate)s.") % {
            "amount": _sar(commission.amount), "rate": _percent(commission.rate)}]
    lines = []
    if kind in (CommissionKind.DEAL, CommissionKind.RECURRING):
        if kind == CommissionKind.DEAL:
            lines.append(_("Won deal “%(deal)s”: value %(revenue)s.") % {
                "deal": basis.get("deal_title") or commission.deal, "revenue": _sar(basis.get("revenue"))})
        else:
            lines.append(_("Payment for %(month)s: %(paid)s.") % {
                "month": month_words(basis.get("period") or commission.period),
                "paid": _sar(basis.get("payment_amount"))})
            if _decimal(basis.get("deal_covers")) > 0:
                lines.append(_("The deal commission was paid on %(covers)s and the customer had paid %(before)s "
                               "before this month, so %(revenue)s of this payment earns.") % {
                    "covers": _sar(basis.get("deal_covers")), "before": _sar(basis.get("paid_before")),
                    "revenue": _sar(basis.get("revenue"))})
        lines.append(_("Share %(share)s → attributed revenue %(attributed)s.") % {
            "share": _percent(basis.get("share_percent", 100)), "attributed": _sar(basis.get("attributed_revenue"))})
        tier = basis.get("tier")
        deals = int(basis.get("deals_in_month") or 0)
        lines.append(ngettext("Plan %(plan)s, tier %(tier)s (%(deals)d deal closed in %(month)s; %(tier)s from "
                              "%(from)d).",
                              "Plan %(plan)s, tier %(tier)s (%(deals)d deals closed in %(month)s; %(tier)s from "
                              "%(from)d).", deals) % {
            "plan": _label(CustomerPlan, basis.get("plan")), "tier": _label(Tier, tier), "deals": deals,
            "from": int(basis.get("tier_from") or 0), "month": month_words(basis.get("period") or commission.period)})
        if basis.get("rate_source") == "agreed":
            lines.append(_("Rate %(rate)s: the affiliate's agreed rate, above the table's %(table)s.") % {
                "rate": _percent(basis.get("rate")), "table": _percent(basis.get("table_rate"))})
        else:
            lines.append(_("Rate %(rate)s from the commission table.") % {"rate": _percent(basis.get("rate"))})
        lines.append(_("%(attributed)s × %(rate)s = %(amount)s.") % {
            "attributed": _sar(basis.get("attributed_revenue")), "rate": _percent(basis.get("rate")),
            "amount": _sar(commission.amount)})
    elif kind == CommissionKind.BONUS:
        lines.append(_("Monthly bonus: %(deals)d deals closed in %(month)s reached the %(threshold)d-deal level: "
                       "%(amount)s.") % {
            "deals": int(basis.get("deals_in_month") or 0), "threshold": int(basis.get("threshold") or 0),
            "month": month_words(basis.get("period") or commission.period), "amount": _sar(commission.amount)})
    elif kind == CommissionKind.CLAWBACK:
        lines.append(_("Claws back %(amount)s paid for %(month)s%(deal)s: %(reason)s") % {
            "amount": _sar(basis.get("reversed_amount") or -commission.amount),
            "month": month_words(basis.get("reversed_period") or commission.period),
            "deal": f" ({basis['deal_title']})" if basis.get("deal_title") else "",
            "reason": basis.get("reason") or ""})
        lines.append(_("Deducted from the next payout."))
    ends = _parse_moment(basis.get("guarantee_ends"))
    if ends is not None and kind != CommissionKind.CLAWBACK:
        lines.append(_("Guarantee window ends %(date)s.") % {"date": _date_words(ends)})
    if kind in (CommissionKind.DEAL, CommissionKind.RECURRING):
        if basis.get("payment_id"):
            payment = known.payment(basis["payment_id"])
            if payment is not None:
                lines.append(_("Stands on the payment for %(month)s (%(status)s).") % {
                    "month": month_words(payment.period), "status": payment.get_status_display().lower()})
        else:
            # The basis names its payment once a manager approves; until then, look the payment up.
            first = (known.first_payment(known.customer(commission.deal_id))
                     if kind == CommissionKind.DEAL and commission.deal_id else None)
            if first is not None:
                lines.append(_("Stands on the payment for %(month)s (%(status)s).") % {
                    "month": month_words(first.period), "status": first.get_status_display().lower()})
            else:
                lines.append(_("Waiting for the customer's first payment."))
    cancelled = basis.get("cancelled")
    if cancelled:
        lines.append(_("Cancelled: %(reason)s") % {"reason": cancelled.get("reason", "")})
    return lines
