"""Filters of the CRM lists (django-filter). Dropdowns of people offer only the sales team members the
user may see work of, and every filter is applied to the already visible queryset."""
import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from crm.choices import LeadSource, LeadStatus, ScoreBand, Sector
from crm.models import Lead
from dealix.accounts import roles
from dealix.accounts.choices import Role
from dealix.accounts.models import User
from dealix.core.entity_list import filter_by_search
from dealix.tenancy.rules import current_rules


def team_members(request):
    """Owners to filter by: everyone working leads for managers and viewers; an agent only themselves."""
    if request is None:
        return User.objects.none()
    users = User.objects.filter(is_active=True, role__in=[Role.AGENT, Role.MANAGER, Role.ADMIN, Role.OWNER])
    if roles.record_scope(request.user) == roles.SCOPE_OWN:
        return users.filter(pk=request.user.pk)
    return users.order_by("full_name")


def bootstrap_widgets(form) -> None:
    """Give every widget of a filter form Bootstrap's class for its kind."""
    for bound in form.fields.values():
        widget = bound.widget
        widgets = getattr(widget, "widgets", [widget])
        for part in widgets:
            if isinstance(part, forms.CheckboxSelectMultiple):
                part.attrs.setdefault("class", "form-check-input")
            elif isinstance(part, forms.Select):
                part.attrs.setdefault("class", "form-select form-select-sm")
            else:
                part.attrs.setdefault("class", "form-control form-control-sm")


class SearchFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"),
                                  widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self.form)

    def search(self, queryset, name, value):
        return filter_by_search(queryset, value)


class LeadFilterSet(SearchFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=LeadStatus.choices, label=_("Status"),
                                                 widget=forms.CheckboxSelectMultiple)
    assigned_to = django_filters.ModelChoiceFilter(queryset=team_members, label=_("Owner"),
                                                   empty_label=_("Anyone"))
    source = django_filters.ChoiceFilter(choices=LeadSource.choices, label=_("Source"), empty_label=_("Any"))
    sector = django_filters.ChoiceFilter(choices=Sector.choices, label=_("Sector"), empty_label=_("Any"))
    city = django_filters.CharFilter(label=_("City"), method="filter_city")
    band = django_filters.ChoiceFilter(choices=ScoreBand.choices, label=_("Score band"), method="filter_band",
                                       empty_label=_("Any"))
    created = django_filters.DateFromToRangeFilter(field_name="created_at", label=_("Created between"),
                                                   widget=django_filters.widgets.RangeWidget(attrs={"type": "date"}))

    class Meta:
        model = Lead
        fields = []

    def filter_city(self, queryset, name, value):
        return queryset.filter(city__iexact=value.strip()) if value.strip() else queryset

    def filter_band(self, queryset, name, value):
        rules = current_rules()
        if value == ScoreBand.HOT:
            return queryset.filter(score__gte=rules.hot_from)
        if value == ScoreBand.WARM:
            return queryset.filter(score__gte=rules.warm_from, score__lt=rules.hot_from)
        if value == ScoreBand.COLD:
            return queryset.filter(score__lt=rules.warm_from)
        return queryset
