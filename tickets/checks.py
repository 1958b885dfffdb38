"""The schema file is checked at start-up: a broken file stops runserver, migrate and the tests."""

from django.core import checks

from .schema import SchemaError, clear_cache, get_schema


@checks.register()
def check_schema_file(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    clear_cache()
    try:
        get_schema()
    except SchemaError as error:
        return [
            checks.Error(f"{error.path}: {problem}", id="tickets.E001")
            for problem in error.problems
        ]
    return []
