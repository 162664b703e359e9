"""CSV downloads: one cell rule (no formulas) and one response shape for every export."""
import csv
import io
from collections.abc import Iterable

from flask import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str | None) -> str:
    """Spreadsheets run a cell that starts with = + - @ as a formula: defuse it."""
    value = value or ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_download(filename: str, header: Iterable, rows: Iterable[Iterable]) -> Response:
    """A CSV attachment; text cells from people must already be passed through safe_cell."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
