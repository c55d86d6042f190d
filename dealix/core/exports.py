"""CSV and XLSX exports of a list's current filter. A cell that a spreadsheet would run as a formula
(starting with = + - @ or a tab/CR) is prefixed with an apostrophe, so `=cmd|...` stays text."""
from __future__ import annotations

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _rows(queryset, columns, batch: int = 2000):
    for record in queryset.iterator(chunk_size=batch):
        yield [neutralise(accessor(record)) for _label, accessor in columns]


class _Echo:
    def write(self, value):
        return value


def csv_response(queryset, columns, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream():
        yield "\ufeff"  # a BOM so Excel opens UTF-8 Arabic correctly
        yield writer.writerow([str(label) for label, _accessor in columns])
        for row in _rows(queryset, columns):
            yield writer.writerow(row)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{timezone.localdate():%Y%m%d}.csv"'
    return response


def xlsx_response(queryset, columns, filename: str, *, right_to_left: bool) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(filename[:31])
    sheet.sheet_view.rightToLeft = right_to_left
    sheet.append([str(label) for label, _accessor in columns])
    for row in _rows(queryset, columns):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{timezone.localdate():%Y%m%d}.xlsx"'
    return response
