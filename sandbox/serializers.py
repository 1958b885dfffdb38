"""Schema objects, users, stored tickets and knowledge base articles in the API's JSON shapes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from tickets.schema import Field, Option, Reference, Schema, kind_of

from . import files, users
from .models import KbArticle, KbCategory, Post, PostFile, Ticket, TicketFile, User
from .validation import as_int

DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


def field_name(field: Field) -> dict[str, Any]:
    """A field's name; a hierarchy's is keyed by level ("1", "2", ...)."""
    if not kind_of(field.field_type).nests:
        return field.name.as_api()
    return {str(n): field.level_name(n).as_api() for n in range(1, field.depth + 1)}


def permissions(field: Field) -> dict[str, dict[str, bool]]:
    result = {}
    for key, audience in (("user", "customer"), ("staff", "staff")):
        permission = field.permission(audience)
        result[key] = {
            "view": permission.view,
            "edit": permission.edit,
            "required_to_create_ticket": permission.required,
            "required_to_close_ticket": False,
        }
    return result


def custom_field(field: Field) -> dict[str, Any]:
    return {
        "id": field.id,
        "name": field_name(field),
        "field_type": field.field_type,
        "permissions": permissions(field),
    }


def option(item: Option) -> dict[str, Any]:
    return {"id": item.id, "pid": item.pid, "name": item.name.as_api()}


def reference(item: Reference) -> dict[str, Any]:
    return {"id": item.id, "name": item.name.as_api()}


def custom_field_values(sent: dict[str, Any], schema: Schema) -> list[dict[str, Any]]:
    """The list form of a ticket's custom fields, in the schema's order."""
    by_id = {as_int(key): value for key, value in sent.items()}
    return [
        {
            "id": f.id,
            "field_type": f.field_type,
            "field_value": kind_of(f.field_type).echo(f, by_id[f.id]),
        }
        for f in schema.fields.values()
        if f.id in by_id
    ]


def _reference_name(schema: Schema, kind: str, ref_id: Any) -> str:
    found = next((r for r in schema.references.get(kind, ()) if str(r.id) == str(ref_id)), None)
    return found.name.get("en") if found else ""


def _date(value, form: str = DATE_FORMAT) -> str:
    """A moment as the helpdesk writes it: in its own zone, which may be off the portal's by
    SANDBOX_CLOCK_HOURS (the API names no zone)."""
    return (timezone.localtime(value) + clock_offset()).strftime(form)


def clock_offset() -> timedelta:
    """How far the sandbox's clock is from the portal's (a test setting; 0 by default)."""
    return timedelta(hours=float(getattr(settings, "SANDBOX_CLOCK_HOURS", 0)))


POST_DATE_FORMAT = "%H:%M:%S %d.%m.%Y"  # posts write the time first


# (kind, id) -> the absolute URL of a stored file (views.file_link): files.py names the kinds.
FileLink = Callable[[str, int], str]


def _file(kind: str, item: TicketFile | PostFile, link: FileLink) -> dict[str, Any]:
    """A file of a post: as the API's clients show one (`id`, `name`, `url`, `data_type`)."""
    return {
        "id": item.id,
        "name": item.name,
        "url": link(kind, item.id),
        "data_type": files.data_type(item),
    }


def first_post(item: Ticket, link: FileLink) -> dict[str, Any]:
    """The ticket's first post, its description with the files sent on create, as
    `GET /tickets/{id}/posts/` shows it. The sandbox keeps no row for it: its id is the
    ticket's id, below every stored post's (models.FIRST_POST_ID)."""
    created = _date(item.date_created, POST_DATE_FORMAT)
    return {
        "ticket_id": item.id,
        "id": item.id,
        "user_id": item.user_id,
        "text": item.description,
        "date_created": created,
        "date_updated": created,
        "files": [_file(files.TICKET_FILE, f, link) for f in item.files.all()],
    }


def post(item: Post, link: FileLink) -> dict[str, Any]:
    """A stored post, as `GET /tickets/{id}/posts/` shows it; an internal comment (as
    `GET /tickets/{id}/comments/` shows it) adds `"visible": "staff"`."""
    data = {
        "ticket_id": item.ticket_id,
        "id": item.id,
        "user_id": item.user_id,
        "text": item.text,
        "date_created": _date(item.date_created, POST_DATE_FORMAT),
        "date_updated": _date(item.date_updated, POST_DATE_FORMAT),
        "files": [_file(files.POST_FILE, f, link) for f in item.files.all()],
    }
    if item.visible == Post.STAFF:
        data["visible"] = Post.STAFF
    return data


def user(item: User) -> dict[str, Any]:
    """A user as the API shows one to the main administrator's key: with the user's own API key,
    which the portal must neither keep nor log (tests/integration/test_api_keys_of_users.py)."""
    return {
        "id": item.id,
        "name": item.name,
        "lastname": item.lastname,
        "email": item.email,
        "phone": item.phone,
        "group": item.group_info.as_dict(),
        "api_key": api_key_of(item),
    }


def api_key_of(item: User) -> str:
    """The user's API key: stable for the user, different for every sandbox (its SECRET_KEY)."""
    return salted_hmac("sandbox-user-api-key", str(item.id)).hexdigest()[:32]


def _names(person: User | None) -> tuple[str, str]:
    return (person.name, person.lastname) if person else ("", "")


def _client_names(ticket: Ticket, client: User | None) -> tuple[str, str]:
    """The client's (name, lastname).

    A ticket whose user_id is no user (stored by hand, or before the sandbox kept users) gets a
    name made from what it holds, as the sandbox answered before.
    """
    if client or not (ticket.user_email or ticket.user_id):
        return _names(client)
    if ticket.user_email:
        return ticket.user_email.split("@")[0], ""
    return f"user{ticket.user_id}", ""


def people_of(tickets: list[Ticket]) -> dict[int, User]:
    """The owners and clients of these tickets, by id (one query for a page of tickets)."""
    return users.by_ids(i for t in tickets for i in (t.owner_id, t.user_id))


def ticket(
    item: Ticket, schema: Schema, people: Mapping[int, User] | None = None
) -> dict[str, Any]:
    """The ticket object of create-ticket.txt's Response Example, plus sandbox extras.

    `people`: the ticket's owner and client by id, when already fetched (see `people_of`).
    """
    people = people_of([item]) if people is None else people
    owner_name, owner_lastname = _names(people.get(item.owner_id))
    user_name, user_lastname = _client_names(item, people.get(item.user_id))
    return {
        "id": item.id,
        "pid": item.pid,
        "unique_id": item.unique_id,
        "date_created": _date(item.date_created),
        "date_updated": _date(item.date_updated),
        "title": item.title,
        "source": "system",
        "status_id": item.status_id,
        "priority_id": item.priority_id,
        "type_id": item.type_id,
        "department_id": item.department_id,
        "department_name": _reference_name(schema, "departments", item.department_id),
        "owner_id": item.owner_id,
        "owner_name": owner_name,
        "owner_lastname": owner_lastname,
        "user_id": item.user_id,
        "user_name": user_name,
        "user_lastname": user_lastname,
        "cc": item.cc,
        "bcc": item.bcc,
        "followers": item.followers,
        "ticket_lock": int(item.ticket_lock),
        "sla_date": item.sla_date,
        "sla_flag": 0,
        "freeze_date": None,
        "freeze": 0,
        "viewed_by_staff": 1,
        "viewed_by_client": 0,
        "rate": "",
        "rate_comment": "",
        "rate_date": "",
        "deleted": 0,
        "custom_fields": custom_field_values(item.custom_fields, schema),
        "tags": [str(tag) for tag in item.tags],
        "jira_issues": [],
        # Not in the create example's answer, but in the real API's, as its clients show.
        "user_email": people[item.user_id].email if item.user_id in people else item.user_email,
        "owner_email": people[item.owner_id].email if item.owner_id in people else "",
        # Sandbox extras: not in the real API's answer.
        "files": [{"name": f.name, "size": f.size} for f in item.files.all()],
        "custom_fields_sent": item.custom_fields,
        "create_from_user": int(item.create_from_user),
    }


def kb_category(item: KbCategory) -> dict[str, Any]:
    """A knowledge base category, as the reference lists write theirs."""
    return {"id": item.id, "name": item.names()}


def kb_article(item: KbArticle) -> dict[str, Any]:
    """A knowledge base article: its flags as 0/1, its dates on the helpdesk's clock, its title
    and (HTML) body in each language."""
    return {
        "id": item.id,
        "category_id": item.category_id,
        "public": int(item.public),
        "pin": int(item.pin),
        "views": item.views,
        "date_created": _date(item.date_created),
        "date_updated": _date(item.date_updated),
        "title": item.titles(),
        "body": item.bodies(),
    }
