"""Forms of the meeting pages (the agents' card and the public booking page). A start time is sent as
the ISO text of an offered slot; whether it is still free is the service's answer, not the form's, so a
slot taken in the meantime gets "just taken" rather than "not a valid choice"."""
import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.choices import MeetingType


class StartField(forms.CharField):
    default_error_messages = {"invalid": _("Choose one of the times offered.")}

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class BookingForm(forms.Form):
    meeting_type = forms.ChoiceField(label=_("Type of meeting"), choices=MeetingType.choices,
                                     initial=MeetingType.DEMO)
    start = StartField(label=_("Time"), error_messages={"required": _("Choose a time.")})


class RescheduleForm(forms.Form):
    start = StartField(label=_("New time"), error_messages={"required": _("Choose a time.")})


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is it cancelled?"), max_length=2000,
                             error_messages={"required": _("Say why the meeting is cancelled.")})


class PublicCancelForm(forms.Form):
    reason = forms.CharField(label=_("Would you tell us why? (optional)"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
