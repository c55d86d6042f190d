from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dealix.accounts.choices import Language
from dealix.tenancy.services import validate_slug


class SignupForm(forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=255)
    slug = forms.CharField(label=_("Your Dealix address"), max_length=100,
                           help_text=_("Lower-case English letters, digits and hyphens, e.g. acme-trading."))
    full_name = forms.CharField(label=_("Your full name"), max_length=255)
    email = forms.EmailField(label=_("Work email"), max_length=255)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=_("At least 10 characters, not only digits, not a common password."))
    language = forms.ChoiceField(label=_("Language of your workspace"), choices=Language.choices,
                                 initial=Language.ARABIC)
    accept_terms = forms.BooleanField(label=_("I accept the terms of service and the privacy policy"))

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        validate_slug(slug)
        return slug

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            try:
                password_validation.validate_password(password)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned
