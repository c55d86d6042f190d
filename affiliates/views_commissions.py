"""The commissions as staff see them (RULES.md §6): every commission with its basis in words, filters and
totals; managers approve, hold and release, admins cancel and claw back, refund the payment behind one,
and a manager may settle a month on demand. Each action asks its capability here and again in the
service, and comes back as one refreshed row (htmx) or the list with a message."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from affiliates import commissions
from affiliates.choices import AffiliateStatus, CommissionKind, CommissionStatus, PayoutStatus
from affiliates.models import Affiliate, Commission
from crm import services as crm_services
from crm.choices import PaymentStatus
from crm.models import Payment
from dealix.accounts import roles
from dealix.core.audit import audit
from dealix.core.choices import AuditAction
from dealix.core.http import safe_next
from dealix.core.listing import keyset_page

ORDERING = ("-period", "-created_at", "-id")
HELD_CHOICES = [("", gettext_lazy("Held or not")), ("yes", gettext_lazy("On hold")), ("no", gettext_lazy("Not held"))]


class MonthInput(forms.TextInput):
    input_type = "month"


class CommissionFilters(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=[("", gettext_lazy("Every status")), *CommissionStatus.choices])
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False,
                             choices=[("", gettext_lazy("Every kind")), *CommissionKind.choices])
    affiliate = forms.ModelChoiceField(label=gettext_lazy("Affiliate"), required=False,
                                       empty_label=gettext_lazy("Every affiliate"), queryset=Affiliate.objects.none())
    period = forms.CharField(label=gettext_lazy("Month"), required=False,
                             widget=MonthInput(attrs={"placeholder": "YYYY-MM"}))
    held = forms.ChoiceField(label=gettext_lazy("On hold"), required=False, choices=HELD_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["affiliate"].queryset = (Affiliate.objects.exclude(status=AffiliateStatus.APPLIED)
                                             .order_by("full_name").only("id", "full_name", "referral_code"))

    def clean_period(self):
        value = (self.cleaned_data.get("period") or "").strip()
        return _month(value) if value else None


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000)


class RunForm(forms.Form):
    period = forms.CharField(label=gettext_lazy("Month"), widget=MonthInput)

    def clean_period(self):
        period = _month(self.cleaned_data["period"])
        if period >= commissions.month_of(timezone.now()):
            raise ValidationError(_("A month can be settled once it has ended."), code="period_not_ended")
        return period


def _month(value: str) -> dt.date:
    try:
        return commissions.parse_period(value)
    except ValidationError:
        raise ValidationError(_("Give a month as YYYY-MM."), code="period_invalid") from None


def _with_related(queryset):
    return queryset.select_related("affiliate", "deal", "payout", "approved_by", "reverses").annotate(
        clawed_back=Exists(Commission.objects.filter(kind=CommissionKind.CLAWBACK, reverses=OuterRef("pk"))))


def _filtered(form: CommissionFilters):
    queryset = Commission.objects.all()
    if not form.is_valid():
        return queryset
    data = form.cleaned_data
    if data.get("status"):
        queryset = queryset.filter(status=data["status"])
    if data.get("kind"):
        queryset = queryset.filter(kind=data["kind"])
    if data.get("affiliate"):
        queryset = queryset.filter(affiliate=data["affiliate"])
    if data.get("period"):
        queryset = queryset.filter(period=data["period"])
    if data.get("held") in ("yes", "no"):
        queryset = queryset.filter(held=data["held"] == "yes")
    return queryset


def _totals(queryset) -> list[dict]:
    by_status = {row["status"]: row for row in
                 queryset.order_by().values("status").annotate(count=Count("id"), total=Sum("amount"))}
    return [{"status": value, "label": label, "count": by_status.get(value, {}).get("count", 0),
             "total": by_status.get(value, {}).get("total") or 0} for value, label in CommissionStatus.choices]


def _payment_behind(commission: Commission, known: commissions.Known):
    """The payment a commission stands on (see affiliates.commissions), for the refund action."""
    if commission.kind == CommissionKind.RECURRING:
        return known.payment((commission.basis or {}).get("payment_id"))
    if commission.kind == CommissionKind.DEAL:
        return known.first_payment(known.customer(commission.deal_id))
    return None


def _rows(request, commissions_on_page: list[Commission]) -> list[dict]:
    """Each commission with its basis in words, whether it can be approved (and why not), and which
    actions the user may take on it. A few grouped queries for the page, not a few per row."""
    user = request.user
    known = commissions.Known(commissions_on_page)
    can_approve, can_pay = roles.can(user, roles.COMMISSIONS_APPROVE), roles.can(user, roles.COMMISSIONS_PAY)
    can_refund = roles.can(user, roles.REFUNDS_PROCESS)
    rows = []
    for commission in commissions_on_page:
        payout_not_sent = commission.payout_id is None or commission.payout.status == PayoutStatus.PENDING
        open_ = commission.status in (CommissionStatus.PENDING, CommissionStatus.APPROVED) and payout_not_sent
        paid_out = commission.status == CommissionStatus.PAID or not payout_not_sent
        approvable, why_not = (commissions.approvable(commission, known=known)
                               if commission.status == CommissionStatus.PENDING else (False, ""))
        payment = _payment_behind(commission, known)
        rows.append({
            "commission": commission, "lines": commissions.basis_lines(commission, known=known),
            "approvable": approvable, "why_not": why_not,
            "can_approve": can_approve and commission.status == CommissionStatus.PENDING,
            "can_hold": can_approve and open_ and not commission.held,
            "can_release": can_approve and commission.held,
            "can_cancel": can_pay and commission.status in commissions.OPEN_STATUSES and not paid_out,
            "can_clawback": (can_pay and paid_out and commission.kind != CommissionKind.CLAWBACK
                             and not getattr(commission, "clawed_back", False)),
            "payment": payment,
            "can_refund": can_refund and payment is not None and payment.status == PaymentStatus.CONFIRMED,
        })
    return rows


def _list_context(request) -> dict:
    form = CommissionFilters(request.GET or None)
    queryset = _filtered(form)
    page = keyset_page(_with_related(queryset), ordering=ORDERING, cursor=request.GET.get("cursor"))
    query = request.GET.copy()
    query.pop("cursor", None)
    return {
        "form": form, "page": page, "rows": _rows(request, page.rows), "totals": _totals(queryset),
        "query": query.urlencode(),
        "run_form": RunForm(initial={"period": commissions.parse_period().strftime("%Y-%m")}),
        "can_run": roles.can(request.user, roles.COMMISSIONS_APPROVE),
    }


@roles.capability_required(roles.AFFILIATES_VIEW)
def commission_list(request):
    context = _list_context(request)
    template = ("affiliates/commissions/partials/commission_table.html" if request.htmx and not request.htmx.boosted
                else "affiliates/commissions/list.html")
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


def _respond(request, commission: Commission, *, error: str = "", done: str = ""):
    """One refreshed row for htmx; otherwise back to the list with a message."""
    if request.htmx:
        fresh = _with_related(Commission.objects.filter(pk=commission.pk)).get()
        [row] = _rows(request, [fresh])
        return render(request, "affiliates/commissions/partials/commission_row.html",
                      {"row": row, "error": error, "done": done})
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    return redirect(safe_next(request, "affiliates:commissions"))


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


def _act(request, pk, action, done, *, needs_reason: bool = False):
    commission = get_object_or_404(Commission.objects.select_related("affiliate", "deal"), pk=pk)
    kwargs = {}
    if needs_reason:
        form = ReasonForm(request.POST)
        if not form.is_valid():
            return _respond(request, commission, error=_("Give a reason."))
        kwargs["reason"] = form.cleaned_data["reason"]
    try:
        action(actor=request.user, commission=commission, **kwargs)
    except ValidationError as error:
        return _respond(request, commission, error=_errors(error))
    return _respond(request, commission, done=done)


@require_POST
@roles.capability_required(roles.COMMISSIONS_APPROVE)
def commission_approve(request, pk):
    return _act(request, pk, commissions.commission_approve, _("Commission approved."))


@require_POST
@roles.capability_required(roles.COMMISSIONS_APPROVE)
def commission_hold(request, pk):
    return _act(request, pk, commissions.commission_hold, _("Commission held."), needs_reason=True)


@require_POST
@roles.capability_required(roles.COMMISSIONS_APPROVE)
def commission_release(request, pk):
    return _act(request, pk, commissions.commission_release, _("Hold released."))


@require_POST
@roles.capability_required(roles.COMMISSIONS_PAY)
def commission_cancel(request, pk):
    return _act(request, pk, commissions.commission_cancel, _("Commission cancelled."), needs_reason=True)


@require_POST
@roles.capability_required(roles.COMMISSIONS_PAY)
def commission_clawback(request, pk):
    return _act(request, pk, commissions.commission_clawback,
                _("Clawed back: the amount is deducted from the affiliate's next payout."), needs_reason=True)


def _back_to_list(request):
    target = safe_next(request, "affiliates:commissions")
    if request.htmx:
        response = HttpResponse()
        response["HX-Redirect"] = target
        return response
    return redirect(target)


@require_POST
@roles.capability_required(roles.REFUNDS_PROCESS)
def payment_refund(request, pk):
    """Refund the customer's payment behind a commission; the commission engine then cancels or claws
    back what was earned on it (after commit, through crm's `payment_refunded` signal)."""
    payment = get_object_or_404(Payment, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason."))
        return _back_to_list(request)
    try:
        crm_services.payment_refund(actor=request.user, payment=payment, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("Payment refunded; the commissions earned on it were cancelled or clawed back."))
    return _back_to_list(request)


@require_POST
@roles.capability_required(roles.COMMISSIONS_APPROVE)
def commissions_run(request):
    """Settle a month now (the scheduled run does it on the 1st): tiers, recurring commissions, bonuses."""
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        return _back_to_list(request)
    period: dt.date = form.cleaned_data["period"]
    result = commissions.run_monthly(period)
    audit(actor=request.user, action=AuditAction.UPDATE, entity_type="affiliates.commission_run",
          changes={key: value for key, value in result.items()})
    messages.success(request, _("%(month)s settled: %(deal)d deal commissions caught up, %(recurring)d recurring, "
                                "%(bonuses)d bonuses, %(repriced)d re-priced at the month's tier, %(tiers)d tiers "
                                "changed, %(refunds)d refunds settled.") % {
        "month": commissions.month_words(period), "deal": result["deal_commissions"],
        "recurring": result["recurring"], "bonuses": result["bonuses"], "repriced": result["repriced"],
        "tiers": result["tiers_changed"], "refunds": result["refunds_settled"]})
    return redirect(reverse("affiliates:commissions") + f"?period={period:%Y-%m}")
