"""The public lead form each tenant can put on its website (or embed in an iframe): a visitor leaves
their details and chooses, channel by channel, how we may contact them. Spam is kept out without any
third-party service: a hidden honeypot field, a signed token that must be at least a few seconds old and
at most a day old, and a limit of submissions per address per hour."""
from __future__ import annotations

from django import forms
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from compliance.choices import ConsentChannel
from compliance.services import consent_record
from crm import services
from crm.choices import ActivityType, LeadSource, Sector
from crm.models import Activity, Contact, Lead
from dealix.core.audit import audit_create
from dealix.core.phones import normalise_phone

TOKEN_SALT = "crm.lead-form"
MIN_SECONDS = 3
MAX_AGE_SECONDS = 24 * 3600
SUBMISSIONS_PER_HOUR = 10
CONSENT_SOURCE = "web_form"


def new_form_token() -> str:
    return signing.TimestampSigner(salt=TOKEN_SALT).sign(str(int(timezone.now().timestamp())))


class PublicLeadForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Your name"), max_length=255)
    company_name = forms.CharField(label=gettext_lazy("Company"), max_length=255, required=False)
    phone = forms.CharField(label=gettext_lazy("Mobile number"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "dir": "ltr"}))
    email = forms.EmailField(label=gettext_lazy("Email"), max_length=255, required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}))
    sector = forms.ChoiceField(label=gettext_lazy("Sector"), choices=[("", "—")] + list(Sector.choices), required=False)
    city = forms.CharField(label=gettext_lazy("City"), max_length=100, required=False)
    message = forms.CharField(label=gettext_lazy("How can we help?"), max_length=3000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    consent_whatsapp = forms.BooleanField(label=gettext_lazy("You may contact me on WhatsApp"), required=False)
    consent_email = forms.BooleanField(label=gettext_lazy("You may email me"), required=False)
    consent_sms = forms.BooleanField(label=gettext_lazy("You may send me text messages"), required=False)
    consent_phone = forms.BooleanField(label=gettext_lazy("You may call me"), required=False)
    ref = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    token = forms.CharField(widget=forms.HiddenInput)
    website = forms.CharField(required=False, label=gettext_lazy("Leave this empty"),
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "").strip()
        if phone and normalise_phone(phone) is None:
            raise forms.ValidationError(_("Enter a valid mobile number, for example 0501234567."))
        return normalise_phone(phone) if phone else ""

    def clean_ref(self):
        return "".join(ch for ch in self.cleaned_data.get("ref", "").upper() if ch.isalnum())[:20]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError(_("Your message could not be sent."), code="honeypot")
        try:
            issued = int(signing.TimestampSigner(salt=TOKEN_SALT).unsign(cleaned.get("token", ""),
                                                                            max_age=MAX_AGE_SECONDS))
        except (signing.BadSignature, ValueError):
            raise forms.ValidationError(_("This form has expired. Please reload the page and try again."),
                                        code="bad_token")
        if timezone.now().timestamp() - issued < MIN_SECONDS:
            raise forms.ValidationError(_("That was very fast. Please check your details and send again."),
                                        code="too_fast")
        if not cleaned.get("phone") and not cleaned.get("email"):
            raise forms.ValidationError(_("Give a mobile number or an email so we can reach you."))
        return cleaned

    def chosen_channels(self) -> list[str]:
        return [channel for channel, _label in ConsentChannel.choices if self.cleaned_data.get(f"consent_{channel}")]


def over_rate_limit(ip: str | None) -> bool:
    """Count this submission and say whether the address sent too many this hour."""
    key = f"lead-form:{ip or 'unknown'}:{timezone.now():%Y%m%d%H}"
    count = cache.get_or_set(key, 0, 3600)
    cache.incr(key)
    return count >= SUBMISSIONS_PER_HOUR


@transaction.atomic
def lead_capture(*, data: dict, channels: list[str], ip_address: str | None) -> Lead:
    """Create (or find) the lead and its contact, and record each consent the visitor gave."""
    existing = None
    if data.get("phone"):
        existing = Lead.objects.filter(phone=data["phone"]).order_by("-created_at").first()
    if existing is None and data.get("email"):
        existing = Lead.objects.filter(email=data["email"].lower()).order_by("-created_at").first()
    if existing is not None:
        lead = existing
        if lead.assigned_to_id:
            note = Activity.objects.create(user_id=lead.assigned_to_id, lead=lead, type=ActivityType.NOTE,
                                           subject=_("Sent the website form again"), body=data.get("message", ""),
                                           completed_at=timezone.now())
            audit_create(actor=None, instance=note)
    else:
        lead = services.lead_create(actor=None, data={
            "full_name": data["full_name"], "phone": data.get("phone", ""), "email": data.get("email", ""),
            "company_name": data.get("company_name", ""), "sector": data.get("sector", ""),
            "city": data.get("city", ""), "notes": data.get("message", ""),
            "source": LeadSource.AFFILIATE if data.get("ref") else LeadSource.WEB,
        })
        if data.get("ref"):
            Lead.objects.filter(pk=lead.pk).update(referral_code=data["ref"])  # audited with the create above
            lead.referral_code = data["ref"]
    contact = Contact.objects.filter(lead=lead).first()
    if contact is None:
        contact = Contact(full_name=lead.full_name, phone=lead.phone, email=lead.email, lead=lead,
                          owner=lead.assigned_to)
        contact.full_clean()
        contact.save()
    for channel in channels:
        consent_record(actor=None, contact=contact, channel=channel, granted=True, source=CONSENT_SOURCE,
                       ip_address=ip_address)
    if data.get("ref"):
        # Also for a lead we already knew: whether this code may claim it is the affiliate programme's call.
        code, lead_id = data["ref"], lead.pk
        transaction.on_commit(lambda: services.lead_referred.send(sender=Lead, lead_id=lead_id, code=code,
                                                                  source="form", ip=ip_address))
    return lead
