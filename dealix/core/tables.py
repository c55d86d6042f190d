"""django-tables2 base for Dealix lists: the user chooses which columns show; some always do."""
import html

import django_tables2 as tables
from django.utils.safestring import SafeString, mark_safe


_PLACEHOLDER_PK = "00000000-0000-0000-0000-000000000000"
_URL_TEMPLATES: dict = {}


def record_url(url_name: str, pk) -> str:
    """reverse(url_name, args=[pk]) for a record's page (UUID keys), reversed once per URL name, URL
    configuration and script prefix and then filled in: a list page made one reverse() per row and link."""
    from django.urls import get_script_prefix, get_urlconf, reverse
    key = (url_name, get_urlconf(), get_script_prefix())
    template = _URL_TEMPLATES.get(key)
    if template is None:
        template = _URL_TEMPLATES[key] = reverse(url_name, args=[_PLACEHOLDER_PK])
    return template.replace(_PLACEHOLDER_PK, str(pk))


class DealixTable(tables.Table):
    #: columns that cannot be hidden (the record's name, the selection box)
    ALWAYS = ("select",)
    #: columns hidden until the user chooses them
    OPTIONAL_HIDDEN: tuple[str, ...] = ()

    select = tables.CheckBoxColumn(accessor="pk", attrs={
        "th__input": {"aria-label": "select all", "data-select-all": "true"},
        "td__input": {"name": "selected", "form": "bulk-form"}}, orderable=False)

    class Meta:
        attrs = {"class": "table table-hover align-middle mb-0"}
        orderable = False
        template_name = "lists/partials/tables2.html"

    def __init__(self, data, *, request=None, visible=None, **kwargs):
        super().__init__(data, **kwargs)
        self.request = request
        chosen = set(visible) if visible else set(self.default_columns())
        for name in self.columns.names():
            if name not in self.ALWAYS and name not in chosen:
                self.columns.hide(name)

    # What every row's cells ask for, looked up once per table: each lookup goes through the request's
    # thread-local state (URL configuration, language, time zone, tenant), and a page has hundreds of cells.

    def url_for(self, url_name: str, pk) -> str:
        templates = self.__dict__.setdefault("_url_templates", {})
        if url_name not in templates:
            templates[url_name] = record_url(url_name, _PLACEHOLDER_PK)
        return templates[url_name].replace(_PLACEHOLDER_PK, str(pk))

    def labels(self, choices) -> dict:
        cache = self.__dict__.setdefault("_labels", {})
        if choices not in cache:
            cache[choices] = choice_labels(choices)
        return cache[choices]

    def short_date(self, value):
        if "_zone" not in self.__dict__:
            from django.utils import timezone, translation
            self.__dict__["_zone"] = timezone.get_current_timezone()
            self.__dict__["_language"] = translation.get_language()
        from dealix.core.templatetags.dealix import short_date
        return short_date(value, self.__dict__["_zone"], self.__dict__["_language"])

    @property
    def rules(self):
        """The tenant's rules (score bands…)."""
        if "_rules" not in self.__dict__:
            from dealix.tenancy.rules import current_rules
            self.__dict__["_rules"] = current_rules()
        return self.__dict__["_rules"]

    def choosable_columns(self):
        return [(column.name, column.header) for column in self.columns.all() if column.name not in self.ALWAYS]

    def default_columns(self):
        return [name for name in self.columns.names() if name not in self.ALWAYS and name not in self.OPTIONAL_HIDDEN]


# --- fast rendering of the body -------------------------------------------------------------------
# django-tables2 renders every cell through a template with per-cell signature inspection and attribute
# resolution: about 1 ms per row of 12 columns, most of a list page's time. The columns, their accessors,
# defaults, `render_<name>` methods and `td` attributes are the same; only the loop is ours, and each
# column's work that does not depend on the row is done once.

def choice_labels(choices) -> dict:
    """{value: label} of a TextChoices class, as plain strings in the active language, built once per
    language: a lazy label costs a gettext call every time it is shown, and lists show hundreds."""
    from django.utils.translation import get_language
    key = (choices, get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = {value: str(label) for value, label in choices.choices}
    return labels


_LABELS: dict = {}


def _choice_field(model, path: list[str]):
    """The model field an accessor ends on, if it has choices (shown by their label); else None."""
    from django.core.exceptions import FieldDoesNotExist
    current = model
    for position, name in enumerate(path):
        try:
            field = current._meta.get_field(name)
        except (FieldDoesNotExist, AttributeError):
            return None
        if position == len(path) - 1:
            return field if getattr(field, "choices", None) else None
        current = getattr(field, "related_model", None)
        if current is None:
            return None
    return None


def _resolve(record, path: list[str]):
    value = record
    for name in path:
        if value is None:
            return None
        value = getattr(value, name, None)
    return value() if callable(value) and not hasattr(value, "_meta") else value


def _cell_renderer(table, bound_column, model):
    import inspect

    from django.forms.utils import flatatt
    column = bound_column.column
    name = bound_column.name
    td_attrs = column.attrs.get("td", {})
    td = flatatt({key: value for key, value in td_attrs.items() if not callable(value)})
    method = getattr(table, f"render_{name}", None)
    accessor = str(bound_column.accessor).replace(".", "__").split("__")
    if isinstance(column, tables.CheckBoxColumn):
        attrs = flatatt({"type": "checkbox", **column.attrs.get("td__input", {})})
        return td, lambda record: SafeString(f'<input{attrs} value="{record.pk}">')
    choice_field = _choice_field(model, accessor) if model is not None else None
    labels = {value: str(label) for value, label in choice_field.flatchoices} if choice_field else None
    wanted = set(inspect.signature(method).parameters) if method else set()
    empty_values = column.empty_values
    default = column.default
    # The common shapes, without building keyword dictionaries for every cell.
    if len(accessor) == 1 and labels is None:
        attribute = accessor[0]

        def value_of(record):
            value = getattr(record, attribute, None)
            return value() if callable(value) and not hasattr(value, "_meta") else value
    elif labels is not None:
        def value_of(record):
            holder = _resolve(record, accessor[:-1]) if len(accessor) > 1 else record
            raw = getattr(holder, accessor[-1], None) if holder is not None else None
            return labels.get(raw, raw)
    else:
        def value_of(record):
            return _resolve(record, accessor)
    if method is None:
        call = None
    elif wanted <= {"value"}:
        def call(record, value):
            return method(value=value) if wanted else method()
    elif wanted <= {"record"}:
        def call(record, value):
            return method(record=record)
    elif wanted <= {"record", "value"}:
        def call(record, value):
            return method(record=record, value=value)
    else:
        def call(record, value):
            arguments = {"value": value, "record": record, "bound_column": bound_column, "table": table}
            return method(**{key: arguments[key] for key in wanted if key in arguments})

    def render(record):
        value = value_of(record)
        if value in empty_values:
            return default
        return value if call is None else call(record, value)

    return td, render


# Per-cell markup is built as SafeString(...) rather than mark_safe(...): mark_safe goes through Django's
# lazy-string wrapper on every call, and a page builds hundreds of cells.


def as_html(value) -> str:
    """conditional_escape without Django's lazy-string wrapper around it (hundreds of cells a page)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def fast_body(table) -> str:
    records = list(table.data)
    if not records:
        return ""
    model = type(records[0]) if hasattr(records[0], "_meta") else None
    renderers = [_cell_renderer(table, bound_column, model) for bound_column in table.columns]
    rows = []
    for record in records:
        cells = "".join(f"<td{td}>{as_html(render(record))}</td>" for td, render in renderers)
        rows.append(f"<tr>{cells}</tr>")
    return mark_safe("".join(rows))


DealixTable.fast_body = property(fast_body)
