from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class EmailLoginForm(AuthenticationForm):
    username = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True,
                                                                               "autocomplete": "email"}))
    error_messages = {
        "invalid_login": _("The email or password is not right. Both are case-sensitive for the password."),
        "inactive": _("This account is inactive. Ask your administrator to reactivate it."),
    }

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=[("ar", "العربية"), ("en", "English")])
    next = forms.CharField(required=False)
