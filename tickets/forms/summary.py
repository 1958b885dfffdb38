"""What a payload files, for people: the rows of a confirmation page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from ..lib.values import api_datetime, as_int
from ..records import StaffDirectory
from ..schema.types import TICKET_DEFAULT_KEYS, Schema
from .kinds import kind_for
from .staff import StaffTicketForm


def summarize(
    schema: Schema,
    payload: dict[str, Any],
    audience: str,
    directory: StaffDirectory | None = None,
) -> list[tuple[str, str]]:
    """(label, value) pairs of what a payload files, in the reader's language; a staff filing's
    with every handling field, people and tickets named as `directory` knows them (else by their
    id). A field left empty is left out: it files nothing."""
    if audience == "staff":
        known = directory or StaffDirectory()
        rows = [(_("Client"), _client(payload, known)), *_first_message(payload)]
    else:
        rows = [(_("Your email"), payload.get("user_email", ""))]
    rows += [
        (_("Subject"), payload.get("title", "")),
        (_("Description"), payload.get("description", "")),
    ]
    for field_id, value in (payload.get("custom_fields") or {}).items():
        field = schema.fields.get(as_int(field_id))
        if field is not None:
            rows.append((field.name.get(), kind_for(field).display(field, value)))
    if audience == "staff":
        rows += _handling(schema, payload, known)
    return [(label, text) for label, text in rows if text]


# --- A staff filing: what the agent set beyond the ticket itself ---------------------------------
def _label(name: str) -> str:
    # The form's own labels, so the confirmation says what the agent read on the form.
    return str(StaffTicketForm.base_fields[name].label)


def _client(payload: dict[str, Any], known: StaffDirectory) -> str:
    client = known.people.get(as_int(payload.get("user_id")) or 0)
    return client.label() if client else str(payload.get("user_email", ""))


def _first_message(payload: dict[str, Any]) -> list[tuple[str, str]]:
    if "create_from_user" not in payload:
        return []
    choices = dict(StaffTicketForm.base_fields["create_from_user"].choices)
    author = choices.get(1 if payload["create_from_user"] else 0, "")
    return [(_label("create_from_user"), str(author))]


def _names(ids: Iterable[Any], known: StaffDirectory) -> str:
    staff = {p.id: p.label() for p in known.staff}
    return ", ".join(staff.get(as_int(i) or 0, f"#{i}") for i in ids)


def _reference(schema: Schema, payload: dict[str, Any], key: str) -> str:
    if key not in payload:
        return _("the helpdesk's default")
    names = {str(r.id): r.name.get() for r in schema.references.get(TICKET_DEFAULT_KEYS[key], ())}
    return names.get(str(payload[key])) or str(payload[key])


def _parent(payload: dict[str, Any], known: StaffDirectory) -> str:
    parent_id = as_int(payload.get("pid"))
    if not parent_id:
        return ""
    parent = known.tickets.get(str(parent_id))
    return f"{parent.unique_id}: {parent.title}" if parent else f"#{parent_id}"


def _moment(value: Any) -> str:
    """A date and time the API writes as "DD.MM.YYYY HH:MM", as the page writes every date and
    time (DATETIME_FORMAT: "December 10, 2026, 18:00"); anything else as it is."""
    moment = api_datetime(value)
    return formats.date_format(moment, "DATETIME_FORMAT") if moment else str(value or "")


def _handling(schema: Schema, payload: dict[str, Any], known: StaffDirectory) -> list:
    owner = payload.get("owner_id")
    rows = [
        (_label("owner_id"), _names([owner], known) if owner else _("Unassigned")),
        (_label("followers"), _names(payload.get("followers") or [], known)),
        (_label("cc"), ", ".join(payload.get("cc") or [])),
        (_label("bcc"), ", ".join(payload.get("bcc") or [])),
    ]
    references = ("department_id", "priority_id", "type_id", "status_id")  # as the form has them
    rows += [(_label(key), _reference(schema, payload, key)) for key in references]
    rows += [
        (_label("sla_date"), _moment(payload.get("sla_date"))),
        (_label("ticket_lock"), _("Yes") if payload.get("ticket_lock") else _("No")),
        (_label("tags"), ", ".join(map(str, payload.get("tags") or []))),
        (_label("pid"), _parent(payload, known)),
    ]
    return rows
