"""Template helpers: dates in Riyadh time with the Hijri date beside them, money in SAR."""
import datetime
import functools
from decimal import Decimal

from django import template
from django.utils import formats, timezone, translation
from django.utils.html import format_html
from hijridate import Gregorian

register = template.Library()


def hijri_text(value: datetime.date) -> str:
    return _hijri_text(value, "ar" if translation.get_language() == "ar" else "en")


@functools.lru_cache(maxsize=4096)
def _hijri_text(value: datetime.date, language: str) -> str:
    try:
        hijri = Gregorian(value.year, value.month, value.day).to_hijri()
    except (OverflowError, ValueError):  # outside the Umm al-Qura table (1343–1500 AH)
        return ""
    return f"{hijri.day} {hijri.month_name(language)} {hijri.year} {hijri.notation(language)}"


def _local(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value) if timezone.is_aware(value) else value
    return value


@register.filter
def hijri(value):
    """The Hijri (Umm al-Qura) date of a date or datetime, in the active language."""
    if not value:
        return ""
    value = _local(value)
    return hijri_text(value.date() if isinstance(value, datetime.datetime) else value)


@register.filter
def dual_date(value, with_time=True):
    """Gregorian date (and time, in Riyadh) with the Hijri date beside it, in a <time> element."""
    if not value:
        return ""
    value = _local(value)
    is_datetime = isinstance(value, datetime.datetime)
    gregorian = formats.date_format(value, "DATETIME_FORMAT" if is_datetime and with_time else "DATE_FORMAT")
    day = value.date() if is_datetime else value
    return format_html('<time datetime="{}">{}</time> <span class="text-body-secondary small">({})</span>',
                       value.isoformat(), gregorian, hijri_text(day))


@register.filter
def short_date(value):
    """A compact Gregorian date for tables, with the Hijri date (and time) in its tooltip."""
    if not value:
        return ""
    value = _local(value)
    is_datetime = isinstance(value, datetime.datetime)
    day = value.date() if is_datetime else value
    tooltip = hijri_text(day) + (f" · {value:%H:%M}" if is_datetime else "")
    return format_html('<time datetime="{}" title="{}" class="text-nowrap">{}</time>', value.isoformat(), tooltip,
                       formats.date_format(value, "j M Y"))


@register.filter
def sar(value):
    """An amount in Saudi riyals, formatted for the active language: what babel's CLDR patterns give
    (`‏1,499.50 ر.س.‏`, `SAR 1,499.50`), written directly because boards format hundreds per page."""
    if value in (None, ""):
        return ""
    amount = Decimal(value)
    if translation.get_language() == "ar":
        return f"\u200f{amount:,.2f}\xa0ر.س.\u200f"
    sign = "-" if amount < 0 else ""
    return f"{sign}SAR\xa0{abs(amount):,.2f}"


@register.simple_tag
def now_hijri():
    """Today's Hijri date in Riyadh."""
    return hijri_text(timezone.localdate())


@register.filter
def add_class(bound_field, css_class):
    """Render a form field with extra CSS classes: {{ form.name|add_class:"form-control" }}."""
    return bound_field.as_widget(attrs={"class": css_class})


@register.simple_tag
def filter_field(bound_field):
    """A list's filter control, written directly: Django's widget templates render every <option>
    through a template of its own, which costs a list page more than its whole table body.
    Selects, check-box lists and single inputs are written here; any other widget renders as usual."""
    from django import forms
    from django.forms.widgets import Input
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    widget = bound_field.field.widget
    name, auto_id = bound_field.html_name, bound_field.auto_id
    css = widget.attrs.get("class", "")
    value = bound_field.value()
    if isinstance(widget, forms.CheckboxSelectMultiple):
        chosen = {str(item) for item in (value or [])}
        parts = []
        for index, (option, label) in enumerate(bound_field.field.choices):
            option_id = f"{auto_id}_{index}"
            checked = " checked" if str(option) in chosen else ""
            parts.append(f'<div class="form-check"><input type="checkbox" name="{escape(name)}" value="{escape(option)}"'
                         f' id="{option_id}" class="{escape(css)}"{checked}><label class="form-check-label"'
                         f' for="{option_id}">{escape(label)}</label></div>')
        return mark_safe("".join(parts))
    if isinstance(widget, forms.Select) and not isinstance(widget, forms.SelectMultiple):
        current = "" if value is None else str(value)
        field = bound_field.field
        if isinstance(field, forms.ModelChoiceField):
            # A plain query, not ModelChoiceIterator's server-side cursor (three round trips).
            choices = ([("", field.empty_label)] if field.empty_label is not None else []) + [
                (obj.pk, field.label_from_instance(obj)) for obj in field.queryset]
        else:
            choices = field.choices
        options = "".join(
            f'<option value="{escape(option)}"{" selected" if str(option) == current else ""}>{escape(label)}</option>'
            for option, label in choices)
        return mark_safe(f'<select name="{escape(name)}" id="{auto_id}" class="{escape(css)}">{options}</select>')
    if isinstance(widget, Input) and not isinstance(widget, (forms.FileInput, forms.CheckboxInput)):
        input_type = widget.attrs.get("type", widget.input_type)
        shown = "" if value in (None, "") else str(value)
        return mark_safe(f'<input type="{escape(input_type)}" name="{escape(name)}" id="{auto_id}"'
                         f' class="{escape(css)}" value="{escape(shown)}">')
    return bound_field.as_widget()
