"""Staff pages of the monthly payouts: one month's batch (build it, process, complete or fail each payout,
download the bank file) and each affiliate's statement as a PDF. Reading needs AFFILIATES_VIEW; building
PAYOUTS_BUILD (managers); processing PAYOUTS_PROCESS (admins); each service checks again."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext as _, gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from affiliates import payouts
from affiliates.choices import PayoutStatus
from affiliates.models import Affiliate, Payout
from affiliates.statements import mask_iban
from dealix.accounts import roles
from dealix.tenancy.rules import current_rules


class CompleteForm(forms.Form):
    reference = forms.CharField(label=gettext_lazy("Bank reference"), max_length=100, required=False)


class FailForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why it failed"), max_length=1000)


def _period(value) -> dt.date:
    try:
        return payouts.month_start(value or None)
    except ValidationError:
        raise Http404("no such month")


def _error_text(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def _page_url(period: dt.date) -> str:
    return f"{reverse('affiliates:payouts')}?period={period:%Y-%m}"


def _months(around: dt.date, count: int = 12) -> list[dt.date]:
    months, month = [], payouts.month_start()
    for _index in range(count):
        months.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    if around not in months:
        months.append(around)
    return months


def _row_context(request, payout: Payout) -> dict:
    return {"payout": payout, "can_process": roles.can(request.user, roles.PAYOUTS_PROCESS),
            "masked_iban": mask_iban(payout.iban) if payout.iban else ""}


@roles.capability_required(roles.AFFILIATES_VIEW)
def payout_batch(request):
    """A month's batch: what was built, what building now would pay, and who is left out and why."""
    period = _period(request.GET.get("period"))
    rows = list(payouts.batch_payouts(period).annotate(commission_count=Count("commissions")))
    payable, skipped = payouts.batch_preview(period)
    rules = current_rules()
    return render(request, "affiliates/payouts/batch.html", {
        "period": period, "months": _months(period), "rows": [_row_context(request, payout) for payout in rows],
        "payable": payable, "skipped": skipped, "totals": payouts.batch_totals(period),
        "total": sum((payout.amount for payout in rows if payout.status != PayoutStatus.FAILED), 0),
        "transfers": payouts.bank_transfers(period).count(), "minimum": rules.payout_minimum,
        "within_days": rules.payout_within_business_days,
        "can_build": roles.can(request.user, roles.PAYOUTS_BUILD) and period <= payouts.month_start(),
        "can_process": roles.can(request.user, roles.PAYOUTS_PROCESS),
        "can_export": roles.can(request.user, roles.PAYOUTS_BUILD),
        "complete_form": CompleteForm(), "fail_form": FailForm(),
    })


@require_POST
@roles.capability_required(roles.PAYOUTS_BUILD)
def payout_build(request):
    period = _period(request.POST.get("period"))
    try:
        result = payouts.build_payouts(actor=request.user, period=period)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        if result:
            messages.success(request, ngettext("%(count)d payout created.", "%(count)d payouts created.",
                                               len(result)) % {"count": len(result)})
        else:
            messages.info(request, _("Nothing new to pay for this month."))
        if result.skipped:
            messages.warning(request, ngettext(
                "%(count)d partner was left out: see the reason beside them.",
                "%(count)d partners were left out: see the reason beside each.", len(result.skipped)) % {
                "count": len(result.skipped)})
    return redirect(_page_url(period))


def _payout_action(request, pk, action) -> HttpResponse:
    """Run one payout action, then answer htmx with the payout's row (and any message), a page with a
    redirect back to the batch."""
    payout = get_object_or_404(Payout.objects.select_related("affiliate"), pk=pk)
    try:
        payout = action(payout)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    payout = Payout.objects.select_related("affiliate").annotate(commission_count=Count("commissions")).get(pk=pk)
    if request.htmx:
        return render(request, "affiliates/payouts/partials/payout_row.html",
                      {**_row_context(request, payout), "complete_form": CompleteForm(), "fail_form": FailForm()})
    return redirect(_page_url(payout.period or payouts.month_start()))


@require_POST
@roles.capability_required(roles.PAYOUTS_PROCESS)
def payout_process(request, pk):
    def action(payout):
        payout = payouts.payout_process(actor=request.user, payout=payout)
        messages.success(request, _("Payout %(reference)s is processing.") % {"reference": payout.reference})
        return payout
    return _payout_action(request, pk, action)


@require_POST
@roles.capability_required(roles.PAYOUTS_PROCESS)
def payout_complete(request, pk):
    form = CompleteForm(request.POST)

    def action(payout):
        if not form.is_valid():
            raise ValidationError(list(form.errors.values())[0])
        payout = payouts.payout_complete(actor=request.user, payout=payout, reference=form.cleaned_data["reference"])
        messages.success(request, _("Payout %(reference)s is completed; its commissions are paid.") % {
            "reference": payout.reference})
        return payout
    return _payout_action(request, pk, action)


@require_POST
@roles.capability_required(roles.PAYOUTS_PROCESS)
def payout_fail(request, pk):
    form = FailForm(request.POST)

    def action(payout):
        if not form.is_valid():
            raise ValidationError(_("Say why the payout failed."))
        payout = payouts.payout_fail(actor=request.user, payout=payout, reason=form.cleaned_data["reason"])
        messages.warning(request, _("Payout %(reference)s failed; its commissions go into the next batch.") % {
            "reference": payout.reference})
        return payout
    return _payout_action(request, pk, action)


@roles.capability_required(roles.PAYOUTS_BUILD)
def payout_csv(request, period: str):
    period = _period(period)
    content = payouts.batch_csv(period, actor=request.user)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="payouts-{period:%Y-%m}.csv"'
    return response


@roles.capability_required(roles.AFFILIATES_VIEW)
def payout_statement(request, affiliate_pk, year: int, month: int):
    """An affiliate's statement for a month, as the affiliate gets it (`?language=ar|en`)."""
    affiliate = get_object_or_404(Affiliate, pk=affiliate_pk)
    try:
        period = dt.date(year, month, 1)
    except ValueError:
        raise Http404("no such month")
    language = request.GET.get("language") or get_language()
    language = "ar" if language == "ar" else "en"
    content = payouts.statement_pdf(affiliate=affiliate, period=period, language=language)
    response = HttpResponse(content, content_type="application/pdf")
    filename = f"statement-{affiliate.referral_code or affiliate.pk}-{period:%Y-%m}-{language}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
