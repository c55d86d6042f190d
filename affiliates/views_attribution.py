"""Attribution as staff see it: the conflicts (claims set aside because another affiliate held the lead,
with the same-day ties an admin must decide) and the latest attributions; one lead's claims, where an
admin splits the lead among affiliates or moves it to another. Reading needs AFFILIATES_VIEW; splitting
needs `attribution.SPLIT_CAPABILITY` (admins), in the view and again in the service."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from affiliates import attribution
from affiliates.choices import AttributionStatus
from affiliates.models import Affiliate, AffiliateDeal
from crm.models import Lead
from dealix.accounts import roles

PER_PAGE = 50


@roles.capability_required(roles.AFFILIATES_VIEW)
def attribution_conflicts(request):
    needs_admin = request.GET.get("needs_admin") == "1"
    page = Paginator(attribution.conflicts(needs_admin=needs_admin), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page, "rows": attribution.explain_conflicts(page.object_list), "needs_admin": needs_admin,
        "waiting": attribution.conflicts(needs_admin=True).count(),
        "recent": attribution.recent_attributions(),
        "can_split": roles.can(request.user, attribution.SPLIT_CAPABILITY),
    }
    template = ("affiliates/attribution/partials/conflict_table.html" if request.htmx and not request.htmx.boosted
                else "affiliates/attribution/conflicts.html")
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


def _split_rows(lead: Lead, posted=None) -> list[dict]:
    """One line per affiliate the admin may give a share: those with a claim on the lead that can still
    be given one (not expired), with the share they hold now, or what the admin just typed."""
    rows = []
    for claim in (AffiliateDeal.objects.filter(lead=lead).exclude(status=AttributionStatus.EXPIRED)
                  .select_related("affiliate").order_by("attributed_at")):
        held = claim.share_percent if attribution.owns(claim) else Decimal("0")
        value = posted.get(f"share_{claim.affiliate_id}", "") if posted is not None else f"{held.normalize():f}"
        rows.append({"affiliate": claim.affiliate, "claim": claim, "value": value})
    return rows


def _shares_from(request, rows: list[dict]) -> dict:
    """The shares the form sent: one per listed affiliate, plus one affiliate named by referral code."""
    shares = {str(row["affiliate"].pk): request.POST.get(f"share_{row['affiliate'].pk}", "") or "0" for row in rows}
    code = attribution.normalise_code(request.POST.get("extra_code", ""))
    extra_share = (request.POST.get("extra_share") or "").strip()
    if code:
        affiliate = Affiliate.objects.filter(referral_code=code).first()
        if affiliate is None:
            raise ValidationError({"extra_code": _("No affiliate has the referral code %(code)s.") % {"code": code}})
        try:
            shares[str(affiliate.pk)] = Decimal(shares.get(str(affiliate.pk), "0")) + Decimal(extra_share or "0")
        except InvalidOperation:
            raise ValidationError({"shares": _("Each share is a number of percent, such as 50 or 33.33.")})
    elif extra_share and extra_share != "0":
        raise ValidationError({"extra_code": _("Give the referral code of the affiliate this share is for.")})
    return shares


@roles.capability_required(roles.AFFILIATES_VIEW)
def attribution_lead(request, pk):
    """Every claim on one lead; for an admin, the form that splits or moves it (htmx or plain POST)."""
    lead = get_object_or_404(Lead.objects.visible_to(request.user), pk=pk)
    can_split = roles.can(request.user, attribution.SPLIT_CAPABILITY)
    errors: dict[str, list[str]] = {}
    posted = None
    if request.method == "POST":
        roles.require(request.user, attribution.SPLIT_CAPABILITY)
        posted = request.POST
        rows = _split_rows(lead, posted)
        try:
            attribution.attribution_split(actor=request.user, lead=lead, shares=_shares_from(request, rows),
                                          note=request.POST.get("note", ""))
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        else:
            messages.success(request, _("The lead's attribution is saved."))
            url = reverse("affiliates:attribution_lead", args=[lead.pk])
            if request.htmx:
                response = HttpResponse()
                response["HX-Redirect"] = url
                return response
            return redirect(url)
    context = {
        "lead": lead, "can_split": can_split, "errors": errors, "posted": posted,
        "claims": (AffiliateDeal.objects.filter(lead=lead).select_related("affiliate", "deal")
                   .order_by("attributed_at")),
        "holders": attribution.current_attributions(lead),
        "split_rows": _split_rows(lead, posted) if can_split else [],
    }
    if request.htmx and not request.htmx.boosted:
        # Answered 200 even when refused: htmx swaps only 2xx, and the form carries the errors.
        return render(request, "affiliates/attribution/partials/split_form.html", context)
    return render(request, "affiliates/attribution/lead.html", context, status=400 if errors else 200)
