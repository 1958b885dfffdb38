"""The sandbox's endpoints, each a few lines over parsing, validation, storage and serialisers."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from tickets.lib.values import as_flag, is_checked
from tickets.schema import get_schema

from . import files, serializers, users
from .api import endpoint
from .models import KbArticle, KbCategory, Post, Ticket, User
from .parsing import BodyError, parse_body
from .responses import (
    FIELDS_PER_PAGE,
    KB_ARTICLES_PER_PAGE,
    OPTIONS_PER_PAGE,
    POSTS_PER_PAGE,
    TICKETS_PER_PAGE,
    USERS_PER_PAGE,
    ApiError,
    data_response,
    error_response,
    errors_response,
    page_number,
    paginate,
)
from .store import create_ticket, post_from_api
from .validation import ValidationFailed, validate_post, validate_ticket

REFERENCE_KINDS = ("departments", "priorities", "types", "statuses")


@endpoint("GET", "POST")
def tickets(request: HttpRequest) -> HttpResponse:
    """`GET` lists tickets 30 a page, keyed by id, with the filters NOTES lists; `POST` files one."""
    if request.method == "POST":
        return _create_ticket(request)
    found = Ticket.objects.prefetch_related("files")
    search = request.GET.get("search", "").strip()
    if search:
        found = found.filter(
            _ticket_search(search, is_checked(request.GET.get("exact_search", "")))
        )
    try:
        found = found.filter(**_date_filters(request), **_list_filters(request))
        found = found.order_by(*_order(request.GET.get("order_by", "")))
    except ValueError as exc:
        return error_response(400, "Bad request", str(exc))
    page, pagination = paginate(found, page_number(request), TICKETS_PER_PAGE)
    page = list(page)
    schema, people = get_schema(), serializers.people_of(page)
    data = {str(t.id): serializers.ticket(t, schema, people) for t in page}
    return data_response(data, pagination=pagination)


DATE_FILTERS = {
    "from_date_created": "date_created__gte",
    "to_date_created": "date_created__lte",
    "from_date_updated": "date_updated__gte",
    "to_date_updated": "date_updated__lte",
}
ID_FILTERS = {
    "user_list": "user_id__in",
    "owner_list": "owner_id__in",
    "priority_list": "priority_id__in",
    "type_list": "type_id__in",
}
ORDERS = ("id", "date_created", "date_updated")


def _date_filters(request: HttpRequest) -> dict:
    """The `from_`/`to_` date filters as the API takes them: "YYYY-MM-DD HH:MM:SS"."""
    lookups = {}
    for name, lookup in DATE_FILTERS.items():
        raw = request.GET.get(name, "").strip()
        if raw:
            try:
                moment = datetime.strptime(raw, "%Y-%m-%d %H:%M:%S")
            except ValueError:
                raise ValueError(f"{name} must be YYYY-MM-DD HH:MM:SS, got {raw!r}") from None
            # Written on the helpdesk's clock, which may be off the portal's (SANDBOX_CLOCK_HOURS).
            lookups[lookup] = timezone.make_aware(moment) - serializers.clock_offset()
    return lookups


def _list_filters(request: HttpRequest) -> dict:
    """`user_list=1,2` and the like (ids), and `status_list=open,closed` (status slugs)."""
    lookups = {}
    for name, lookup in ID_FILTERS.items():
        ids = users.id_list(request.GET, name)
        if ids is not None:
            lookups[lookup] = ids
    statuses = [
        part.strip()
        for value in (*request.GET.getlist("status_list"), *request.GET.getlist("status_list[]"))
        for part in value.split(",")
        if part.strip()
    ]
    if statuses:
        lookups["status_id__in"] = statuses
    return lookups


def _order(
    raw: str, orders: tuple[str, ...] = ORDERS, default: tuple[str, ...] = ("-date_created", "-id")
) -> tuple[str, ...]:
    """`order_by=date_created{desc}` as an ORM ordering (one of `orders`, then by id the same
    way); `default` without it (tickets: the newest first)."""
    name, _, direction = raw.strip().rstrip("}").partition("{")
    if not name:
        return default
    if name not in orders or direction.lower() not in ("", "asc", "desc"):
        raise ValueError(f"order_by must be one of {', '.join(orders)} with {{asc}} or {{desc}}")
    sign = "-" if direction.lower() == "desc" else ""
    return (f"{sign}{name}", f"{sign}id")


def _ticket_search(search: str, exact: bool) -> Q:
    """What `?search=` matches. The API documents neither the fields nor what `exact_search`
    does, so SANDBOX_SEARCH (a test setting) plays each way: "contains" (the default: the
    title, description or email sent, the client's name or email, all "contains", or the whole
    unique_id), "titles" (titles only), "whole" (with exact_search=1, whole fields only).
    """
    mode = getattr(settings, "SANDBOX_SEARCH", "contains")
    if mode == "titles":
        return Q(title__icontains=search)
    if mode == "whole" and exact:
        return Q(title__iexact=search) | Q(user_email__iexact=search) | Q(unique_id__iexact=search)
    clients = users.search(User.objects.all(), search, exact=False).values("id")
    return (
        Q(title__icontains=search)
        | Q(description__icontains=search)
        | Q(user_email__icontains=search)
        | Q(user_id__in=clients)
        | Q(unique_id__iexact=search)
    )


def _create_ticket(request: HttpRequest) -> HttpResponse:
    try:
        data, files = parse_body(request)
        values = validate_ticket(data, get_schema())
    except BodyError as exc:
        return error_response(400, "Bad request", str(exc))
    except ValidationFailed as exc:
        errors = [ApiError("e-400", "Validation error", p.details) for p in exc.problems]
        return errors_response(400, errors)
    ticket = create_ticket(values, files)
    return data_response(serializers.ticket(ticket, get_schema()), status=201)


@endpoint("GET")
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return _no_ticket(ticket_id)
    return data_response(serializers.ticket(ticket, get_schema()))


@endpoint("GET", "POST")
def ticket_posts(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """`GET`: the ticket's public conversation, 30 a page, newest first (as one integration
    reports the API's order): its first post (the description and the files sent on create)
    and every public post after it, never an internal comment. `POST`: a new public post."""
    ticket = Ticket.objects.prefetch_related("files").filter(pk=ticket_id).first()
    if ticket is None:
        return _no_ticket(ticket_id)
    if request.method == "POST":
        return _add_post(request, ticket)
    return _conversation(request, ticket, Post.PUBLIC)


@endpoint("GET")
def ticket_comments(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The ticket's internal comments (`"visible": "staff"`), 30 a page, newest first."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return _no_ticket(ticket_id)
    return _conversation(request, ticket, Post.STAFF)


def _no_ticket(ticket_id: int) -> HttpResponse:
    return error_response(404, "Not found", f"Ticket {ticket_id} does not exist.")


def file_link(request: HttpRequest) -> serializers.FileLink:
    """(kind, id) -> the file's absolute URL on this sandbox, as the request reached it."""

    def link(kind: str, file_id: int) -> str:
        path = reverse("sandbox:file", args=[files.key_of(kind, file_id)])
        return request.build_absolute_uri(path)

    return link


def _conversation(request: HttpRequest, ticket: Ticket, visible: str) -> HttpResponse:
    """One page of the ticket's posts (or comments), newest first; the first post comes last."""
    found: list[Post | Ticket] = list(
        ticket.posts.filter(visible=visible).prefetch_related("files")
    )
    if visible == Post.PUBLIC:
        found.append(ticket)  # the first post: the description, with the ticket's files
    found.sort(key=lambda item: (item.date_created, item.pk), reverse=True)
    page, pagination = paginate(found, page_number(request), POSTS_PER_PAGE)
    link = file_link(request)
    data = [
        serializers.post(item, link)
        if isinstance(item, Post)
        else serializers.first_post(item, link)
        for item in page
    ]
    return data_response(data, pagination=pagination)


def _add_post(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    """A public post, by `user_id` (the ticket's client or a staff user) or, without it, by the
    API's own account (users.account_user_id). Answered 201 with the post in `data`. A client's
    post on a closed ticket leaves it closed (store.post_from_api)."""
    try:
        data, uploads = parse_body(request)
        text, user_id = validate_post(data, ticket.user_id)
    except BodyError as exc:
        return error_response(400, "Bad request", str(exc))
    except ValidationFailed as exc:
        errors = [ApiError("e-400", "Validation error", p.details) for p in exc.problems]
        return errors_response(400, errors)
    created = post_from_api(ticket, text, user_id or users.account_user_id(), uploads)
    return data_response(serializers.post(created, file_link(request)), status=201)


@endpoint("GET")
def file_download(request: HttpRequest, key: str) -> HttpResponse:
    """The bytes of a post's file (`ticket-<id>` or `post-<id>`), with the type it was sent
    with. NOTES does not show whether the helpdesk's file URLs need the API's authentication:
    the sandbox plays the strict reading, so they do (the `endpoint` frame)."""
    stored = files.find(key)
    if stored is None:
        return error_response(404, "Not found", f"File {key} does not exist.")
    try:
        handle = stored.file.open("rb")
    except (FileNotFoundError, ValueError):
        return error_response(404, "Not found", f"The bytes of file {key} are gone.")
    return FileResponse(handle, content_type=files.data_type(stored), filename=stored.name)


@endpoint("GET")
def users_list(request: HttpRequest) -> HttpResponse:
    found = users.filtered(request.GET)
    page, pagination = paginate(found, page_number(request), USERS_PER_PAGE)
    return data_response([serializers.user(u) for u in page], pagination=pagination)


@endpoint("GET")
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    found = User.objects.filter(pk=user_id).first()
    if found is None:
        return error_response(404, "Not found", f"User {user_id} does not exist.")
    return data_response(serializers.user(found))


@endpoint("GET")
def custom_fields(request: HttpRequest) -> HttpResponse:
    fields = list(get_schema().fields.values())
    page, pagination = paginate(fields, page_number(request), FIELDS_PER_PAGE)
    data = {str(f.id): serializers.custom_field(f) for f in page}
    return data_response(data, pagination=pagination)


@endpoint("GET")
def field_options(request: HttpRequest, field_id: int) -> HttpResponse:
    field = get_schema().fields.get(field_id)
    if field is None:
        return error_response(404, "Not found", f"Custom field {field_id} does not exist.")
    page, pagination = paginate(field.options, page_number(request), OPTIONS_PER_PAGE)
    return data_response([serializers.option(o) for o in page], pagination=pagination)


@endpoint("GET")
def references(request: HttpRequest, kind: str) -> HttpResponse:
    items = get_schema().references.get(kind, ())
    return data_response([serializers.reference(r) for r in items])


@endpoint("GET")
def kb_categories(request: HttpRequest) -> HttpResponse:
    """The knowledge base's categories, by id, as an array (as the reference lists)."""
    return data_response([serializers.kb_category(c) for c in KbCategory.objects.all()])


KB_ORDERS = ("id", "date_created", "date_updated", "views", "pin")


@endpoint("GET")
def kb_articles(request: HttpRequest) -> HttpResponse:
    """The knowledge base's articles, 10 a page, by id unless `order_by` says otherwise; the
    filters NOTES lists (`public`, `category_list`, the four dates). Unpublished articles are
    listed too (the API's key is a staff user's) unless `public=1`. No search is documented: a
    `search` parameter is ignored, as any other unknown one."""
    found = KbArticle.objects.all()
    try:
        public = _public_filter(request.GET.get("public", ""))
        if public is not None:
            found = found.filter(public=public)
        categories = users.id_list(request.GET, "category_list")
        if categories is not None:
            found = found.filter(category_id__in=categories)
        found = found.filter(**_date_filters(request))
        found = found.order_by(*_order(request.GET.get("order_by", ""), KB_ORDERS, ("id",)))
    except ValueError as exc:
        return error_response(400, "Bad request", str(exc))
    page, pagination = paginate(found, page_number(request), KB_ARTICLES_PER_PAGE)
    return data_response([serializers.kb_article(a) for a in page], pagination=pagination)


def _public_filter(raw: str) -> bool | None:
    """`public=1` (published articles only) or `public=0` (unpublished only); None: both."""
    if not raw.strip():
        return None
    flag = as_flag(raw)
    if flag is None:
        raise ValueError(f"public must be 1 or 0, got {raw!r}")
    return flag


@endpoint("GET")
def kb_article(request: HttpRequest, article_id: int) -> HttpResponse:
    found = KbArticle.objects.filter(pk=article_id).first()
    if found is None:
        return error_response(404, "Not found", f"Article {article_id} does not exist.")
    return data_response(serializers.kb_article(found))


@endpoint()
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    return error_response(404, "Not found", f"No API endpoint at /{path}.")
