"""Staff pages of disputes: the queue by due date (overdue ones marked) and one dispute with the forms
to take it, decide it with a written resolution, or escalate it. Reading needs AFFILIATES_VIEW;
deciding DISPUTES_RESOLVE (managers; an escalated dispute is decided by an admin)."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from affiliates import disputes
from affiliates.choices import DisputeStatus
from affiliates.models import Dispute
from affiliates.statements import basis_in_words
from dealix.accounts import roles

OUTCOMES = [
    ("reject", gettext_lazy("Reject: the commission goes back to what it was")),
    ("restore", gettext_lazy("Uphold: restore the commission as it is")),
    ("adjust", gettext_lazy("Uphold: change the commission's amount")),
    ("cancel", gettext_lazy("Uphold: cancel the commission")),
]
FILTERS = [("undecided", gettext_lazy("To decide")), *DisputeStatus.choices, ("all", gettext_lazy("All"))]


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Decision"), choices=OUTCOMES, widget=forms.RadioSelect)
    amount = forms.DecimalField(label=gettext_lazy("Correct amount (SAR)"), required=False, min_value=0,
                                max_digits=12, decimal_places=2)
    resolution = forms.CharField(label=gettext_lazy("Resolution"), widget=forms.Textarea(attrs={"rows": 4}),
                                 help_text=gettext_lazy("What was decided and why: the partner reads this."))

    def __init__(self, *args, has_commission: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_commission:
            self.fields["outcome"].choices = [("reject", _("Reject")), ("restore", _("Uphold"))]

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "adjust" and data.get("amount") is None:
            self.add_error("amount", _("Give the amount the commission should be."))
        return data


class EscalateForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why it goes to an admin"), widget=forms.Textarea(attrs={"rows": 2}))


@roles.capability_required(roles.AFFILIATES_VIEW)
def dispute_queue(request):
    status = request.GET.get("status") or "undecided"
    if status not in dict(FILTERS):
        status = "undecided"
    now = timezone.now()
    rows = [{"dispute": dispute, "overdue": disputes.is_overdue(dispute, now)}
            for dispute in disputes.dispute_queue(status=status)[:200]]
    return render(request, "affiliates/disputes/queue.html", {
        "rows": rows, "filters": FILTERS, "status": status,
        "overdue_count": Dispute.objects.filter(status__in=disputes.UNDECIDED, due_at__lt=now).count(),
    })


def _detail_context(request, dispute: Dispute, **forms_) -> dict:
    commission = dispute.commission
    can_resolve = roles.can(request.user, roles.DISPUTES_RESOLVE) and dispute.status in disputes.UNDECIDED
    if dispute.status == DisputeStatus.ESCALATED and not roles.can(request.user, roles.COMMISSIONS_PAY):
        can_resolve = False
    return {
        "dispute": dispute, "commission": commission,
        "basis": basis_in_words(commission) if commission is not None else "",
        "overdue": disputes.is_overdue(dispute), "escalation_reason": disputes.escalation_reason(dispute)
        if dispute.status == DisputeStatus.ESCALATED else "",
        "appeal": Dispute.objects.filter(appeal_of=dispute).first(), "appeal_deadline": disputes.appeal_deadline(dispute),
        "can_review": roles.can(request.user, roles.DISPUTES_RESOLVE) and dispute.status == DisputeStatus.OPEN,
        "can_resolve": can_resolve,
        "can_escalate": roles.can(request.user, roles.DISPUTES_RESOLVE)
        and dispute.status in (DisputeStatus.OPEN, DisputeStatus.UNDER_REVIEW),
        "resolve_form": forms_.get("resolve_form") or ResolveForm(has_commission=commission is not None),
        "escalate_form": forms_.get("escalate_form") or EscalateForm(),
    }


def _dispute(pk) -> Dispute:
    return get_object_or_404(Dispute.objects.select_related("affiliate", "commission", "commission__deal", "appeal_of",
                                                            "resolved_by", "attribution", "attribution__lead"), pk=pk)


@roles.capability_required(roles.AFFILIATES_VIEW)
def dispute_detail(request, pk):
    return render(request, "affiliates/disputes/detail.html", _detail_context(request, _dispute(pk)))


@require_POST
@roles.capability_required(roles.DISPUTES_RESOLVE)
def dispute_review(request, pk):
    dispute = _dispute(pk)
    try:
        disputes.dispute_review(actor=request.user, dispute=dispute)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You are reviewing this dispute."))
    return redirect("affiliates:dispute", pk=dispute.pk)


def _form_error(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error)


@require_POST
@roles.capability_required(roles.DISPUTES_RESOLVE)
def dispute_resolve(request, pk):
    dispute = _dispute(pk)
    form = ResolveForm(request.POST, has_commission=dispute.commission_id is not None)
    if form.is_valid():
        outcome = form.cleaned_data["outcome"]
        try:
            disputes.dispute_resolve(
                actor=request.user, dispute=dispute, resolution=form.cleaned_data["resolution"],
                uphold=outcome != "reject", cancel=outcome == "cancel",
                amount=form.cleaned_data["amount"] if outcome == "adjust" else None)
        except PermissionDenied:
            form.add_error(None, _("An escalated dispute is decided by an admin, and a clawback needs one too."))
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The dispute is decided; the partner sees the resolution."))
            return redirect("affiliates:dispute", pk=dispute.pk)
    return render(request, "affiliates/disputes/detail.html",
                  _detail_context(request, _dispute(pk), resolve_form=form), status=400)


@require_POST
@roles.capability_required(roles.DISPUTES_RESOLVE)
def dispute_escalate(request, pk):
    dispute = _dispute(pk)
    form = EscalateForm(request.POST)
    if form.is_valid():
        try:
            disputes.dispute_escalate(actor=request.user, dispute=dispute, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The dispute went to an admin."))
            return redirect("affiliates:dispute", pk=dispute.pk)
    return render(request, "affiliates/disputes/detail.html",
                  _detail_context(request, _dispute(pk), escalate_form=form), status=400)
