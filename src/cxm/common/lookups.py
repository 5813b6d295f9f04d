"""`field__any=[…]`: membership in a long list of values as ONE query parameter.

Django's `__in` writes one placeholder per value; with 10,000 ids (a bulk write) building
and parsing that statement costs more than running it. `__any` sends the list as one array
(`= ANY(%s)` on PostgreSQL) or one JSON text (`IN (SELECT value FROM json_each(%s))` on
SQLite). Registered on integer, primary-key and text fields by the common app.
"""

import json
from typing import Any

from django.db import models
from django.db.models import Lookup


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        values = list(self.rhs)
        return [self.lhs.output_field.get_prep_value(v) for v in values]

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if not values:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            cast = "bigint[]" if all(isinstance(v, int) for v in values) else "text[]"
            return f"{lhs} = ANY(%s::{cast})", [*lhs_params, values]
        sql = f"{lhs} IN (SELECT value FROM json_each(%s))"  # noqa: S608 (lhs: a compiled column)
        return sql, [*lhs_params, json.dumps(values)]


def register() -> None:
    for field in (models.IntegerField, models.BigIntegerField, models.AutoField):
        field.register_lookup(AnyOf)
    models.BigAutoField.register_lookup(AnyOf)
    models.ForeignKey.register_lookup(AnyOf)
    models.CharField.register_lookup(AnyOf)
