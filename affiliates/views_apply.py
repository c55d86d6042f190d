"""The public "become a partner" page of a tenant (no login), and the policy texts it asks to accept.

Spam is kept out as on the public lead form (crm/capture.py), without any third-party service: a hidden
honeypot field, a signed token that must be a few seconds to a day old, and a limit of applications per
address per hour. Unlike the lead form it is not embedded in other sites, so CSRF protection stays on."""
from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _, gettext_lazy

from affiliates.applications import PROGRAMME_POLICY_TYPES, Experience, active_policies, affiliate_apply
from compliance.choices import PolicyType
from crm.choices import Sector
from dealix.core.middleware import client_ip
from dealix.core.phones import normalise_phone

TOKEN_SALT = "affiliates.apply"
MIN_SECONDS = 3
MAX_AGE_SECONDS = 24 * 3600
APPLICATIONS_PER_HOUR = 5


def new_form_token() -> str:
    return signing.TimestampSigner(salt=TOKEN_SALT).sign(str(int(timezone.now().timestamp())))


def over_rate_limit(ip: str | None) -> bool:
    """Count this submission and say whether the address sent too many this hour."""
    key = f"affiliate-apply:{ip or 'unknown'}:{timezone.now():%Y%m%d%H}"
    count = cache.get_or_set(key, 0, 3600)
    cache.incr(key)
    return count >= APPLICATIONS_PER_HOUR


class ApplicationForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Your full name"), max_length=255,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label=gettext_lazy("Email"), max_length=255,
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}))
    phone = forms.CharField(label=gettext_lazy("Mobile number"), max_length=30,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "dir": "ltr",
                                                          "inputmode": "tel"}))
    city = forms.CharField(label=gettext_lazy("City"), max_length=100, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))
    audience = forms.CharField(
        label=gettext_lazy("How would you find customers for us? Who is your audience?"), max_length=3000,
        help_text=gettext_lazy("For example: the business owners you know, your followers, the events you attend."),
        widget=forms.Textarea(attrs={"rows": 4}))
    sectors = forms.MultipleChoiceField(label=gettext_lazy("Sectors you know well"), choices=Sector.choices,
                                        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))
    experience = forms.ChoiceField(label=gettext_lazy("Sales or referral experience"),
                                   choices=[("", "—")] + list(Experience.choices))
    accept_commission = forms.BooleanField(label=gettext_lazy("I have read and accept the commission policy"))
    accept_rules = forms.BooleanField(label=gettext_lazy("I have read and accept the partner programme rules"))
    token = forms.CharField(widget=forms.HiddenInput)
    website = forms.CharField(required=False, label=gettext_lazy("Leave this empty"),
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "").strip()
        if normalise_phone(phone) is None:
            raise forms.ValidationError(_("Enter a valid mobile number, for example 0501234567."))
        return normalise_phone(phone)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError(_("Your application could not be sent."), code="honeypot")
        try:
            issued = int(signing.TimestampSigner(salt=TOKEN_SALT).unsign(cleaned.get("token", ""),
                                                                            max_age=MAX_AGE_SECONDS))
        except (signing.BadSignature, ValueError):
            raise forms.ValidationError(_("This form has expired. Please reload the page and try again."),
                                        code="bad_token")
        if timezone.now().timestamp() - issued < MIN_SECONDS:
            raise forms.ValidationError(_("That was very fast. Please check your details and send again."),
                                        code="too_fast")
        return cleaned


def _in_tenant_language(request) -> None:
    """A visitor who chose no language reads the page in the company's language."""
    if not getattr(request, "requested_language", None) and request.method == "GET" \
            and not request.COOKIES.get("dealix_language"):
        translation.activate(request.tenant.language)
        request.LANGUAGE_CODE = request.tenant.language


@login_not_required
def apply(request):
    _in_tenant_language(request)
    form = ApplicationForm(request.POST if request.method == "POST" else None, initial={"token": new_form_token()})
    policies = active_policies()
    status = 200
    if request.method == "POST":
        if over_rate_limit(client_ip(request)):
            form.add_error(None, _("Too many applications from your connection. Please try again in an hour."))
            status = 429
        elif form.is_valid():
            try:
                affiliate_apply(data={**form.cleaned_data, "language": translation.get_language()},
                                ip_address=client_ip(request))
            except ValidationError as error:
                form.add_error(None, error)
                status = 400
            else:
                return render(request, "affiliates/apply/done.html", {})
        else:
            status = 400
        # A fresh token, so fixing a mistake does not need a reload.
        form.data = form.data.copy()
        form.data["token"] = new_form_token()
    return render(request, "affiliates/apply/apply.html",
                  {"form": form, "policies": {policy.type: policy for policy in policies},
                   "open": len(policies) == len(PROGRAMME_POLICY_TYPES)}, status=status)


@login_not_required
def policy(request, type):
    """The active text of a policy the application asks to accept."""
    _in_tenant_language(request)
    if type not in PROGRAMME_POLICY_TYPES:
        raise Http404
    found = {policy.type: policy for policy in active_policies()}.get(type)
    if found is None:
        raise Http404
    # Each paragraph takes its own direction: the text holds Arabic and English.
    paragraphs = [part.strip() for part in found.content.replace("\r\n", "\n").split("\n\n") if part.strip()]
    return render(request, "affiliates/apply/policy.html",
                  {"policy": found, "type_label": PolicyType(type).label, "paragraphs": paragraphs})
