"""The schema file is checked at start-up: a broken file stops runserver, migrate and the tests."""

from django.core import checks

from .schema import SchemaError, clear_cache, get_schema


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
        if field.field_type == "regex" and not field.pattern
    ]
