"""Custom fields (seed `properties`): an admin defines them per record type; people fill them in on the
record's page; lists filter by them. Values are stored as text and checked against the field's type."""
from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Subquery
from django.utils.translation import gettext as _

from dealix.core.audit import audit
from dealix.core.choices import AuditAction
from dealix.core.models import Property, PropertyDefinition, PropertyType


def definitions_for(entity_type: str):
    return PropertyDefinition.objects.filter(entity_type=entity_type).order_by("position", "label")


def values_for(entity_type: str, entity_id) -> dict[str, str]:
    return dict(Property.objects.filter(entity_type=entity_type, entity_id=entity_id).values_list("key", "value"))


def clean_value(definition: PropertyDefinition, raw: str) -> str:
    """The stored text of a value, or a ValidationError naming the field."""
    value = (raw or "").strip()
    if not value:
        return ""
    label = definition.label
    if definition.field_type == PropertyType.NUMBER:
        try:
            return str(Decimal(value.replace(",", "")))
        except InvalidOperation as error:
            raise ValidationError(_("%(field)s must be a number.") % {"field": label}) from error
    if definition.field_type == PropertyType.DATE:
        try:
            return datetime.date.fromisoformat(value).isoformat()
        except ValueError as error:
            raise ValidationError(_("%(field)s must be a date.") % {"field": label}) from error
    if definition.field_type == PropertyType.CHOICE and value not in definition.choices:
        raise ValidationError(_("%(field)s must be one of its options.") % {"field": label})
    if definition.field_type == PropertyType.YES_NO:
        if value not in ("yes", "no"):
            raise ValidationError(_("%(field)s must be yes or no.") % {"field": label})
    if len(value) > 2000:
        raise ValidationError(_("%(field)s is too long.") % {"field": label})
    return value


@transaction.atomic
def properties_save(*, actor, entity_type: str, entity_id, raw_values: dict[str, str]) -> dict[str, str]:
    """Check every value first, then write them all (or none), with one audit row for the changes."""
    definitions = {definition.key: definition for definition in definitions_for(entity_type)}
    cleaned, errors = {}, []
    for key, raw in raw_values.items():
        if key in definitions:
            try:
                cleaned[key] = clean_value(definitions[key], raw)
            except ValidationError as error:
                errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    before = values_for(entity_type, entity_id)
    for key, value in cleaned.items():
        if value:
            Property.objects.update_or_create(entity_type=entity_type, entity_id=entity_id, key=key,
                                              defaults={"value": value})
        else:
            Property.objects.filter(entity_type=entity_type, entity_id=entity_id, key=key).delete()
    changes = {f"property.{key}": [before.get(key), value or None] for key, value in cleaned.items()
               if (before.get(key) or "") != value}
    if changes:
        audit(actor=actor, action=AuditAction.UPDATE, entity_type=f"crm.{entity_type}", entity_id=entity_id,
              changes=changes)
    return values_for(entity_type, entity_id)


def filter_by_property(queryset, entity_type: str, key: str, value: str):
    matching = Property.objects.filter(entity_type=entity_type, key=key, value=value).values("entity_id")
    return queryset.filter(pk__in=Subquery(matching))


class PropertyFilterMixin:
    """For a FilterSet: one filter per filterable custom field of PROPERTY_ENTITY, named `prop_<key>`."""

    PROPERTY_ENTITY = ""

    def add_extra_filters(self):
        import django_filters
        from django import forms
        from django.utils.translation import get_language
        super().add_extra_filters()
        language = get_language()
        for definition in definitions_for(self.PROPERTY_ENTITY).filter(is_filterable=True):
            name = f"prop_{definition.key}"
            method = self._property_method(definition.key)
            label = definition.display_label(language)
            if definition.field_type == PropertyType.CHOICE:
                self.filters[name] = django_filters.ChoiceFilter(
                    choices=[(choice, choice) for choice in definition.choices], label=label, method=method,
                    widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
            elif definition.field_type == PropertyType.YES_NO:
                self.filters[name] = django_filters.ChoiceFilter(
                    choices=[("yes", _("Yes")), ("no", _("No"))], label=label, method=method,
                    widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
            else:
                self.filters[name] = django_filters.CharFilter(
                    label=label, method=method, widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))

    def _property_method(self, key):
        def apply(queryset, name, value):
            return filter_by_property(queryset, self.PROPERTY_ENTITY, key, clean_filter_value(value))
        return apply


def clean_filter_value(value: str) -> str:
    return (value or "").strip()
