"""System checks: a broken schema file, an incomplete field kind, throttle rates that cannot
be counted or a privacy text that cannot be found stop runserver, migrate and the tests."""

from django.conf import settings
from django.core import checks
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template
from pyrate_limiter import validate_rate_list

from .abuse.throttles import THROTTLES, parse_rate
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


@checks.register()
def check_throttle_rates(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Each throttle's rates are one pyrate-limiter bucket, which takes them only when each
    longer period allows more tickets than a shorter one, at no higher rate."""
    problems = []
    for name in THROTTLES:
        rates = getattr(settings, name)
        if rates and not validate_rate_list(
            sorted((parse_rate(rate) for rate in rates), key=lambda rate: rate.interval)
        ):
            problems.append(
                checks.Error(
                    f"{name}={','.join(rates)}: each longer period must allow more tickets than "
                    "a shorter one, at no higher rate (20/h,240/d)",
                    hint="Drop a rate the others make pointless: in 20/h,500/d no day reaches 500.",
                    id="tickets.E003",
                )
            )
    return problems


@checks.register()
def check_privacy_template(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The privacy page's text can be found (a deployment's own template, by name)."""
    name = settings.TICKETS_PRIVACY_TEMPLATE
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return [
            checks.Error(
                f"TICKETS_PRIVACY_TEMPLATE={name!r}: no such template",
                hint="Put it in a directory of TICKETS_TEMPLATE_DIRS, or leave the setting empty "
                "for the portal's own (tickets/privacy_text.html).",
                id="tickets.E004",
            )
        ]
    except TemplateSyntaxError as error:
        return [checks.Error(f"TICKETS_PRIVACY_TEMPLATE={name!r}: {error}", id="tickets.E004")]
    return []
