"""Helpers for seeding data the system writes itself: the demo workspaces (`<app>/demo.py`) and the
benchmark seed (`seed_bench`). Not for anything a person does: those writes go through the services.

* `business_time` gives a past moment in Riyadh working hours (Sunday–Thursday, 09:00–17:00).
* `backdate` sets `created_at` / `updated_at` after a bulk insert, in one statement per table
  (`auto_now_add` stamps every row with "now" on insert, whatever the instance held).
* `copy_rows` streams rows into a table with PostgreSQL's COPY (psycopg 3), for the 100k-row seed.
"""
from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from django.db import connection, models

RIYADH = ZoneInfo("Asia/Riyadh")
WORK_DAYS = (6, 0, 1, 2, 3)  # Python weekday(): Sunday … Thursday
DAY_START, DAY_END = 9, 17


def riyadh(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=RIYADH)


def working_day(day: dt.date, *, forward: bool = False) -> dt.date:
    """`day` itself when it is a working day, else the working day before it (or after it)."""
    step = dt.timedelta(days=1 if forward else -1)
    while day.weekday() not in WORK_DAYS:
        day += step
    return day


def add_working_days(day: dt.date, count: int) -> dt.date:
    step = dt.timedelta(days=1 if count >= 0 else -1)
    for _ in range(abs(count)):
        day = working_day(day + step, forward=count >= 0)
    return day


def business_time(rng: random.Random, now: dt.datetime, days_ago: float, *, start: int = DAY_START,
                  end: int = DAY_END) -> dt.datetime:
    """A moment about `days_ago` days before `now`, on a working day between `start` and `end` o'clock
    Riyadh time, never in the future."""
    local_now = now.astimezone(RIYADH)
    day = working_day((local_now - dt.timedelta(days=days_ago)).date())
    minute = rng.randrange(start * 60, end * 60)
    moment = riyadh(day, minute // 60, minute % 60)
    while moment >= now:
        day = working_day(day - dt.timedelta(days=1))
        moment = riyadh(day, minute // 60, minute % 60)
    return moment


def later(rng: random.Random, moment: dt.datetime, now: dt.datetime, *, min_minutes: int = 5,
          max_minutes: int = 180, end_hour: int = DAY_END) -> dt.datetime:
    """A moment a little after `moment`, moved to the next working morning when it would fall after
    `end_hour` or on a weekend; never after `now`, and never before `moment` itself (a lead created a
    minute ago gets its reply at once, not before it arrived)."""
    candidate = moment + dt.timedelta(minutes=rng.randint(min_minutes, max_minutes))
    local = candidate.astimezone(RIYADH)
    if local.hour >= end_hour or local.weekday() not in WORK_DAYS:
        next_day = working_day(local.date() + dt.timedelta(days=1), forward=True)
        candidate = riyadh(next_day, DAY_START, rng.randrange(0, 50))
    elif local.hour < DAY_START:
        candidate = riyadh(local.date(), DAY_START, rng.randrange(0, 50))
    return max(moment, min(candidate, now - dt.timedelta(minutes=1)))


def backdate(model: type[models.Model], stamps: dict) -> int:
    """Set `created_at` (and `updated_at`) of existing rows: {pk: created} or {pk: (created, updated)}.
    One UPDATE … FROM (VALUES …) per call. It is also how append-only tables (consent) get their
    historical times at seeding: the rows are inserted and dated in the same transaction, never edited
    afterwards."""
    if not stamps:
        return 0
    table = connection.ops.quote_name(model._meta.db_table)
    rows, params = [], []
    for pk, value in stamps.items():
        created, updated = value if isinstance(value, tuple) else (value, value)
        rows.append("(%s::uuid, %s::timestamptz, %s::timestamptz)")
        params += [str(pk), created, max(updated, created)]
    count = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            cursor.execute(
                f"UPDATE {table} AS t SET created_at = v.created_at, updated_at = v.updated_at "
                f"FROM (VALUES {', '.join(rows[start:start + 1000])}) AS v(id, created_at, updated_at) "
                f"WHERE t.id = v.id", params[start * 3:(start + 1000) * 3])
            count += cursor.rowcount
    return count


def _missing_defaults(model, columns: Sequence[str]) -> tuple[list[str], list]:
    """Columns the caller left out, with their model defaults (NULL where nullable): a field added to
    the model later does not break the bulk path as long as it has a default."""
    names, values = [], []
    for field in model._meta.concrete_fields:
        if field.column in columns:
            continue
        value = field.get_default()  # "" for a text field without a default, None where there is none
        if value is None and not field.null:
            raise ValueError(f"copy_rows({model.__name__}): column {field.column!r} has no default; give it")
        names.append(field.column)
        values.append(value)
    return names, values


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY `rows` (tuples in the order of `columns`, database column names) into the model's table in
    the current schema; columns left out get the model's defaults. The database still checks every
    constraint (CHECK, NOT NULL, foreign keys) as it would for an INSERT. Returns the rows written."""
    extra_names, extra_values = _missing_defaults(model, columns)
    all_columns = [*columns, *extra_names]
    table = connection.ops.quote_name(model._meta.db_table)
    column_list = ", ".join(connection.ops.quote_name(name) for name in all_columns)
    json_positions = [index for index, name in enumerate(all_columns)
                      if isinstance(_field_by_column(model, name), models.JSONField)]
    extra = tuple(extra_values)
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor under Django's wrapper (the search path is already set)
        with raw.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
            for row in rows:
                row = (*row, *extra) if extra else row
                if json_positions:
                    row = list(row)
                    for index in json_positions:
                        if row[index] is not None and not isinstance(row[index], str):
                            row[index] = json.dumps(row[index], ensure_ascii=False)
                copy.write_row(row)
                count += 1
    return count


def _field_by_column(model, column):
    for field in model._meta.concrete_fields:
        if field.column == column:
            return field
    raise LookupError(f"{model.__name__} has no column {column!r}")


class Batch:
    """Objects to insert with `bulk_create`, each with the time it should carry. `save()` inserts them
    model by model in the given order (SearchableModel rows get their `search_text` first, as `save()`
    would give them), then dates them with `backdate`."""

    def __init__(self):
        self.objects: dict[type, list] = {}
        self.stamps: dict[type, dict] = {}

    def add(self, obj, created: dt.datetime, updated: dt.datetime | None = None):
        model = type(obj)
        self.objects.setdefault(model, []).append(obj)
        self.stamps.setdefault(model, {})[obj.pk] = (created, updated or created)
        return obj

    def save(self, order: Sequence[type] = ()) -> dict[str, int]:
        from dealix.core.models import SearchableModel
        counts = {}
        models_in_order = [model for model in order if model in self.objects]
        models_in_order += [model for model in self.objects if model not in models_in_order]
        for model in models_in_order:
            objects = self.objects.pop(model)
            if issubclass(model, SearchableModel):
                for obj in objects:
                    obj.search_text = obj.build_search_text()
            model._default_manager.bulk_create(objects, batch_size=500)
            backdate(model, self.stamps.pop(model))
            counts[model._meta.label] = len(objects)
        return counts
