"""System checks: a broken schema file or an incomplete field kind stops runserver, migrate and
the tests."""

from django.core import checks

from .forms.kinds import FieldKind
from .schema.kinds import kind_of, registered
from .schema.parsing import SchemaError
from .schema.service import clear_cache, get_schema


@checks.register()
def check_field_kinds(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every registered field kind can build its form field (the schema accepts its type)."""
    problems = []
    for kind in registered():
        if not isinstance(kind, FieldKind):
            problems.append(
                checks.Error(
                    f"field kind {kind.name!r} is a {type(kind).__name__}, not a FieldKind",
                    hint="Subclass tickets.forms.kinds.FieldKind.",
                    id="tickets.E002",
                )
            )
        elif type(kind).make is FieldKind.make:
            problems.append(
                checks.Error(
                    f"field kind {kind.name!r} cannot build a form field: it has no make()",
                    hint="Give the kind a make(field, required) that returns a Django form field.",
                    id="tickets.E002",
                )
            )
    return problems


@checks.register()
def check_schema_file(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    clear_cache()
    try:
        schema = get_schema()
    except SchemaError as error:
        return [
            checks.Error(f"{error.path}: {problem}", id="tickets.E001")
            for problem in error.problems
        ]
    # A helpdesk keeps no pattern for its regex fields: the schema file must (sync cannot).
    return [
        checks.Warning(
            f"{schema.path}: field {field.id}: a regex field without a 'pattern' accepts any text",
            hint="Add the pattern (and a pattern_message) to the field in the schema file.",
            id="tickets.W001",
        )
        for field in schema.fields.values()
        if kind_of(field.field_type).has_pattern and not field.pattern
    ]
