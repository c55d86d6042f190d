"""Staff pages of the programme's performance and fraud review: the leaderboard by month (with who is
eligible for hiring) and the risk review page. Everyone who sees the programme reads them; managers and
up (roles.COMMISSIONS_APPROVE) review signals and release held commissions."""
from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from affiliates import fraud, performance
from affiliates.choices import CommissionStatus
from affiliates.models import Affiliate, RiskSignal
from dealix.accounts import roles
from dealix.tenancy.rules import current_rules

LEADERBOARD_SIZE = 20
MONTHS_OFFERED = 24
OPEN_SIGNALS_SHOWN = 100
REVIEWED_SHOWN = 20


class MonthForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("Month"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = performance.month_of()
        self.fields["period"].choices = [
            (f"{month:%Y-%m}", formats.date_format(month, "YEAR_MONTH_FORMAT"))
            for month in (performance.add_months(current, -offset) for offset in range(MONTHS_OFFERED))]
        self.fields["period"].error_messages["invalid_choice"] = gettext_lazy(
            "Choose one of the months in the list.")

    def chosen_month(self) -> datetime.date:
        """The chosen month; the current one when none (or a wrong one) was chosen."""
        if self.is_bound and self.is_valid() and self.cleaned_data.get("period"):
            return performance.month_of(self.cleaned_data["period"])
        return performance.month_of()


@roles.capability_required(roles.AFFILIATES_VIEW)
def leaderboard(request):
    form = MonthForm(request.GET if "period" in request.GET else None)
    period = form.chosen_month()
    context = {
        "form": form, "period": period, "rows": performance.leaderboard(period, limit=LEADERBOARD_SIZE),
        "eligible": Affiliate.objects.filter(hiring_eligible_at__isnull=False).order_by("-hiring_eligible_at"),
        "rules": current_rules(),
    }
    if request.htmx and not request.htmx.boosted:
        response = render(request, "affiliates/performance/partials/leaderboard_table.html", context)
    else:
        response = render(request, "affiliates/performance/leaderboard.html", context,
                          status=400 if form.errors else 200)
    response.headers["Vary"] = "HX-Request"
    return response


# --- the risk review -------------------------------------------------------------------------------

class ReviewForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("What you found"), widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=2000)
    decision = forms.ChoiceField(choices=[("dismiss", gettext_lazy("Dismiss")), ("confirm", gettext_lazy("Confirm"))])


def _signal_rows(signals, bound: dict) -> list[dict]:
    return [{"signal": signal, "lines": fraud.describe(signal), "related": fraud.evidence_lead_ids(signal),
             "form": bound.get(signal.pk) or ReviewForm(prefix=f"signal-{signal.pk}")} for signal in signals]


def _risk_page(request, *, bound: dict | None = None, status: int = 200):
    rules = current_rules()
    open_signals = RiskSignal.objects.filter(reviewed_at__isnull=True).select_related("affiliate", "lead")
    chosen = None
    if request.GET.get("affiliate"):
        try:
            chosen = Affiliate.objects.filter(pk=request.GET["affiliate"]).first()
        except ValidationError:
            chosen = None
        if chosen is not None:
            open_signals = open_signals.filter(affiliate=chosen)
    waiting = RiskSignal.objects.filter(affiliate=OuterRef("pk"), reviewed_at__isnull=True)
    watched = (Affiliate.objects.filter(Q(risk_score__gt=0) | Exists(waiting))
               .annotate(held_count=Count("commissions", distinct=True, filter=Q(
                   commissions__held=True, commissions__status__in=[CommissionStatus.PENDING, CommissionStatus.APPROVED])))
               .order_by("-risk_score", "full_name"))
    reviewed = (RiskSignal.objects.filter(reviewed_at__isnull=False).select_related("affiliate", "lead", "reviewed_by")
                .order_by("-reviewed_at")[:REVIEWED_SHOWN])
    return render(request, "affiliates/performance/risk.html", {
        "signals": _signal_rows(open_signals.order_by("-created_at")[:OPEN_SIGNALS_SHOWN], bound or {}),
        "chosen": chosen, "watched": watched, "reviewed": reviewed, "limit": rules.fraud_risk_suspend_over,
        "can_review": roles.can(request.user, roles.COMMISSIONS_APPROVE),
    }, status=status)


@roles.capability_required(roles.AFFILIATES_VIEW)
def risk(request):
    return _risk_page(request)


@require_POST
@roles.capability_required(roles.COMMISSIONS_APPROVE)
def risk_review(request, pk):
    signal = get_object_or_404(RiskSignal, pk=pk)
    form = ReviewForm(request.POST, prefix=f"signal-{signal.pk}")
    if form.is_valid():
        try:
            fraud.review_signal(actor=request.user, signal=signal, note=form.cleaned_data["note"],
                                confirm=form.cleaned_data["decision"] == "confirm")
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            signal.affiliate.refresh_from_db()
            messages.success(request, _("Signal reviewed. %(name)s's risk score is now %(score)s.") % {
                "name": signal.affiliate.full_name, "score": signal.affiliate.risk_score})
            return redirect(reverse("affiliates:risk") + (f"?affiliate={request.GET['affiliate']}"
                                                          if request.GET.get("affiliate") else ""))
    return _risk_page(request, bound={signal.pk: form}, status=400)


@require_POST
@roles.capability_required(roles.COMMISSIONS_APPROVE)
def risk_release(request, pk):
    affiliate = get_object_or_404(Affiliate, pk=pk)
    try:
        released = fraud.release_held(actor=request.user, affiliate=affiliate)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(count)s held commissions of %(name)s released.") % {
            "count": released, "name": affiliate.full_name})
    return redirect("affiliates:risk")
