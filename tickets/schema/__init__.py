"""The schema: the custom fields, references and forms a portal serves, from the schema file.

- `kinds`: the field-kind registry (what each field_type is and does).
- `types`: the frozen dataclasses the rest of the portal reads.
- `parsing`: reading and checking a schema file; every mistake reported at once.
- `service`: the schema in service, reloaded when its file changes.
- `sync`: the file brought in step with the helpdesk's own lists.

Imports: `tickets.lib`; `sync` also `tickets.helpdesk` (it reads the API). Never forms, delivery,
embedding or views.
"""

from .kinds import kind_of
from .parsing import SchemaError, load_schema, parse_schema
from .service import clear_cache, get_schema
from .types import (
    AUDIENCES,
    TICKET_DEFAULT_KEYS,
    Consent,
    Field,
    FormField,
    FormSpec,
    Option,
    Permission,
    Reference,
    Schema,
    ShowIf,
)

__all__ = [
    "AUDIENCES",
    "TICKET_DEFAULT_KEYS",
    "Consent",
    "Field",
    "FormField",
    "FormSpec",
    "Option",
    "Permission",
    "Reference",
    "Schema",
    "SchemaError",
    "ShowIf",
    "clear_cache",
    "get_schema",
    "kind_of",
    "load_schema",
    "parse_schema",
]
