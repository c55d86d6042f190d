"""django-tables2 base for Dealix lists: the user chooses which columns show; some always do."""
import django_tables2 as tables


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

    def choosable_columns(self):
        return [(column.name, column.header) for column in self.columns.all() if column.name not in self.ALWAYS]

    def default_columns(self):
        return [name for name in self.columns.names() if name not in self.ALWAYS and name not in self.OPTIONAL_HIDDEN]
