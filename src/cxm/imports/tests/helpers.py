"""Writing real CSV/XLSX files for the import tests, and uploading them."""

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

Rows = Sequence[Sequence[Any]]


def write_csv(path: Path, rows: Rows, *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    """Write rows as Excel does. cp1256 gets Arabic yeh for Persian yeh, as on Windows."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    text = buffer.getvalue()
    if encoding == "cp1256":
        text = text.replace("ی", "ي")
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, rows: Rows) -> Path:
    workbook = Workbook()
    sheet: Any = workbook.active
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def upload(client: Client, path: Path, kind: str = "customers") -> Any:
    with path.open("rb") as handle:
        return client.post(reverse("imports:new"), {"kind": kind, "file": handle})


def job_id_from(response: Any) -> int:
    assert response.status_code == 302, response.content.decode()[:2000]
    return int(response["Location"].rstrip("/").split("/")[-1])


def mapping_post(job: Any, mode: str = "all_or_nothing", **overrides: Any) -> dict[str, Any]:
    """The mapping form's POST data: the job's suggested mapping plus overrides."""
    data: dict[str, Any] = {"mode": mode}
    for name, index in job.mapping.items():
        data[f"map_{name}"] = str(index)
    for name, value in overrides.items():
        data[f"map_{name}"] = "" if value is None else str(value)
    return data
