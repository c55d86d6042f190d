"""The partner portal: the affiliate's only pages (RULES.md §6, §9). Every view starts from the affiliate
of the logged-in user (`affiliates.portal.portal_access`), never from an id in the URL alone; an id that
is not theirs is a 404. Staff have no portal (the PORTAL capability is the affiliate role's only), and
the RoleAccessMiddleware keeps affiliates out of everything else."""
from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from affiliates import applications, portal
from affiliates.attribution import register_lead_by_affiliate
from affiliates.choices import CommissionStatus, DisputeType
from affiliates.commissions import Known
from affiliates.disputes import dispute_appeal, dispute_open
from affiliates.forms_portal import AppealForm, DisputeOpenForm, PayoutDetailsForm, RegisterLeadForm
from affiliates.payouts import statement_pdf
from affiliates.performance import rank_of, tier_progress
from dealix.accounts import roles
from dealix.core.middleware import client_ip


def portal_page(*, writes: bool = False):
    """Resolve the affiliate behind the login and hand it to the view. A login without a partnership (or
    an applicant's, or a terminated one's) gets a page that says so; a suspended affiliate reads
    everything, and a view marked `writes` refuses their POSTs."""
    def decorator(view):
        @roles.capability_required(roles.PORTAL)
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            access = portal.portal_access(request.user)
            if not access.can_read:
                return render(request, "affiliates/portal/unavailable.html", {"access": access})
            if writes and request.method == "POST" and not access.can_write:
                raise PermissionDenied("suspended affiliates read the portal only")
            request.portal_access = access
            return view(request, access.affiliate, *args, **kwargs)
        return wrapped
    return decorator


def _render(request, template: str, context: dict, status: int = 200):
    return render(request, template, {"access": request.portal_access, **context}, status=status)


def _add_errors(form, error: ValidationError) -> list[str]:
    """A service's ValidationError on the form: field errors beside their field, the rest above it.
    Returns the messages about the consents (no single field), which the page shows by the check boxes."""
    consents = []
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            if field == "consents":
                consents.extend(message for item in errors for message in item.messages)
            else:
                form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
    return consents


# --- home ------------------------------------------------------------------------------------------

@portal_page()
def home(request, affiliate):
    link = request.build_absolute_uri(portal.referral_path(affiliate))
    policies = portal.policy_states(affiliate)
    return _render(request, "affiliates/portal/home.html", {
        "affiliate": affiliate,
        "referral_link": link,
        "qr_svg": portal.qr_svg(link, _("QR code of your referral link")),
        "progress": tier_progress(affiliate),
        "rank": rank_of(affiliate),
        "totals": portal.commission_totals(affiliate),
        "estimate": portal.next_payout_estimate(affiliate),
        "referral_count": portal.referral_count(affiliate),
        "policies_to_accept": [state for state in policies if state.accepted_at is None],
    })


@portal_page()
def qr_code(request, affiliate):
    """The QR code as a file, to print or put on a flyer."""
    link = request.build_absolute_uri(portal.referral_path(affiliate))
    svg = '<?xml version="1.0" encoding="utf-8"?>\n' + portal.qr_svg(link).replace(
        "<svg ", '<svg xmlns="http://www.w3.org/2000/svg" width="528" height="528" ', 1)
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="referral-{affiliate.referral_code}.svg"'
    return response


# --- leads -----------------------------------------------------------------------------------------

@portal_page(writes=True)
def register_lead(request, affiliate):
    form = RegisterLeadForm(request.POST or None)
    consent_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            lead = register_lead_by_affiliate(affiliate=affiliate, data=form.lead_data(), consents=form.consents(),
                                              ip_address=client_ip(request))
        except ValidationError as error:
            consent_errors = _add_errors(form, error)
        else:
            messages.success(request, _("“%(name)s” is registered as your referral.") % {"name": lead.full_name})
            return redirect("affiliates:portal_referrals")
    return _render(request, "affiliates/portal/register_lead.html", {"form": form, "consent_errors": consent_errors},
                   status=400 if form.errors or consent_errors else 200)


@portal_page()
def referrals(request, affiliate):
    page = portal.referral_page(affiliate, cursor=request.GET.get("cursor", ""))
    return _render(request, "affiliates/portal/referrals.html", {"page": page})


# --- money -----------------------------------------------------------------------------------------

@portal_page()
def commissions(request, affiliate):
    status = request.GET.get("status", "")
    status = status if status in CommissionStatus.values else ""
    page = portal.commission_page(affiliate, status=status, cursor=request.GET.get("cursor", ""))
    known = Known(page.rows)
    rows = [{"commission": commission, "basis": portal.basis_text(commission, known)} for commission in page.rows]
    return _render(request, "affiliates/portal/commissions.html", {
        "page": page, "rows": rows, "status": status, "totals": portal.commission_totals(affiliate),
        "disputable": {CommissionStatus.PENDING, CommissionStatus.APPROVED, CommissionStatus.PAID},
    })


@portal_page(writes=True)
def payouts(request, affiliate):
    initial = {field: getattr(affiliate, field) for field in portal.PAYOUT_FIELDS}
    form = PayoutDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            portal.payout_details_update(actor=request.user, affiliate=affiliate, data=form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your payout details are saved."))
            return redirect("affiliates:portal_payouts")
    return _render(request, "affiliates/portal/payouts.html", {
        "form": form, "affiliate": affiliate, "payouts": portal.payouts_of(affiliate)[:60],
        "periods": portal.statement_periods(affiliate), "estimate": portal.next_payout_estimate(affiliate),
    }, status=400 if form.errors else 200)


@portal_page()
def statement(request, affiliate, year: int, month: int):
    """A month's statement as a PDF, in Arabic or English (`?language=`, else the page's language)."""
    try:
        period = dt.date(year, month, 1)
    except ValueError:
        raise Http404
    if period not in portal.statement_periods(affiliate):
        raise Http404
    language = request.GET.get("language") or request.LANGUAGE_CODE
    language = language if language in ("ar", "en") else "ar"
    response = HttpResponse(statement_pdf(affiliate=affiliate, period=period, language=language),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="statement-{period:%Y-%m}-{language}.pdf"'
    return response


# --- disputes --------------------------------------------------------------------------------------

@portal_page()
def disputes(request, affiliate):
    commissions_list = list(portal.disputable_commissions(affiliate))
    chosen = request.GET.get("commission", "")
    if chosen and chosen not in {str(commission.pk) for commission in commissions_list}:
        try:
            portal.commission_of(affiliate, chosen)
        except (ObjectDoesNotExist, ValidationError):
            raise Http404
    initial = {"type": DisputeType.COMMISSION, "commission": chosen}
    form = DisputeOpenForm(request.POST or None, initial=initial, commissions=commissions_list)
    if request.method == "POST" and form.is_valid():
        try:
            dispute = dispute_open(actor=request.user, affiliate=affiliate, type=form.cleaned_data["type"],
                                   description=form.cleaned_data["description"],
                                   commission=form.cleaned_data["commission"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your dispute is open. You will see the decision here."))
            return redirect("affiliates:portal_dispute", pk=dispute.pk)
    return _render(request, "affiliates/portal/disputes.html", {
        "form": form, "disputes": portal.disputes_of(affiliate)[:100],
    }, status=400 if form.errors else 200)


@portal_page()
def dispute_detail(request, affiliate, pk):
    try:
        dispute = portal.dispute_of(affiliate, pk)
    except ObjectDoesNotExist:
        raise Http404
    appeal_until = portal.appeal_until(dispute)
    form = AppealForm(request.POST or None)
    if request.method == "POST":
        if appeal_until is None:
            messages.error(request, _("This dispute cannot be appealed."))
            return redirect("affiliates:portal_dispute", pk=dispute.pk)
        if form.is_valid():
            try:
                appeal = dispute_appeal(actor=request.user, dispute=dispute,
                                        description=form.cleaned_data["description"])
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Your appeal is open."))
                return redirect("affiliates:portal_dispute", pk=appeal.pk)
    return _render(request, "affiliates/portal/dispute_detail.html", {
        "dispute": dispute, "form": form, "appeal_until": appeal_until,
        "basis": portal.basis_text(dispute.commission) if dispute.commission else "",
    }, status=400 if form.errors else 200)


# --- policies --------------------------------------------------------------------------------------

@portal_page()
def policies(request, affiliate):
    return _render(request, "affiliates/portal/policies.html", {"states": portal.policy_states(affiliate)})


@require_POST
@portal_page()
def policy_accept(request, affiliate, pk):
    state = next((state for state in portal.policy_states(affiliate) if str(state.policy.pk) == str(pk)), None)
    if state is None:
        raise Http404
    if state.accepted_at is None:
        applications.policy_accept(affiliate=affiliate, policy=state.policy, ip_address=client_ip(request))
        messages.success(request, _("You accepted “%(name)s”.") % {"name": state.policy.name})
    return redirect("affiliates:portal_policies")
