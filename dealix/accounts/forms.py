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


class NotificationPreferencesForm(forms.Form):
    """One row of checkboxes per kind of notification: the channels it reaches the user on."""

    def __init__(self, *args, **kwargs):
        from dealix.core.notifications import NotificationType, OFFERED_CHANNELS
        from dealix.core.choices import NotificationChannel
        super().__init__(*args, **kwargs)
        labels = dict(NotificationChannel.choices)
        for value, label in NotificationType.choices:
            self.fields[value] = forms.MultipleChoiceField(
                label=label, required=False, widget=forms.CheckboxSelectMultiple,
                choices=[(channel, labels[channel]) for channel in OFFERED_CHANNELS])

    def rows(self):
        """(field, [(channel, label, checked)]) for the table of the page."""
        for name, field in self.fields.items():
            bound = self[name]
            chosen = {str(value) for value in (bound.value() or [])}
            yield bound, [(channel, label, channel in chosen) for channel, label in field.choices]
