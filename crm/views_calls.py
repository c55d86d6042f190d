"""The "Calls" card of a lead: the call script, logging a call, recent calls, and the switch-channel
hint. One URL serves the card to htmx (the lead page loads it, the form re-renders it) and, without
JavaScript, a page of its own."""
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _, gettext_lazy

from crm import calls
from crm.choices import CallStatus, Direction, Sentiment
from crm.models import Lead
from dealix.accounts import roles
from dealix.accounts.choices import Language

class CallForm(forms.Form):
    direction = forms.ChoiceField(label=gettext_lazy("Direction"), choices=Direction.choices,
                                  initial=Direction.OUTBOUND)
    # "Ringing" is a live state a telephony integration reports, not something one logs afterwards.
    status = forms.ChoiceField(label=gettext_lazy("How did it go?"),
                               choices=[(value, label) for value, label in CallStatus.choices
                                        if value != CallStatus.RINGING],
                               initial=CallStatus.ANSWERED)
    duration = forms.CharField(label=gettext_lazy("Duration"), required=False, max_length=12,
                               help_text=gettext_lazy("Minutes:seconds, e.g. 4:30. Leave empty for a missed call."))
    outcome = forms.CharField(label=gettext_lazy("Outcome"), required=False, max_length=50,
                              help_text=gettext_lazy("In a few words, e.g. demo booked."))
    sentiment = forms.ChoiceField(label=gettext_lazy("Mood"), required=False,
                                  choices=[("", "—"), *Sentiment.choices])
    recording_url = forms.CharField(label=gettext_lazy("Recording link"), required=False, max_length=1000)
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, max_length=10000, widget=forms.Textarea)

    def clean_duration(self) -> int:
        """Minutes, minutes:seconds or hours:minutes:seconds → seconds."""
        text = (self.cleaned_data.get("duration") or "").strip()
        text = text.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789"))
        if not text:
            return 0
        parts = text.split(":")
        if len(parts) > 3 or not all(part.isascii() and part.isdigit() for part in parts):
            raise ValidationError(_("Write the duration as minutes:seconds, e.g. 4:30."), code="duration")
        numbers = [int(part) for part in parts]
        if any(number > 59 for number in numbers[1:]):
            raise ValidationError(_("Write the duration as minutes:seconds, e.g. 4:30."), code="duration")
        seconds = 0
        for number in numbers:  # minutes | minutes:seconds | hours:minutes:seconds
            seconds = seconds * 60 + number
        return seconds * 60 if len(numbers) == 1 else seconds


# service field → form field, for errors the service finds
_FIELD_OF = {"duration_seconds": "duration"}


def _visible_lead(request, pk) -> Lead:
    return get_object_or_404(Lead.objects.visible_to(request.user).select_related("assigned_to"), pk=pk)


def _card_context(request, lead: Lead, form: CallForm | None = None) -> dict:
    language = request.GET.get("script_language")
    if language not in Language.values:
        language = calls.script_language(lead=lead, user=request.user)
    recent = calls.recent_calls(lead)
    for call in recent:
        minutes, seconds = divmod(call.duration_seconds, 60)
        call.duration_text = f"{minutes}:{seconds:02d}"
        call.has_recording = call.recording_url.lower().startswith(("https://", "http://"))
    return {
        "lead": lead, "calls_loaded": True, "calls": recent,
        "call_form": form or CallForm(),
        "call_script": calls.call_script(lead=lead, user=request.user, language=language),
        "script_language": language, "script_rtl": language == Language.ARABIC,
        "script_languages": Language.choices,
        "switch_suggestion": calls.channel_switch_suggestion(lead),
        "can_work": roles.can(request.user, roles.CRM_WORK),
    }


def _render_card(request, lead: Lead, form: CallForm | None = None):
    context = _card_context(request, lead, form)
    if request.htmx and not request.htmx.boosted:
        response = render(request, "crm/partials/lead_calls.html", context)
    else:
        response = render(request, "crm/lead_calls.html", context)
    response.headers["Vary"] = "HX-Request"
    return response


@roles.capability_required(roles.CRM_VIEW)
def lead_calls(request, pk):
    """GET: the card (or its page). POST: log a call, then the card again with a fresh form."""
    lead = _visible_lead(request, pk)
    if request.method != "POST":
        return _render_card(request, lead)
    roles.require(request.user, roles.CRM_WORK)
    form = CallForm(request.POST)
    if form.is_valid():
        data = {**form.cleaned_data, "duration_seconds": form.cleaned_data["duration"]}
        try:
            calls.call_log(actor=request.user, lead=lead, data=data)
        except ValidationError as error:
            for field, errors in (error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]):
                field = _FIELD_OF.get(field, field)
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Call logged."))
            if not request.htmx:
                return redirect("crm:lead_detail", pk=lead.pk)
            form = None
    # Answered 200 even when refused: htmx swaps only 2xx, and the card carries the errors.
    return _render_card(request, lead, form)
