"""Bulk writes that keep up with imports of 100,000 rows.

On PostgreSQL, rows travel with COPY (no SQL parameters to build and parse), and upserts go
through a temporary staging table and one `INSERT … ON CONFLICT … DO UPDATE`. Other
databases use Django's `bulk_create`. Callers pass plain values per column, already clean:
no `save()`, no signals, no model validation here.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

_BATCH = 2000


def _columns(model: type[Model], fields: Sequence[str]) -> list[str]:
    meta = model._meta
    return [str(getattr(meta.get_field(name), "column", name)) for name in fields]


def _json_positions(model: type[Model], fields: Sequence[str]) -> list[int]:
    meta = model._meta
    return [
        i
        for i, name in enumerate(fields)
        if meta.get_field(name).get_internal_type() == "JSONField"
    ]


def _copy(
    table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], json_positions: list[int]
) -> None:
    """COPY rows into `table`; values at `json_positions` are sent as JSONB."""
    from psycopg.types.json import Jsonb

    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
            if not json_positions:
                for row in rows:
                    copy.write_row(row)
                return
            for row in rows:
                values = list(row)
                for i in json_positions:
                    if values[i] is not None:
                        values[i] = Jsonb(values[i])
                copy.write_row(values)


def bulk_insert(model: type[Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert rows (tuples in the order of `fields`) without returning anything."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        _copy(model._meta.db_table, _columns(model, fields), rows, _json_positions(model, fields))
        return
    model._default_manager.bulk_create(
        [model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=_BATCH
    )


def bulk_upsert(
    model: type[Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
) -> dict[tuple[Any, ...], int]:
    """Insert or update rows by `unique_fields`; return {unique values: primary key}.

    The rows must not repeat a unique key (one statement cannot update a row twice).
    """
    if not rows:
        return {}
    key_positions = [fields.index(name) for name in unique_fields]
    if connection.vendor != "postgresql":
        objs = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        model._default_manager.bulk_create(
            objs,
            update_conflicts=True,
            unique_fields=unique_fields,
            update_fields=update_fields,
            batch_size=500,
        )
        if all(obj.pk is not None for obj in objs):
            return {
                tuple(row[i] for i in key_positions): obj.pk
                for row, obj in zip(rows, objs, strict=True)
            }
        return _keys_of(model, fields, rows, unique_fields)

    quote = connection.ops.quote_name
    table = model._meta.db_table
    stage = f"_stage_{table}"
    columns = _columns(model, fields)
    unique = _columns(model, unique_fields)
    updates = _columns(model, update_fields)
    column_list = ", ".join(quote(c) for c in columns)
    # Identifiers come from model metadata and are quoted; values travel by COPY.
    create_stage = (
        f"CREATE TEMP TABLE IF NOT EXISTS {quote(stage)} ON COMMIT DROP AS "  # noqa: S608
        f"SELECT {column_list} FROM {quote(table)} WITH NO DATA"
    )
    with connection.cursor() as cursor:
        cursor.execute(create_stage)
        cursor.execute(f"TRUNCATE {quote(stage)}")
    _copy(stage, columns, rows, _json_positions(model, fields))
    pk = quote(str(model._meta.pk.column))
    assignments = ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in updates)
    upsert = (
        f"INSERT INTO {quote(table)} ({column_list}) SELECT {column_list} "  # noqa: S608
        f"FROM {quote(stage)} ON CONFLICT ({', '.join(quote(c) for c in unique)}) "
        f"DO UPDATE SET {assignments} RETURNING {pk}, {', '.join(quote(c) for c in unique)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(upsert)
        return {tuple(found[1:]): found[0] for found in cursor.fetchall()}


def _keys_of(
    model: type[Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    unique_fields: Sequence[str],
) -> dict[tuple[Any, ...], int]:
    """Primary keys by unique values, for databases that do not return them on upsert."""
    if len(unique_fields) != 1:
        raise ValueError("Looking keys up needs a single unique field.")
    name = unique_fields[0]
    position = fields.index(name)
    values = [row[position] for row in rows]
    found = model._default_manager.filter(**{f"{name}__in": values}).values_list(name, "pk")
    return {(value,): pk for value, pk in found}


def bulk_update_rows(
    model: type[Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Set `fields` of many rows by primary key: rows are (pk, value, …) in `fields` order.

    On PostgreSQL one `UPDATE … FROM (VALUES …)` statement per batch with typed columns;
    elsewhere Django's `bulk_update`."""
    if not rows:
        return
    meta = model._meta
    if connection.vendor != "postgresql":
        objects = []
        for row in rows:
            obj = model(pk=row[0])
            for name, value in zip(fields, row[1:], strict=True):
                setattr(obj, meta.get_field(name).attname, value)  # type: ignore[union-attr]
            objects.append(obj)
        model._default_manager.bulk_update(objects, list(fields), batch_size=_BATCH)
        return
    pk = meta.pk
    assert pk is not None
    targets = [pk, *(meta.get_field(name) for name in fields)]
    types = [str(f.db_type(connection)).replace("serial", "integer") for f in targets]
    columns = [str(getattr(f, "column", f.name)) for f in targets]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(c)} = v.{quote(c)}" for c in columns[1:])
    first = "(" + ", ".join(f"%s::{t}" for t in types) + ")"
    other = "(" + ", ".join(["%s"] * len(types)) + ")"
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _BATCH):
            batch = rows[start : start + _BATCH]
            values = ", ".join([first, *([other] * (len(batch) - 1))])
            names = ", ".join(quote(c) for c in columns)
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS v({names})"  # noqa: S608
                f" WHERE {table}.{quote(columns[0])} = v.{quote(columns[0])}",
                [value for row in batch for value in row],
            )
