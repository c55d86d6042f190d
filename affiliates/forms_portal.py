"""Forms of the partner portal. They check the shape of what was typed; the services decide the rest."""
from django import forms
from django.utils.translation import gettext_lazy as _

from affiliates.choices import DisputeType, PayoutMethod
from affiliates.portal import commission_label
from compliance.choices import ConsentChannel
from crm.choices import Sector
from dealix.core.phones import normalise_phone

# Worded as what the lead told the affiliate: the consent is the lead's, recorded as they gave it.
CONSENT_LABELS = {
    ConsentChannel.WHATSAPP: _("The lead agreed to be contacted on WhatsApp"),
    ConsentChannel.EMAIL: _("The lead agreed to receive emails"),
    ConsentChannel.SMS: _("The lead agreed to receive text messages"),
    ConsentChannel.PHONE: _("The lead agreed to be called"),
}


class RegisterLeadForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=255)
    phone = forms.CharField(label=_("Mobile number"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "dir": "ltr"}))
    email = forms.EmailField(label=_("Email"), max_length=255, required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "off", "dir": "ltr"}))
    company_name = forms.CharField(label=_("Company"), max_length=255, required=False)
    sector = forms.ChoiceField(label=_("Sector"), choices=[("", "—")] + list(Sector.choices), required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    notes = forms.CharField(label=_("What the lead needs"), max_length=3000, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    consent_whatsapp = forms.BooleanField(label=CONSENT_LABELS[ConsentChannel.WHATSAPP], required=False)
    consent_email = forms.BooleanField(label=CONSENT_LABELS[ConsentChannel.EMAIL], required=False)
    consent_sms = forms.BooleanField(label=CONSENT_LABELS[ConsentChannel.SMS], required=False)
    consent_phone = forms.BooleanField(label=CONSENT_LABELS[ConsentChannel.PHONE], required=False)

    LEAD_FIELDS = ("full_name", "phone", "email", "company_name", "sector", "city", "notes")

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "").strip()
        if phone and normalise_phone(phone) is None:
            raise forms.ValidationError(_("Enter a valid mobile number, for example 0501234567."))
        return normalise_phone(phone) if phone else ""

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("phone") and not cleaned.get("email"):
            raise forms.ValidationError(_("Give the lead's mobile number or email so the team can reach them."))
        return cleaned

    def lead_data(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in self.LEAD_FIELDS}

    def consents(self) -> list[str]:
        return [channel for channel, _label in ConsentChannel.choices if self.cleaned_data.get(f"consent_{channel}")]

    def consent_fields(self):
        return [self[f"consent_{channel}"] for channel in ConsentChannel.values]

    def detail_fields(self):
        return [self[name] for name in self.LEAD_FIELDS]


class PayoutDetailsForm(forms.Form):
    payout_method = forms.ChoiceField(label=_("How you are paid"), choices=PayoutMethod.choices)
    bank_name = forms.CharField(label=_("Bank name"), max_length=100, required=False)
    iban = forms.CharField(label=_("IBAN"), max_length=42, required=False,
                           help_text=_("SA followed by 22 digits, as on your bank statement."),
                           widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off", "spellcheck": "false"}))
    wallet_account = forms.CharField(label=_("Wallet account"), max_length=100, required=False,
                                     widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}))


class DisputeOpenForm(forms.Form):
    type = forms.ChoiceField(label=_("What is it about?"), choices=DisputeType.choices)
    commission = forms.ChoiceField(label=_("Commission"), required=False)
    description = forms.CharField(label=_("What is wrong, and what do you expect?"), max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, commissions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.commission_rows = {str(commission.pk): commission for commission in commissions}
        self.fields["commission"].choices = [("", "—")] + [
            (key, commission_label(commission)) for key, commission in self.commission_rows.items()]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("type") == DisputeType.COMMISSION and not cleaned.get("commission"):
            self.add_error("commission", _("Choose the commission this dispute is about."))
        cleaned["commission"] = self.commission_rows.get(cleaned.get("commission") or "")
        return cleaned


class AppealForm(forms.Form):
    description = forms.CharField(label=_("Why should the decision be looked at again?"), max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
