"""The programme as staff see it: the home with its counts and the way to every staff page, the queue of
applications, the affiliates list and one affiliate's record with the decisions a manager takes.
Reading needs AFFILIATES_VIEW (managers and up, and viewers); each decision asks its own capability,
in the view and again in the service."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from affiliates import applications
from affiliates.choices import AffiliateStatus, CommissionStatus, DisputeStatus, PayoutStatus, Tier
from affiliates.models import Affiliate, Commission, Dispute, Payout
from dealix.accounts import roles
from dealix.core.entity_list import filter_by_search
from dealix.core.http import safe_next
from dealix.core.models import AuditLog
from dealix.tenancy.rules import current_rules

PER_PAGE = 50

# The programme's staff pages, each owned by its own module; a page not built yet is left out of the menu.
STAFF_PAGES = [
    ("affiliates:applications", gettext_lazy("Applications"), "inbox",
     gettext_lazy("People who asked to join, with their evaluation.")),
    ("affiliates:affiliate_list", gettext_lazy("Affiliates"), "people",
     gettext_lazy("Every partner, their status, tier and risk.")),
    ("affiliates:commissions", gettext_lazy("Commissions"), "cash-coin",
     gettext_lazy("Approve, hold or cancel what partners earned.")),
    ("affiliates:payouts", gettext_lazy("Payouts"), "bank",
     gettext_lazy("Monthly batches, bank transfers and statements.")),
    ("affiliates:disputes", gettext_lazy("Disputes"), "chat-left-dots",
     gettext_lazy("Partners' objections and appeals, with their deadlines.")),
    ("affiliates:attribution_conflicts", gettext_lazy("Attribution conflicts"), "diagram-3",
     gettext_lazy("Leads claimed by more than one partner; splits.")),
    ("affiliates:leaderboard", gettext_lazy("Leaderboard"), "trophy",
     gettext_lazy("Monthly performance and tiers.")),
    ("affiliates:risk", gettext_lazy("Risk review"), "shield-exclamation",
     gettext_lazy("Fraud signals and held commissions.")),
]


def _staff_pages() -> list[dict]:
    pages = []
    for name, label, icon, description in STAFF_PAGES:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        pages.append({"name": name, "url": url, "label": label, "icon": icon, "description": description})
    return pages


@roles.capability_required(roles.AFFILIATES_VIEW)
def index(request):
    counts = applications.programme_counts()
    counts.update(
        commissions_pending=Commission.objects.filter(status=CommissionStatus.PENDING).count(),
        payouts_pending=Payout.objects.filter(status__in=(PayoutStatus.PENDING, PayoutStatus.PROCESSING)).count(),
        disputes_open=Dispute.objects.filter(
            status__in=(DisputeStatus.OPEN, DisputeStatus.UNDER_REVIEW, DisputeStatus.ESCALATED)).count(),
    )
    return render(request, "affiliates/staff/index.html", {
        "counts": counts, "pages": _staff_pages(),
        "latest": list(applications.open_applications().order_by("-created_at")[:5]),
        "apply_url": request.build_absolute_uri(reverse("affiliates:apply")),
    })


class ApproveForm(forms.Form):
    tier = forms.ChoiceField(label=gettext_lazy("Tier"), choices=Tier.choices, initial=Tier.BRONZE)
    commission_rate = forms.DecimalField(label=gettext_lazy("Commission rate (%)"), required=False, min_value=0,
                                         max_value=100, decimal_places=2,
                                         help_text=gettext_lazy("Leave empty for the tier's base rate."))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ReinstateForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("What the review found"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


def _decision_context(request) -> dict:
    user = request.user
    return {
        "can_manage": roles.can(user, applications.MANAGE),
        "can_reinstate": roles.can(user, applications.REINSTATE),
        "tiers": Tier.choices,
    }


@roles.capability_required(roles.AFFILIATES_VIEW)
def application_list(request):
    queue = [(affiliate, applications.evaluation_rows(affiliate)) for affiliate in applications.open_applications()]
    return render(request, "affiliates/staff/applications.html", {"queue": queue, **_decision_context(request)})


def _affiliates(request):
    queryset = Affiliate.objects.annotate(
        attribution_count=Count("attributions", distinct=True),
    )
    status = request.GET.get("status", "")
    if status == "rejected":
        queryset = queryset.filter(rejected_at__isnull=False)
    elif status in AffiliateStatus.values:
        queryset = queryset.filter(status=status)
        if status == AffiliateStatus.TERMINATED:
            queryset = queryset.filter(rejected_at__isnull=True)
    tier = request.GET.get("tier", "")
    if tier in Tier.values:
        queryset = queryset.filter(tier=tier)
    if request.GET.get("at_risk"):
        queryset = queryset.filter(risk_score__gt=current_rules().fraud_risk_suspend_over)
    queryset = filter_by_search(queryset, request.GET.get("q", ""))
    return queryset.order_by("full_name", "id")


def _earned(affiliates: list[Affiliate]) -> dict:
    """Commission totals by affiliate, for one page of the list (one query)."""
    rows = (Commission.objects.filter(affiliate__in=affiliates)
            .values("affiliate_id")
            .annotate(earned=Sum("amount", filter=Q(status__in=(CommissionStatus.PENDING, CommissionStatus.APPROVED,
                                                                   CommissionStatus.PAID))),
                      paid=Sum("amount", filter=Q(status=CommissionStatus.PAID)))
            .order_by())
    return {row["affiliate_id"]: row for row in rows}


@roles.capability_required(roles.AFFILIATES_VIEW)
def affiliate_list(request):
    page = Paginator(_affiliates(request), PER_PAGE).get_page(request.GET.get("page"))
    earned = _earned(list(page.object_list))
    rows = [(affiliate, earned.get(affiliate.pk, {})) for affiliate in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page, "rows": rows, "query": query.urlencode(),
        "statuses": [*AffiliateStatus.choices, ("rejected", _("Rejected applications"))],
        "tiers": Tier.choices, "selected": request.GET,
        "risk_over": current_rules().fraud_risk_suspend_over,
    }
    template = ("affiliates/staff/partials/affiliate_table.html" if request.htmx and not request.htmx.boosted
                else "affiliates/staff/affiliate_list.html")
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


def _history(affiliate: Affiliate) -> list[dict]:
    """Status changes and their reasons, from the audit log (the record keeps only the latest reason)."""
    labels = dict(AffiliateStatus.choices)
    history = []
    rows = (AuditLog.objects.filter(entity_type=Affiliate._meta.label_lower, entity_id=affiliate.pk)
            .select_related("user").order_by("created_at"))
    for row in rows:
        changes = row.changes or {}
        if "status" not in changes:
            continue
        status = changes["status"][1]
        history.append({"at": row.created_at, "user": row.user, "status": labels.get(status, status),
                        "reason": (changes.get("status_reason") or [None, ""])[1] or "",
                        "rejected": bool((changes.get("rejected_at") or [None, None])[1])})
    return history


@roles.capability_required(roles.AFFILIATES_VIEW)
def affiliate_detail(request, pk):
    affiliate = get_object_or_404(Affiliate.objects.select_related("user"), pk=pk)
    rules = current_rules()
    return render(request, "affiliates/staff/affiliate_detail.html", {
        "affiliate": affiliate, "evaluation": applications.evaluation_rows(affiliate),
        "summary": applications.affiliate_summary(affiliate), "history": _history(affiliate),
        "is_open_application": affiliate.status == AffiliateStatus.APPLIED and affiliate.rejected_at is None,
        "referral_link": applications.referral_link(affiliate.referral_code) if affiliate.referral_code else "",
        "risk_over": rules.fraud_risk_suspend_over,
        "reapply_from": applications.reapply_date(affiliate.rejected_at) if affiliate.rejected_at else None,
        **_decision_context(request),
    })


# --- decisions ----------------------------------------------------------------------------------------

def _decide(request, pk, form_class, action, success):
    """Run one decision on one affiliate: a bad form or a refused rule comes back as a message, nothing
    changed; then back to where the manager was."""
    affiliate = get_object_or_404(Affiliate, pk=pk)
    form = form_class(request.POST)
    target = safe_next(request, reverse("affiliates:affiliate_detail", args=[affiliate.pk]))
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        return redirect(target)
    try:
        action(affiliate, form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success % {"name": affiliate.full_name})
    return redirect(target)


@require_POST
@roles.capability_required(applications.MANAGE)
def affiliate_approve(request, pk):
    return _decide(request, pk, ApproveForm, lambda affiliate, data: applications.affiliate_approve(
        actor=request.user, affiliate=affiliate, tier=data["tier"], commission_rate=data["commission_rate"]),
        _("%(name)s is now an active partner; the welcome email is on its way."))


@require_POST
@roles.capability_required(applications.MANAGE)
def affiliate_reject(request, pk):
    return _decide(request, pk, ReasonForm, lambda affiliate, data: applications.affiliate_reject(
        actor=request.user, affiliate=affiliate, reason=data["reason"]),
        _("The application of %(name)s was rejected; they are told why by email."))


@require_POST
@roles.capability_required(applications.MANAGE)
def affiliate_suspend(request, pk):
    return _decide(request, pk, ReasonForm, lambda affiliate, data: applications.affiliate_suspend(
        actor=request.user, affiliate=affiliate, reason=data["reason"]),
        _("%(name)s is suspended and can no longer sign in to the partner portal."))


@require_POST
@roles.capability_required(applications.REINSTATE)
def affiliate_reinstate(request, pk):
    return _decide(request, pk, ReinstateForm, lambda affiliate, data: applications.affiliate_reinstate(
        actor=request.user, affiliate=affiliate, reason=data["reason"]),
        _("%(name)s is active again and can sign in to the partner portal."))


@require_POST
@roles.capability_required(applications.MANAGE)
def affiliate_terminate(request, pk):
    return _decide(request, pk, ReasonForm, lambda affiliate, data: applications.affiliate_terminate(
        actor=request.user, affiliate=affiliate, reason=data["reason"]),
        _("The partnership with %(name)s is ended."))
