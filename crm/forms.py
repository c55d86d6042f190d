from django import forms
from django.utils.translation import gettext_lazy as _

from crm.choices import BudgetSignal, EngagementSignal, LeadStatus, Sector
from crm.models import Lead
from dealix.core.phones import normalise_phone


class LeadForm(forms.ModelForm):
    sector = forms.ChoiceField(label=_("Sector"), choices=[("", "—")] + list(Sector.choices), required=False)
    engagement_signals = forms.MultipleChoiceField(label=_("Engagement signals"), choices=EngagementSignal.choices,
                                                   required=False, widget=forms.CheckboxSelectMultiple)
    budget_signals = forms.MultipleChoiceField(label=_("Budget signals"), choices=BudgetSignal.choices,
                                               required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Lead
        fields = ["full_name", "phone", "email", "company_name", "sector", "city", "source", "employees",
                  "engagement_signals", "budget_signals", "timing", "notes"]
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "dir": "ltr"}),
                   "email": forms.EmailInput(attrs={"dir": "ltr"}),
                   "notes": forms.Textarea(attrs={"rows": 3})}

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "")
        return normalise_phone(phone) or phone if phone else ""

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("phone") and not cleaned.get("email"):
            raise forms.ValidationError(_("Give at least a phone number or an email, so the lead can be reached."))
        return cleaned


class BulkLeadForm(forms.Form):
    ACTIONS = [("assign", _("Assign to")), ("status", _("Change status to")), ("send", _("Send a template")),
               ("export", _("Export selected"))]
    action = forms.ChoiceField(choices=ACTIONS)
    selected = forms.TypedMultipleChoiceField(coerce=str, choices=[])
    assignee = forms.UUIDField(required=False)
    status = forms.ChoiceField(choices=[("", "—")] + [c for c in LeadStatus.choices if c[0] != LeadStatus.CONVERTED],
                               required=False)
    lost_reason = forms.CharField(required=False, max_length=1000)
    template = forms.UUIDField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The ids are checked against the visible queryset in the view, not against a fixed list.
        self.fields["selected"].valid_value = lambda value: True


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=[c for c in LeadStatus.choices if c[0] != LeadStatus.CONVERTED])
    lost_reason = forms.CharField(required=False, max_length=2000, label=_("Why was it lost?"))


class ConvertForm(forms.Form):
    deal_title = forms.CharField(label=_("Deal title"), max_length=255, required=False)
    deal_value = forms.DecimalField(label=_("Expected value (SAR)"), max_digits=12, decimal_places=2, min_value=0,
                                    required=False)


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Note"), max_length=10000, widget=forms.Textarea(attrs={"rows": 2}))


class TaskForm(forms.Form):
    subject = forms.CharField(label=_("Task"), max_length=255)
    scheduled_at = forms.DateTimeField(label=_("Due"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                       input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])


class DealMoveForm(forms.Form):
    stage = forms.ChoiceField(choices=[])
    lost_reason = forms.CharField(required=False, max_length=2000, label=_("Why was it lost?"))

    def __init__(self, *args, **kwargs):
        from crm.choices import DealStage
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = DealStage.choices
