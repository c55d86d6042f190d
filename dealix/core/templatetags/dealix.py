"""Template helpers: dates in Riyadh time with the Hijri date beside them, money in SAR."""
import datetime
import functools
import html
from decimal import Decimal

from django import template
from django.utils import formats, timezone, translation
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
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
def short_date(value, zone=None, language=None):
    """A compact Gregorian date for tables, with the Hijri date (and time) in its tooltip. Lists show
    hundreds of these, so each day's two texts are formatted once per language and the markup is written
    directly (Django's date formatting and format_html were a fifth of a list page). `zone` and
    `language`: the current ones, when the caller (a table) already has them."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime) and zone is not None and timezone.is_aware(value):
        value = value.astimezone(zone)
    else:
        value = _local(value)
    is_datetime = isinstance(value, datetime.datetime)
    day = value.date() if is_datetime else value
    language = "ar" if (language or translation.get_language()) == "ar" else "en"
    tooltip = _hijri_text(day, language) + (f" · {value:%H:%M}" if is_datetime else "")
    return SafeString(f'<time datetime="{value.isoformat()}" title="{html.escape(tooltip)}" class="text-nowrap">'
                      f"{_short_day(day, language)}</time>")


@functools.lru_cache(maxsize=4096)
def _short_day(day: datetime.date, language: str) -> str:
    with translation.override(language):
        return escape(formats.date_format(day, "j M Y"))


@register.filter
def sar(value, language=None):
    """An amount in Saudi riyals, formatted for the active language (or `language`): what babel's CLDR
    patterns give (`‏1,499.50 ر.س.‏`, `SAR 1,499.50`), written directly because boards format hundreds."""
    if value in (None, ""):
        return ""
    amount = Decimal(value)
    if (language or translation.get_language()) == "ar":
        return f"\u200f{amount:,.2f}\xa0ر.س.\u200f"
    sign = "-" if amount < 0 else ""
    return f"{sign}SAR\xa0{abs(amount):,.2f}"


@register.simple_tag
def now_hijri():
    """Today's Hijri date in Riyadh."""
    return hijri_text(timezone.localdate())


@register.filter
def add_class(bound_field, css_class):
    """Render a form field with extra CSS classes: {{ form.name|add_class:"form-control" }}.
    Text inputs and text areas are written directly, with the same markup as Django's widget templates
    (each of which costs three template renders); any other widget renders through Django."""
    from django import forms
    widget = bound_field.field.widget
    is_textarea = type(widget) is forms.Textarea
    if not (_is_plain_input(widget) or is_textarea) or bound_field.field.localize:
        return bound_field.as_widget(attrs={"class": css_class})
    attrs = bound_field.build_widget_attrs({"class": css_class}, widget)
    if bound_field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound_field.auto_id)
    attributes = "".join(f" {name}" if value is True else f' {name}="{escape(value)}"'
                         for name, value in {**widget.attrs, **attrs}.items() if value is not False)
    value = widget.format_value(bound_field.value())
    if isinstance(widget, forms.PasswordInput) and not widget.render_value:
        value = None  # a typed password is never sent back
    name = escape(bound_field.html_name)
    if is_textarea:
        return mark_safe(f'<textarea name="{name}"{attributes}>\n{escape(value) if value else ""}</textarea>')
    shown = "" if value is None else f' value="{escape(value)}"'
    return mark_safe(f'<input type="{escape(widget.input_type)}" name="{name}"{shown}{attributes}>')


@register.simple_tag
def options(choices, chosen=None):
    """`<option>`s for a select written in one pass: {% options form.fields.x.choices form.x.value %}. A
    template loop costs three nodes an option, and some selects (templates, team members) have dozens.
    The chosen value is compared as text, as the browser sends it back."""
    chosen = "" if chosen is None else str(chosen)

    def written(pairs) -> str:
        return "".join(
            f'<optgroup label="{escape(value)}">{written(label)}</optgroup>' if isinstance(label, (list, tuple))
            else f'<option value="{escape(value)}"{" selected" if str(value) == chosen else ""}>{escape(label)}</option>'
            for value, label in pairs)
    return mark_safe(written(choices))


@register.simple_tag
def filter_group(bound_field):
    """One filter of a list's panel: its label (a <label> for one control, a <fieldset>'s legend for a
    group of check boxes or a range), the control and its errors, written in one pass."""
    from django import forms
    widget = bound_field.field.widget
    control = filter_field(bound_field)
    errors = "".join(f"<li>{escape(error)}</li>" for error in bound_field.errors)
    errors = f'<ul class="errorlist">{errors}</ul>' if errors else ""
    label = escape(bound_field.label)
    if isinstance(widget, (forms.CheckboxSelectMultiple, forms.MultiWidget)):
        return mark_safe(f'<fieldset class="mb-3"><legend class="form-label fw-semibold mb-1 fs-6">{label}</legend>'
                         f'{control}{errors}</fieldset>')
    return mark_safe(f'<div class="mb-3"><label class="form-label fw-semibold mb-1" for="{bound_field.auto_id}">'
                     f'{label}</label>{control}{errors}</div>')


def filter_field(bound_field):
    """A list's filter control, written directly: Django's widget templates render every <option>
    through a template of its own, which costs a list page more than its whole table body.
    Selects, check-box lists and single inputs are written here; any other widget renders as usual."""
    from django import forms

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
        current = value
        field = bound_field.field
        if isinstance(field, forms.ModelChoiceField):
            # A plain query, not ModelChoiceIterator's server-side cursor (three round trips).
            choices = ([("", field.empty_label)] if field.empty_label is not None else []) + [
                (obj.pk, field.label_from_instance(obj)) for obj in field.queryset]
        else:
            choices = field.choices
        return mark_safe(f'<select name="{escape(name)}" id="{auto_id}" class="{escape(css)}">'
                         f'{options(choices, current)}</select>')
    if _is_plain_input(widget):
        return mark_safe(_plain_input(widget, name, auto_id, value))
    if isinstance(widget, forms.MultiWidget) and all(_is_plain_input(part) for part in widget.widgets):
        # A range (from – to): each part named with its suffix and numbered like Django's MultiWidget does.
        values = value if isinstance(value, (list, tuple)) else widget.decompress(value)
        suffixes = getattr(widget, "suffixes", None)  # django-filter's ranges: created_min / created_max
        names = ([f"{name}_{suffix}" if suffix else name for suffix in suffixes] if suffixes
                 else [f"{name}{suffix}" for suffix in widget.widgets_names])
        parts = [_plain_input(part, names[index], f"{auto_id}_{index}",
                              values[index] if index < len(values) else None, extra_attrs=widget.attrs,
                              label=(translation.gettext("%(field)s: until") if index
                                     else translation.gettext("%(field)s: from")) % {"field": bound_field.label})
                 for index, part in enumerate(widget.widgets)]
        return mark_safe(f'<div class="vstack gap-1">{"".join(parts)}</div>')  # stacked: a side panel is narrow
    return bound_field.as_widget()


def _is_plain_input(widget) -> bool:
    from django import forms
    from django.forms.widgets import Input
    return isinstance(widget, Input) and not isinstance(widget, (forms.FileInput, forms.CheckboxInput))


def _plain_input(widget, name: str, auto_id: str, value, label: str = "", extra_attrs=None) -> str:
    attrs = {**(extra_attrs or {}), **widget.attrs}
    input_type = attrs.get("type", widget.input_type)
    css = attrs.get("class", "")
    shown = "" if value in (None, "") else str(value)
    labelled = f' aria-label="{escape(label)}"' if label else ""
    return (f'<input type="{escape(input_type)}" name="{escape(name)}" id="{auto_id}" class="{escape(css)}"'
            f' value="{escape(shown)}"{labelled}>')
