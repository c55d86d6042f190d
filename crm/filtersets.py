"""Filters of the CRM lists (django-filter). Dropdowns of people offer only the sales team members the
user may see work of, and every filter is applied to the already visible queryset."""
import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.choices import (ActivityType, CallStatus, CompanySize, ConsentStatus, DealStage, Direction, LeadSource,
                         LeadStatus, MessageChannel, MessagePurpose, MessageReason, MessageStatus, Priority,
                         ProspectStatus, ScoreBand, Sector, Sentiment)
from crm.models import Activity, Call, Company, Contact, Customer, Deal, Lead, Message, Prospect
from dealix.accounts import roles
from dealix.accounts.choices import Language, Role
from dealix.accounts.models import User
from dealix.core.entity_list import filter_by_search, search_condition
from dealix.core.properties import PropertyFilterMixin
from dealix.tenancy.rules import current_rules


def team_members(request):
    """Owners to filter by: everyone working leads for managers and viewers; an agent only themselves."""
    if request is None:
        return User.objects.none()
    users = User.objects.filter(is_active=True, role__in=[Role.AGENT, Role.MANAGER, Role.ADMIN, Role.OWNER])
    if roles.record_scope(request.user) == roles.SCOPE_OWN:
        return users.filter(pk=request.user.pk)
    return users.order_by("full_name")


def assignee_choices(request) -> list[tuple]:
    """(id, name) of the people a lead can be given to, for a select written with {% options %}."""
    return list(team_members(request).values_list("pk", "full_name"))


def team_member_choices(request):
    """team_members for an "Owner" filter: only what the dropdown shows (whole user rows made the
    filter panel's one query cost more than the rest of the panel)."""
    return team_members(request).only("id", "full_name", "email")


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
        self.add_extra_filters()
        bootstrap_widgets(self.form)

    def add_extra_filters(self):
        """Filters known only at request time (custom fields); added before the form is built."""

    @property
    def form(self):
        """The filter form, built as an instance with this request's fields: django-filter makes a new
        form class per request (a metaclass pass and a deep copy of every field), which cost a list page
        more than its count query. The fields are the filters' own, already fresh for this request."""
        if not hasattr(self, "_form"):
            form = self._meta.form(self.data if self.is_bound else None, prefix=self.form_prefix)
            form.fields = {name: filter_.field for name, filter_ in self.filters.items()}
            self._form = form
        return self._form

    def search(self, queryset, name, value):
        return filter_by_search(queryset, value)


class LeadFilterSet(PropertyFilterMixin, SearchFilterSet):
    PROPERTY_ENTITY = "lead"

    status = django_filters.MultipleChoiceFilter(choices=LeadStatus.choices, label=_("Status"), distinct=False,
                                                 widget=forms.CheckboxSelectMultiple)
    assigned_to = django_filters.ModelChoiceFilter(queryset=team_member_choices, label=_("Owner"),
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


# --- the other CRM lists (prospects, deals, contacts, companies, customers, activities, calls) -----

def _date_range(field_name: str, label):
    return django_filters.DateFromToRangeFilter(field_name=field_name, label=label,
                                                widget=django_filters.widgets.RangeWidget(attrs={"type": "date"}))


def _owner(field_name: str):
    return django_filters.ModelChoiceFilter(field_name=field_name, queryset=team_member_choices, label=_("Owner"),
                                            empty_label=_("Anyone"))


def _checkboxes(choices, label):
    # distinct=False: these filter a column of the list's own table, so no row can repeat; django-filter's
    # default DISTINCT made PostgreSQL sort and de-duplicate every matching row (the capped count doubled).
    return django_filters.MultipleChoiceFilter(choices=choices, label=label, widget=forms.CheckboxSelectMultiple,
                                               distinct=False)


def _iexact(queryset, field_name: str, value: str):
    value = (value or "").strip()
    return queryset.filter(**{f"{field_name}__iexact": value}) if value else queryset


def search_related(queryset, value: str, *relations: str):
    """Search records that have no `search_text` of their own through the normalised text of the
    people or companies they belong to (each relation's `search_text` has its trigram index)."""
    needle = search_condition(value or "")
    if not needle:
        return queryset
    condition = Q()
    for relation in relations:
        condition |= Q(**{f"{relation}__search_text__contains": needle})
    return queryset.filter(condition)


ACTIVE_CHOICES = (("yes", _("Active")), ("no", _("Inactive")))


class ProspectFilterSet(SearchFilterSet):
    status = _checkboxes(ProspectStatus.choices, _("Status"))
    priority = _checkboxes(Priority.choices, _("Priority"))
    owner = _owner("owner")
    sector = django_filters.ChoiceFilter(choices=Sector.choices, label=_("Sector"), empty_label=_("Any"))
    created = _date_range("created_at", _("Created between"))

    class Meta:
        model = Prospect
        fields = []

    def search(self, queryset, name, value):
        return search_related(queryset, value, "company", "contact")


class DealFilterSet(SearchFilterSet):
    stage = _checkboxes(DealStage.choices, _("Stage"))
    assigned_to = _owner("assigned_to")
    sector = django_filters.ChoiceFilter(field_name="company__sector", choices=Sector.choices, label=_("Sector"),
                                         empty_label=_("Any"))
    value_from = django_filters.NumberFilter(field_name="value", lookup_expr="gte", label=_("Value at least (SAR)"),
                                             min_value=0)
    expected_close = _date_range("expected_close", _("Expected close between"))
    created = _date_range("created_at", _("Created between"))

    class Meta:
        model = Deal
        fields = []


class ContactFilterSet(SearchFilterSet):
    consent_status = _checkboxes(ConsentStatus.choices, _("Consent"))
    owner = _owner("owner")
    sector = django_filters.ChoiceFilter(field_name="company__sector", choices=Sector.choices, label=_("Sector"),
                                         empty_label=_("Any"))
    city = django_filters.CharFilter(label=_("City"), method="filter_city")
    language = django_filters.ChoiceFilter(choices=Language.choices, label=_("Language"), empty_label=_("Any"))
    active = django_filters.ChoiceFilter(choices=ACTIVE_CHOICES, label=_("Active"), method="filter_active",
                                         empty_label=_("Any"))
    created = _date_range("created_at", _("Created between"))

    class Meta:
        model = Contact
        fields = []

    def filter_city(self, queryset, name, value):
        return _iexact(queryset, "company__city", value)

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "yes") if value else queryset


class CompanyFilterSet(SearchFilterSet):
    sector = django_filters.ChoiceFilter(choices=Sector.choices, label=_("Sector"), empty_label=_("Any"))
    size = _checkboxes(CompanySize.choices, _("Size"))
    city = django_filters.CharFilter(label=_("City"), method="filter_city")
    region = django_filters.CharFilter(label=_("Region"), method="filter_region")
    active = django_filters.ChoiceFilter(choices=ACTIVE_CHOICES, label=_("Active"), method="filter_active",
                                         empty_label=_("Any"))
    created = _date_range("created_at", _("Created between"))

    class Meta:
        model = Company
        fields = []

    def filter_city(self, queryset, name, value):
        return _iexact(queryset, "city", value)

    def filter_region(self, queryset, name, value):
        return _iexact(queryset, "region", value)

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "yes") if value else queryset


class CustomerFilterSet(SearchFilterSet):
    owner = _owner("deal__assigned_to")
    value_from = django_filters.NumberFilter(field_name="lifetime_value", lookup_expr="gte",
                                             label=_("Lifetime value at least (SAR)"), min_value=0)
    activated = _date_range("activated_at", _("Activated between"))
    created = _date_range("created_at", _("Created between"))

    class Meta:
        model = Customer
        fields = []


class ActivityFilterSet(SearchFilterSet):
    """Activities have no normalised search text: the box looks in the subject (255 characters)."""
    STATE_CHOICES = (("open", _("Open")), ("overdue", _("Overdue")), ("done", _("Done")))

    type = _checkboxes(ActivityType.choices, _("Type"))
    user = _owner("user")
    state = django_filters.ChoiceFilter(choices=STATE_CHOICES, label=_("State"), method="filter_state",
                                        empty_label=_("Any"))
    scheduled = _date_range("scheduled_at", _("Due between"))
    created = _date_range("created_at", _("Created between"))

    class Meta:
        model = Activity
        fields = []

    def search(self, queryset, name, value):
        value = (value or "").strip()[:255]
        return queryset.filter(subject__icontains=value) if value else queryset

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(completed_at__isnull=True)
        if value == "overdue":
            return queryset.filter(completed_at__isnull=True, scheduled_at__lt=timezone.now())
        if value == "done":
            return queryset.filter(completed_at__isnull=False)
        return queryset


class CallFilterSet(SearchFilterSet):
    """The search box finds calls by the lead's or contact's name or phone."""
    direction = django_filters.ChoiceFilter(choices=Direction.choices, label=_("Direction"), empty_label=_("Any"))
    status = _checkboxes(CallStatus.choices, _("Status"))
    user = _owner("user")
    sentiment = django_filters.ChoiceFilter(choices=Sentiment.choices, label=_("Sentiment"), empty_label=_("Any"))
    created = _date_range("created_at", _("Called between"))

    class Meta:
        model = Call
        fields = []

    def search(self, queryset, name, value):
        return search_related(queryset, value, "lead", "contact")


class MessageFilterSet(SearchFilterSet):
    """Every message of every channel; "outbox" shows what was recorded but not sent because the tenant
    has not connected that channel."""
    channel = _checkboxes(MessageChannel.choices, _("Channel"))
    direction = django_filters.ChoiceFilter(choices=Direction.choices, label=_("Direction"), empty_label=_("Any"))
    status = _checkboxes(MessageStatus.choices, _("Status"))
    reason_code = django_filters.ChoiceFilter(choices=MessageReason.choices, label=_("Reason"), empty_label=_("Any"))
    purpose = django_filters.ChoiceFilter(choices=MessagePurpose.choices, label=_("Purpose"), empty_label=_("Any"))
    outbox = django_filters.ChoiceFilter(method="only_outbox", label=_("Outbox"), empty_label=_("Any"),
                                         choices=[("yes", _("Only the outbox (recorded, not sent)"))])
    created = _date_range("created_at", _("Written between"))

    class Meta:
        model = Message
        fields = []

    def only_outbox(self, queryset, name, value):
        return queryset.filter(provider_message_id__startswith="outbox-") if value == "yes" else queryset

    def search(self, queryset, name, value):
        return search_related(queryset, value, "lead", "contact")
