"""Declarative list pages (NetBox-style): an `EntityList` says what a list shows, how it filters, sorts
and exports; `render_entity_list` serves the full page and, for htmx, only the table fragment that the
page itself includes, so the page and its live search can never drift apart.

Every list starts from the user's visible queryset, pages with keysets (dealix.core.listing) and runs
the same number of queries whatever the number of rows."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dealix.core.listing import keyset_page
from dealix.core.models import SavedView
from dealix.core.text import normalise_digits, normalise_text

PER_PAGE_CHOICES = (25, 50, 100)
LIST_PARAMS = {"cursor", "per_page", "view"}  # not filters: never saved in a view


@dataclass(frozen=True)
class Sort:
    label: object
    ordering: tuple[str, ...]  # must end with the primary key


# The time orders every list offers (each needs an index on the field and the primary key).
NEWEST_FIRST = Sort(_("Newest first"), ("-created_at", "-id"))
OLDEST_FIRST = Sort(_("Oldest first"), ("created_at", "id"))
RECENTLY_UPDATED = Sort(_("Recently updated"), ("-updated_at", "-id"))


@dataclass
class EntityList:
    key: str
    title: object
    queryset: Callable  # (user) -> visible QuerySet with what the table needs selected
    filterset_class: type
    table_class: type
    sorts: dict[str, Sort]
    default_sort: str
    url_name: str
    export_columns: list[tuple[object, Callable]] = field(default_factory=list)
    bulk_template: str = ""
    create_url_name: str = ""
    export_url_name: str = ""
    extra_context: Callable | None = None
    #: the fields a page's rows need (`only()`), so the table does not load and parse every column; exports
    #: read whole rows
    page_fields: tuple[str, ...] = ()


def search_condition(query: str) -> str:
    """The normalised text to look for in `search_text`: Arabic folded, and phone numbers reduced to
    digits so 0501234567, +966 50 123 4567 and ٠٥٠١٢٣٤٥٦٧ all find the same person."""
    compact = normalise_digits(query).replace(" ", "").replace("-", "").replace("(", "").replace(")", "")
    if compact.lstrip("+").isdigit() and len(compact.lstrip("+")) >= 6:
        return compact.lstrip("+")
    return normalise_text(query)


def filter_by_search(queryset: QuerySet, query: str) -> QuerySet:
    needle = search_condition(query or "")
    return queryset.filter(search_text__contains=needle) if needle else queryset


def saved_views_of(request, entity_list: EntityList) -> list[SavedView]:
    """The user's saved views of this list, read once per request."""
    if not hasattr(request, "_dealix_saved_views"):
        request._dealix_saved_views = {}
    if entity_list.key not in request._dealix_saved_views:
        request._dealix_saved_views[entity_list.key] = list(
            SavedView.objects.filter(user=request.user, list_key=entity_list.key).order_by("name"))
    return request._dealix_saved_views[entity_list.key]


def _default_view(request, entity_list: EntityList) -> SavedView | None:
    return next((view for view in saved_views_of(request, entity_list) if view.is_default), None)


def effective_params(request, entity_list: EntityList) -> QueryDict:
    """The request's parameters, or the user's default saved view when the list opens bare."""
    params = request.GET
    if not (set(params) - {"cursor", "per_page"}):
        default = _default_view(request, entity_list)
        if default and default.query_string:
            merged = QueryDict(default.query_string, mutable=True)
            for name in ("cursor", "per_page"):
                if name in params:
                    merged[name] = params[name]
            return merged
    return params


def visible_columns(request, entity_list: EntityList) -> list[str] | None:
    view = _default_view(request, entity_list)
    return view.columns if view and view.columns else None


def filtered_queryset(request, entity_list: EntityList, params: QueryDict):
    filterset = entity_list.filterset_class(params, queryset=entity_list.queryset(request.user), request=request)
    queryset = filterset.qs if filterset.is_valid() else entity_list.queryset(request.user).none()
    return filterset, queryset


def render_entity_list(request, entity_list: EntityList, *, template: str = "lists/list.html"):
    params = effective_params(request, entity_list)
    filterset, queryset = filtered_queryset(request, entity_list, params)
    sort_key = params.get("sort") if params.get("sort") in entity_list.sorts else entity_list.default_sort
    try:
        per_page = int(params.get("per_page", 50))
    except ValueError:
        per_page = 50
    per_page = per_page if per_page in PER_PAGE_CHOICES else 50
    if entity_list.page_fields:
        queryset = queryset.only(*entity_list.page_fields)
    page = keyset_page(queryset, ordering=entity_list.sorts[sort_key].ordering, cursor=params.get("cursor"),
                       per_page=per_page)
    columns = visible_columns(request, entity_list)
    table = entity_list.table_class(page.rows, request=request, visible=columns)
    filters_only = params.copy()
    for name in LIST_PARAMS:
        filters_only.pop(name, None)
    context = {
        "entity_list": entity_list,
        "filterset": filterset,
        "table": table,
        "page": page,
        "sort_key": sort_key,
        "sorts": entity_list.sorts,
        "per_page": per_page,
        "per_page_choices": PER_PAGE_CHOICES,
        "filter_query": filters_only.urlencode(),
        "next_query": _with(filters_only, cursor=page.next_cursor, per_page=per_page) if page.has_next else "",
        "previous_query": (_with(filters_only, cursor=page.previous_cursor, per_page=per_page)
                           if page.has_previous else ""),
        "saved_views": saved_views_of(request, entity_list),
        "sort_links": [(key, sort.label, _with(filters_only, sort=key)) for key, sort in entity_list.sorts.items()],
        "current_sort_label": entity_list.sorts[sort_key].label,
        "export_urls": _export_urls(request, entity_list, filters_only),
        "all_columns": table.choosable_columns(),
        "shown_columns": columns or table.default_columns(),
    }
    from dealix.accounts import roles
    context["can_work"] = roles.can(request.user, roles.CRM_WORK)
    if entity_list.extra_context:
        context.update(entity_list.extra_context(request))
    if request.htmx and not request.htmx.boosted:
        response = render(request, "lists/partials/table.html", context)
    else:
        response = render(request, template, context)
    response.headers["Vary"] = "HX-Request"
    return response


def _export_urls(request, entity_list: EntityList, filters: QueryDict) -> list[tuple[str, str]]:
    from dealix.accounts import roles
    if not entity_list.export_url_name or not roles.can(request.user, roles.CRM_EXPORT):
        return []
    query = filters.urlencode()
    return [(label, reverse(entity_list.export_url_name, args=[fmt]) + (f"?{query}" if query else ""))
            for fmt, label in (("csv", "CSV"), ("xlsx", "Excel"))]


def _with(params: QueryDict, **values) -> str:
    merged = params.copy()
    for name, value in values.items():
        if value is not None and value != "":
            merged[name] = value
    return merged.urlencode()


def export_rows(request, entity_list: EntityList):
    """The rows of the current filter and sort, for CSV/XLSX export (all pages)."""
    params = effective_params(request, entity_list)
    filterset, queryset = filtered_queryset(request, entity_list, params)
    sort_key = params.get("sort") if params.get("sort") in entity_list.sorts else entity_list.default_sort
    return queryset.order_by(*entity_list.sorts[sort_key].ordering), filterset


SEARCH_LABEL = _("Search")


def query_string(**values) -> str:
    return urlencode({name: value for name, value in values.items() if value not in (None, "")})
