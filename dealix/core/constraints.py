"""Database constraints that repeat across the data model, named `<table>_<field>_<rule>` so an
IntegrityError names what was broken. Forms and services validate first with clear messages; these are
the guarantee underneath when anything else (a bulk path, a bug, a hand-written SQL) gets it wrong."""
from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


def _label(field: str) -> str:
    return field.replace("_", " ")


def between(table: str, field: str, low, high) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": low, f"{field}__lte": high}) | Q(**{f"{field}__isnull": True}),
        name=f"{table}_{field}_between_{low}_{high}".replace(".", "_"),
        violation_error_message=format_lazy(_("The {field} must be between {low} and {high}."),
                                            field=_label(field), low=low, high=high))


def non_negative(table: str, field: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 0}) | Q(**{f"{field}__isnull": True}),
        name=f"{table}_{field}_non_negative",
        violation_error_message=format_lazy(_("The {field} may not be negative."), field=_label(field)))


def percentage(table: str, field: str) -> models.CheckConstraint:
    return between(table, field, 0, 100)


def money_field(verbose_name, **options) -> models.DecimalField:
    """SAR amounts: 12 digits, 2 decimals, always Decimal."""
    options.setdefault("default", 0)
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **options)


def percent_field(verbose_name, **options) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=2, **options)


def currency_field() -> models.CharField:
    from django.utils.translation import gettext_lazy as _
    return models.CharField(_("currency"), max_length=3, default="SAR")
