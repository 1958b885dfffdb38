"""A model's rows read and written as plain SQL, with the ORM's own conversions both ways.

For the few statements on a person's request path, where Django building a query costs several
times running it: a rendering's kept files (0.6 ms to build against 0.1 to run, on every POST),
the submission a status page shows, an attempt's outcome. Reading, a row becomes the model's
instance exactly as the ORM makes it (each column through the backend's and the field's
converters, then `Model.from_db`); writing, each value goes through its field's
`get_db_prep_save`, as `QuerySet.update()` sends it. In `where`, `{field}` stands for that
field's quoted column. Statements go to the default database: the portal has no router (with
one, these would have to ask it, as the ORM does).
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

M = TypeVar("M", bound=models.Model)


def select_where(model: type[M], where: str, params: list) -> list[M]:
    """The model's rows WHERE `where` (in no particular order)."""
    table, columns = _quoted(model)
    names = ", ".join(columns.values())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {names} FROM {table} WHERE {where.format(**columns)}", params)
        rows = cursor.fetchall()
    if not rows:
        return []
    converters = _converters(model)
    attnames = [f.attname for f in model._meta.concrete_fields]
    return [model.from_db(DEFAULT_DB_ALIAS, attnames, _converted(row, converters)) for row in rows]


def value_where(model: type[models.Model], field: str, where: str, params: list) -> Any:
    """One column (`field`'s, as the database gives it) of the first row WHERE `where`, or None
    when no row matches: for a check on every POST that needs no whole row."""
    table, columns = _quoted(model)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns[field]} FROM {table} WHERE {where.format(**columns)}", params
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


def update_where(model: type[models.Model], values: dict[str, Any], **equal: Any) -> int:
    """UPDATE the rows whose fields equal `equal` to `values` (field name: value; both prepared
    as the ORM prepares them); how many rows it changed."""
    table, columns = _quoted(model)
    field = model._meta.get_field
    sets = ", ".join(f"{columns[name]} = %s" for name in values)
    params = [field(name).get_db_prep_save(value, connection) for name, value in values.items()]
    matches = []
    for name, value in equal.items():  # None matches NULL, as the ORM's filter(name=None) does
        matches.append(f"{columns[name]} {'IS NULL' if value is None else '= %s'}")
        params += [] if value is None else [field(name).get_db_prep_save(value, connection)]
    where = " AND ".join(matches)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {sets} WHERE {where}", params)
        return cursor.rowcount


@cache
def _quoted(model: type[models.Model]) -> tuple[str, dict[str, str]]:
    quote = connection.ops.quote_name
    fields = {f.name: quote(f.column) for f in model._meta.concrete_fields}
    return quote(model._meta.db_table), fields


def _converters(model: type[models.Model]) -> list[tuple[int, list, Any]]:
    """(position, converters, column) for each column that has any, as the ORM's
    SQLCompiler.get_converters finds them for every concrete field; found once per model and
    connection (each thread has its own, and the backend's converters are its methods), and
    kept on the connection itself, so they go when it goes. Finding them took half the time of
    a row's read."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    kept = wrapper.__dict__.setdefault("_tickets_row_converters", {})
    if model not in kept:
        ops, table = wrapper.ops, model._meta.db_table
        kept[model] = [
            (position, found, column)
            for position, field in enumerate(model._meta.concrete_fields)
            for column in [field.get_col(table)]
            if (found := ops.get_db_converters(column) + column.get_db_converters(wrapper))
        ]
    return kept[model]


def _converted(row: tuple, converters: list[tuple[int, list, Any]]) -> list:
    values = list(row)
    for position, found, column in converters:
        value = values[position]
        for convert in found:
            value = convert(value, column, connection)
        values[position] = value
    return values
