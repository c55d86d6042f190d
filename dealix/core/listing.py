"""Lists that stay fast at any depth: keyset pagination and bounded counts.

Offset pagination reads and throws away every row before the page, so page 2,000 of 100,000 leads costs
2,000 pages of work, and a full COUNT(*) on every page costs a scan. A keyset page instead asks for the
rows after the last one shown (`WHERE (sort, id) < (last sort, last id)`), which an index on (sort, id)
answers in the same time on page 1 and page 2,000; and the count is bounded (`1,000+`).
"""
from __future__ import annotations

import base64
import datetime
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

COUNT_LIMIT = 1000


@dataclass(frozen=True)
class Page:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None
    count: int            # rows matching, up to COUNT_LIMIT
    count_is_capped: bool  # True when there are more than COUNT_LIMIT
    first_number: int     # 1-based number of the first row on this page, when known

    @property
    def last_number(self) -> int:
        return self.first_number + len(self.rows) - 1

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None


def _encode(values: list, forward: bool, position: int) -> str:
    payload = json.dumps({"v": values, "f": forward, "p": position}, default=str, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[list, bool, int] | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        return list(payload["v"]), bool(payload["f"]), int(payload.get("p", 0))
    except (ValueError, KeyError, TypeError):
        return None  # a damaged or hand-made cursor starts again from the first page


def _python_value(model, field_name: str, raw):
    """Turn a cursor's JSON value back into what the field compares with."""
    try:
        field = model._meta.get_field(field_name)
    except FieldDoesNotExist:
        return raw
    internal = field.get_internal_type()
    if raw is None:
        return None
    if internal == "DateTimeField":
        return parse_datetime(raw)
    if internal == "DateField":
        return datetime.date.fromisoformat(raw)
    if internal == "UUIDField":
        return uuid.UUID(raw)
    if internal == "DecimalField":
        return Decimal(raw)
    return raw


def _after(ordering: tuple[str, ...], values: list, model) -> Q:
    """Rows strictly after `values` in `ordering` (each item `field` or `-field`)."""
    condition = Q()
    equal_so_far = Q()
    for position, item in enumerate(ordering):
        name = item.lstrip("-")
        value = _python_value(model, name, values[position])
        lookup = "lt" if item.startswith("-") else "gt"
        condition |= equal_so_far & Q(**{f"{name}__{lookup}": value})
        equal_so_far &= Q(**{name: value})
    return condition


def _reverse(ordering: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(item[1:] if item.startswith("-") else f"-{item}" for item in ordering)


def keyset_page(queryset: QuerySet, *, ordering: tuple[str, ...], cursor: str | None, per_page: int = 50) -> Page:
    """One page of `queryset` in `ordering`, which must end with a unique field (the primary key)."""
    model = queryset.model
    decoded = _decode(cursor) if cursor else None
    forward, position = True, 0
    page_query = queryset.order_by(*ordering)
    if decoded:
        values, forward, position = decoded
        if len(values) != len(ordering):
            decoded = None  # a cursor from another sort order: start again from the first page
        elif forward:
            page_query = queryset.filter(_after(ordering, values, model)).order_by(*ordering)
        else:
            page_query = queryset.filter(_after(_reverse(ordering), values, model)).order_by(*_reverse(ordering))
    rows = list(page_query[: per_page + 1])
    has_more = len(rows) > per_page
    rows = rows[:per_page]
    if not decoded:
        forward, position = True, 0
    if not forward:
        rows.reverse()

    def key(row):
        return [getattr(row, item.lstrip("-")) for item in ordering]

    # Going forward, `has_more` means there is a next page; going back, that there is an earlier one.
    more_after = has_more if forward else True
    more_before = (position > 0) if forward else has_more
    next_cursor = _encode(key(rows[-1]), True, position + len(rows)) if rows and more_after else None
    previous_cursor = _encode(key(rows[0]), False, max(position - per_page, 0)) if rows and more_before else None
    count = queryset.order_by()[:COUNT_LIMIT + 1].count()
    return Page(rows=rows, next_cursor=next_cursor, previous_cursor=previous_cursor,
                count=min(count, COUNT_LIMIT), count_is_capped=count > COUNT_LIMIT, first_number=position + 1)
