"""The sandbox tickets API over real HTTP: envelopes, auth, validation, pagination, rate limit."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils import timezone

from sandbox import ratelimit
from sandbox.models import Ticket, TicketFile
from tickets import schema as ticket_schema
from tickets.helpdesk.errors import field_named_in

pytestmark = pytest.mark.django_db(transaction=True)

# create-ticket.txt's request example, with a real address for the regex field (103).
EXAMPLE_CUSTOM_FIELDS = {
    "96": "Field value of type (Text Field)",
    "97": "Field value of type (Text Area)",
    "98": "1",
    "99": "192",
    "100": {"1": 198, "2": 204},
    "101": "01.01.2027",
    "102": "09:00",
    "103": "name@example.com",
    "104": "1",
    "105": "1",
    "106": "45928",
}
EXAMPLE_BODY = {
    "pid": "1",
    "title": "Test Ticket",
    "description": "Ticket Description",
    "sla_date": "01.01.2026 00:00",
    "status_id": "open",
    "priority_id": 1,
    "type_id": 1,
    "department_id": 1,
    "ticket_lock": False,
    "owner_id": 1,
    "user_id": 1,
    "followers": [1],
    "create_from_user": 1,
    "custom_fields": EXAMPLE_CUSTOM_FIELDS,
    "tags": [1, 2],
}
# The keys of create-ticket.txt's Response Example, the two emails real answers carry, then the
# sandbox's three extras.
RESPONSE_KEYS = [
    "id", "pid", "unique_id", "date_created", "date_updated", "title", "source", "status_id",
    "priority_id", "type_id", "department_id", "department_name", "owner_id", "owner_name",
    "owner_lastname", "user_id", "user_name", "user_lastname", "cc", "bcc", "followers",
    "ticket_lock", "sla_date", "sla_flag", "freeze_date", "freeze", "viewed_by_staff",
    "viewed_by_client", "rate", "rate_comment", "rate_date", "deleted", "custom_fields", "tags",
    "jira_issues", "user_email", "owner_email", "files", "custom_fields_sent", "create_from_user",
]  # fmt: skip
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def _name(en: str, ru: str, ua: str) -> dict[str, str]:
    return {"en": en, "ru": ru, "ua": ua}


EXPECTED_CUSTOM_FIELDS = [
    {"id": 96, "field_type": "text", "field_value": "Field value of type (Text Field)"},
    {"id": 97, "field_type": "textarea", "field_value": "Field value of type (Text Area)"},
    {"id": 98, "field_type": "number", "field_value": "1"},
    {
        "id": 99,
        "field_type": "select",
        "field_value": {"id": 192, "name": _name("Windows", "Windows", "Windows")},
    },
    {
        "id": 100,
        "field_type": "hierarchy",
        "field_value": {
            "1": {"id": 198, "name": _name("Online store", "Интернет-магазин", "Інтернет-магазин")},
            "2": {
                "id": 204,
                "name": _name("Checkout", "Оформление заказа", "Оформлення замовлення"),
            },
        },
    },
    {"id": 101, "field_type": "date", "field_value": "01.01.2027"},
    {"id": 102, "field_type": "time", "field_value": "09:00"},
    {"id": 103, "field_type": "regex", "field_value": "name@example.com"},
    {"id": 104, "field_type": "checkbox", "field_value": 1},
    {"id": 105, "field_type": "button", "field_value": 1},
    {
        "id": 106,
        "field_type": "multi_button",
        "field_value": {"id": 45928, "name": _name("Email", "Почта", "Пошта")},
    },
]


@pytest.fixture(autouse=True)
def _fresh_state(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    ticket_schema.clear_cache()
    yield
    cache.clear()
    ticket_schema.clear_cache()


def _create(api, body: dict) -> requests.Response:
    return api.post(api.url("tickets/"), json=body, timeout=10)


def _fields_named(response: requests.Response) -> list[str]:
    """The field each error's words name: the items carry code, title and details only."""
    errors = response.json()["errors"]
    assert all(set(error) == {"code", "title", "details"} for error in errors), errors
    return [field_named_in(error["details"]) for error in errors]


# --- Create and read back -------------------------------------------------------------------------
def test_create_with_the_documented_example_and_read_it_back(api):
    parent = Ticket.objects.create(title="Parent", description="d")  # pid must be a ticket
    response = _create(api, {**EXAMPLE_BODY, "pid": str(parent.id)})
    assert response.status_code == 201, response.text
    assert response.headers["Content-Type"] == "application/json"
    ticket = response.json()["data"]

    assert list(ticket) == RESPONSE_KEYS
    assert ticket["custom_fields_sent"] == EXAMPLE_CUSTOM_FIELDS
    assert ticket["custom_fields"] == EXPECTED_CUSTOM_FIELDS
    assert re.fullmatch(r"SBX-\d{4,}", ticket["unique_id"])
    assert DATE_RE.match(ticket["date_created"]) and DATE_RE.match(ticket["date_updated"])
    assert ticket["pid"] == parent.id
    assert ticket["title"] == "Test Ticket"
    assert ticket["source"] == "system"
    assert ticket["status_id"] == "open"
    assert (ticket["priority_id"], ticket["type_id"], ticket["department_id"]) == (1, 1, 1)
    assert ticket["department_name"] == "Support Department"
    assert (ticket["owner_id"], ticket["user_id"]) == (1, 1)
    assert ticket["followers"] == [1]
    assert ticket["cc"] == [] and ticket["bcc"] == []
    assert ticket["ticket_lock"] == 0
    assert ticket["sla_date"] == "01.01.2026 00:00"
    assert ticket["tags"] == ["1", "2"]
    assert ticket["jira_issues"] == []
    assert ticket["files"] == []

    stored = Ticket.objects.get(pk=ticket["id"])
    assert stored.unique_id == ticket["unique_id"]
    assert stored.description == "Ticket Description"
    assert stored.custom_fields == EXAMPLE_CUSTOM_FIELDS
    assert stored.create_from_user is True

    again = api.get(api.url(f"tickets/{ticket['id']}/"), timeout=10)
    assert again.status_code == 200
    assert again.json() == {"data": ticket}


def test_defaults_and_a_user_made_from_the_email(api):
    response = _create(api, {"title": "T", "description": "D", "user_email": "jane@example.com"})
    assert response.status_code == 201, response.text
    ticket = response.json()["data"]
    assert ticket["status_id"] == "open"
    assert ticket["custom_fields"] == [] and ticket["custom_fields_sent"] == {}
    assert ticket["user_name"] == "jane"
    assert ticket["user_id"] > 0
    second = _create(api, {"title": "T2", "description": "D2", "user_email": "jane@example.com"})
    assert second.json()["data"]["user_id"] == ticket["user_id"]
    assert second.json()["data"]["unique_id"] != ticket["unique_id"]


def test_empty_custom_field_values_are_accepted(api):
    empty = {
        "96": "",
        "98": "",
        "99": "",
        "100": {"1": 0},
        "101": "",
        "102": "",
        "103": "",
        "104": "",
        "106": "",
    }
    response = _create(api, {"title": "T", "description": "D", "custom_fields": empty})
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["custom_fields_sent"] == empty
    values = {f["id"]: f["field_value"] for f in data["custom_fields"]}
    assert values == {96: "", 98: "", 99: "", 100: "", 101: "", 102: "", 103: "", 104: 0, 106: ""}


def test_multipart_with_two_files_and_bracket_keys(api):
    form = {
        "title": "With files",
        "description": "See attached",
        "user_email": "jane@example.com",
        "ticket_lock": "1",
        "department_id": "2",
        "custom_fields[96]": "A-12345",
        "custom_fields[100][1]": "199",
        "custom_fields[100][2]": "206",
        "custom_fields[104]": "1",
        "tags[0]": "web",
        "tags[1]": "urgent",
        "cc[0]": "boss@example.com",
    }
    png, log = b"\x89PNG fake image", b"line 1\nline 2\n"
    files = {
        "files[0]": ("screen.png", png, "image/png"),
        "files[1]": ("log.txt", log, "text/plain"),
    }
    response = api.post(api.url("tickets/"), data=form, files=files, timeout=10)
    assert response.status_code == 201, response.text
    ticket = response.json()["data"]
    assert ticket["custom_fields_sent"] == {
        "96": "A-12345",
        "100": {"1": "199", "2": "206"},
        "104": "1",
    }
    assert ticket["custom_fields"][1] == {
        "id": 100,
        "field_type": "hierarchy",
        "field_value": {
            "1": {"id": 199, "name": _name("Mobile app", "Мобильное приложение", "Мобільний застосунок")},
            "2": {"id": 206, "name": _name("iOS app", "Приложение для iOS", "Застосунок для iOS")},
        },
    }  # fmt: skip
    assert ticket["tags"] == ["web", "urgent"]
    assert ticket["cc"] == ["boss@example.com"]
    assert ticket["ticket_lock"] == 1
    assert ticket["department_name"] == "Billing"
    assert ticket["files"] == [
        {"name": "screen.png", "size": len(png)},
        {"name": "log.txt", "size": len(log)},
    ]

    stored = TicketFile.objects.filter(ticket_id=ticket["id"]).order_by("id")
    assert [(f.name, f.content_type) for f in stored] == [
        ("screen.png", "image/png"),
        ("log.txt", "text/plain"),
    ]
    assert Path(stored[0].file.path).read_bytes() == png
    assert Path(stored[1].file.path).read_bytes() == log
    assert stored[1].file.name.startswith("sandbox/")


def test_multipart_body_that_cannot_be_unflattened_is_refused(api):
    form = {"title": "T", "description": "D", "tags": "x", "tags[0]": "y"}
    response = api.post(api.url("tickets/"), data=form, files={"files[0]": ("a", b"a")}, timeout=10)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "e-400"
    assert Ticket.objects.count() == 0


# --- Validation -----------------------------------------------------------------------------------
def _with_custom(**fields) -> dict:
    return {
        "title": "T",
        "description": "D",
        "custom_fields": {k[1:]: v for k, v in fields.items()},
    }


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"description": "D"}, "title", "required"),
        ({"title": "   ", "description": "D"}, "title", "required"),
        ({"title": "T"}, "description", "required"),
        (_with_custom(_99="999"), "custom_fields[99]", "999"),
        (_with_custom(_106="192"), "custom_fields[106]", "192"),
        (_with_custom(_100={"1": 198, "2": 206}), "custom_fields[100]", "206"),
        (_with_custom(_100={"1": 204}), "custom_fields[100]", "204"),
        (_with_custom(_100={"2": 204}), "custom_fields[100]", "level"),
        (_with_custom(_100={"1": 0, "2": 204}), "custom_fields[100]", "level"),
        (_with_custom(_100={"1": 198, "2": 99999}), "custom_fields[100]", "99999"),
        (_with_custom(_100="198"), "custom_fields[100]", "object"),
        (_with_custom(_101="31.02.2027"), "custom_fields[101]", "31.02.2027"),
        (_with_custom(_101="2027-01-01"), "custom_fields[101]", "DD.MM.YYYY"),
        (_with_custom(_102="25:00"), "custom_fields[102]", "HH:MM"),
        (_with_custom(_103="not an email"), "custom_fields[103]", "pattern"),
        (_with_custom(_98="many"), "custom_fields[98]", "number"),
        (_with_custom(_104="yes"), "custom_fields[104]", "yes"),
        (_with_custom(_96=5), "custom_fields[96]", "string"),
        (_with_custom(_555="x"), "custom_fields[555]", "555"),
        ({"title": "T", "description": "D", "priority_id": "high"}, "priority_id", "high"),
        ({"title": "T", "description": "D", "department_id": 7}, "department_id", "7"),
        ({"title": "T", "description": "D", "sla_date": "01.01.2026"}, "sla_date", "not valid"),
        ({"title": "T", "description": "D", "user_email": "nobody"}, "user_email", "nobody"),
        ({"title": "T", "description": "D", "tags": "a"}, "tags", "array"),
    ],
)
def test_each_validation_problem_names_its_field(api, body, field, words):
    response = _create(api, body)
    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    assert errors[0]["code"] == "e-400"
    assert errors[0]["title"] == "Validation error"
    assert _fields_named(response) == [field]
    assert words in errors[0]["details"]
    assert Ticket.objects.count() == 0


def test_every_problem_is_reported_at_once(api):
    body = _with_custom(_99="999", _101="32.01.2027")
    del body["title"]
    response = _create(api, body)
    assert response.status_code == 400
    assert _fields_named(response) == ["title", "custom_fields[99]", "custom_fields[101]"]


def test_unknown_top_level_keys_are_ignored(api):
    response = _create(api, {"title": "T", "description": "D", "whatever": {"x": 1}})
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(b"{not json", "application/json"), (b"[1, 2]", "application/json"), (b"x", "text/plain")],
)
def test_a_body_that_is_not_an_object_is_refused(api, data, content_type):
    response = api.post(
        api.url("tickets/"), data=data, headers={"Content-Type": content_type}, timeout=10
    )
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["code"] == "e-400"
    assert error["details"]


# --- Auth, envelopes, methods ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "auth",
    [None, ("portal@sandbox.invalid", "wrong-key"), ("someone@example.com", "sandbox-key")],
)
def test_bad_credentials_get_401(base_url, auth):
    response = requests.post(
        base_url + "tickets/", json={"title": "T", "description": "D"}, auth=auth, timeout=10
    )
    assert response.status_code == 401
    (error,) = response.json()["errors"]
    assert (error["code"], error["title"]) == ("e-401", "Unauthorized")
    assert error["details"]
    assert Ticket.objects.count() == 0


def test_unknown_paths_missing_tickets_and_wrong_methods(api):
    missing = api.get(api.url("nothing/here/"), timeout=10)
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["code"] == "e-404"
    ticket = api.get(api.url("tickets/12345/"), timeout=10)
    assert ticket.status_code == 404
    assert ticket.json()["errors"][0]["title"] == "Not found"
    wrong = api.delete(api.url("tickets/"), timeout=10)
    assert wrong.status_code == 405
    assert wrong.json()["errors"][0]["code"] == "e-405"
    assert wrong.headers["Allow"] == "GET, POST"


def test_ticket_list_pages_newest_first_and_searches(api):
    for n in range(32):
        Ticket.objects.create(title=f"Ticket {n}", description="d", user_email=f"u{n}@example.com")
    first = api.get(api.url("tickets/"), timeout=10).json()
    assert first["pagination"] == {"total": 32, "per_page": 30, "current_page": 1, "total_pages": 2}
    # Keyed by id, as the real API's list is.
    assert all(key == str(t["id"]) for key, t in first["data"].items())
    assert titles(first)[:2] == ["Ticket 31", "Ticket 30"]
    assert len(first["data"]) == 30
    second = api.get(api.url("tickets/"), params={"page": 2}, timeout=10).json()
    assert titles(second) == ["Ticket 1", "Ticket 0"]
    found = api.get(api.url("tickets/"), params={"search": "u7@"}, timeout=10).json()
    assert titles(found) == ["Ticket 7"]
    assert found["pagination"]["total"] == 1


def titles(body: dict) -> list[str]:
    return [t["title"] for t in body["data"].values()]


def test_every_path_answers_with_and_without_its_trailing_slash(api):
    ticket = Ticket.objects.create(title="Slash", description="d", user_email="s@example.com")
    for path in ("tickets", f"tickets/{ticket.pk}", f"tickets/{ticket.pk}/posts", "users",
                 "users/2", "custom_fields", "custom_fields/99/options", "statuses"):  # fmt: skip
        with_slash = api.get(api.url(f"{path}/"), timeout=10)
        without = api.get(api.url(path), timeout=10, allow_redirects=False)
        assert with_slash.status_code == without.status_code == 200, path
        assert with_slash.json() == without.json(), path


def test_the_list_filters_and_orders_as_the_clients_ask(api, settings):
    old = Ticket.objects.create(title="Old", description="d", status_id="closed", user_id=1001,
                                owner_id=2, priority_id=1, type_id=0)  # fmt: skip
    Ticket.objects.create(title="New", description="d", status_id="open", user_id=1002,
                          owner_id=3, priority_id=2, type_id=1)  # fmt: skip
    Ticket.objects.filter(pk=old.pk).update(
        date_created=timezone.now() - timedelta(days=3),
        date_updated=timezone.now() - timedelta(days=2),
    )

    def listed(**params) -> list[str]:
        answer = api.get(api.url("tickets/"), params=params, timeout=10)
        assert answer.status_code == 200, answer.text
        return titles(answer.json())

    assert listed() == ["New", "Old"]
    assert listed(order_by="date_created{asc}") == ["Old", "New"]
    assert listed(order_by="date_updated{desc}") == ["New", "Old"]
    assert listed(status_list="closed") == ["Old"]
    assert listed(status_list="open,closed") == ["New", "Old"]
    assert listed(user_list="1002") == ["New"]
    assert listed(owner_list="2") == ["Old"]
    assert listed(**{"owner_list[]": ["2", "3"]}) == ["New", "Old"]
    assert listed(priority_list="2") == ["New"]
    assert listed(type_list="0") == ["Old"]
    yesterday = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    assert listed(from_date_updated=yesterday) == ["New"]
    assert listed(to_date_updated=yesterday) == ["Old"]
    assert listed(status_list="open", owner_list="2") == []

    wrong = api.get(api.url("tickets/"), params={"order_by": "title{up}"}, timeout=10)
    assert wrong.status_code == 400
    assert "order_by" in wrong.json()["errors"][0]["details"]
    wrong = api.get(api.url("tickets/"), params={"from_date_updated": "yesterday"}, timeout=10)
    assert wrong.status_code == 400


def test_reference_lists(api):
    departments = api.get(api.url("departments/"), timeout=10).json()
    assert departments["data"] == [
        {"id": 1, "name": _name("Support Department", "Отдел поддержки", "Відділ підтримки")},
        {"id": 2, "name": _name("Billing", "Бухгалтерия", "Бухгалтерія")},
    ]
    statuses = api.get(api.url("statuses/"), timeout=10).json()["data"]
    assert [s["id"] for s in statuses] == ["open", "process", "closed"]
    types = api.get(api.url("types/"), timeout=10).json()["data"]
    assert types[0] == {"id": 0, "name": _name("Without type", "Без типа", "Без типу")}
    priorities = api.get(api.url("priorities/"), timeout=10).json()["data"]
    assert [p["id"] for p in priorities] == [1, 2, 3]


def test_custom_fields_of_the_shipped_schema(api):
    body = api.get(api.url("custom_fields/"), timeout=10).json()
    assert list(body["data"]) == [str(n) for n in range(96, 112)]
    assert body["pagination"] == {"total": 16, "per_page": 30, "current_page": 1, "total_pages": 1}
    assert body["data"]["96"] == {
        "id": 96,
        "name": _name("Order number", "Номер заказа", "Номер замовлення"),
        "field_type": "text",
        "permissions": {
            "user": {
                "view": True,
                "edit": True,
                "required_to_create_ticket": True,
                "required_to_close_ticket": False,
            },
            "staff": {
                "view": True,
                "edit": True,
                "required_to_create_ticket": False,
                "required_to_close_ticket": False,
            },
        },
    }
    assert body["data"]["100"]["name"] == {
        "1": _name("Product", "Продукт", "Продукт"),
        "2": _name("Component", "Компонент", "Компонент"),
        "3": _name("Area", "Раздел", "Розділ"),
    }
    assert body["data"]["107"]["permissions"]["user"]["view"] is False
    options = api.get(api.url("custom_fields/99/options/"), timeout=10).json()
    assert options["data"][0] == {
        "id": 192,
        "pid": 0,
        "name": _name("Windows", "Windows", "Windows"),
    }
    assert options["pagination"]["per_page"] == 50
    assert api.get(api.url("custom_fields/4242/options/"), timeout=10).status_code == 404


# --- Pagination with a large schema ---------------------------------------------------------------
@pytest.fixture
def big_schema(settings, tmp_path):
    """35 fields; the last is a hierarchy of 10 top options with 5 children each (60 options)."""
    fields = [{"id": n, "field_type": "text", "name": f"Field {n}"} for n in range(1, 35)]
    options = [{"id": 1000 + n, "pid": 0, "name": f"Top {n}"} for n in range(10)]
    options += [
        {"id": 2000 + 10 * top + n, "pid": 1000 + top, "name": f"Child {top}.{n}"}
        for top in range(10)
        for n in range(5)
    ]
    fields.append(
        {
            "id": 35,
            "field_type": "hierarchy",
            "name": {"1": {"en": "Top"}, "2": {"en": "Child"}},
            "options": options,
        }
    )
    path = tmp_path / "big_schema.json"
    path.write_text(json.dumps({"format": 1, "fields": fields}), encoding="utf-8")
    settings.TICKETS_SCHEMA_FILE = path
    ticket_schema.clear_cache()
    return path


def test_custom_fields_come_30_a_page(api, big_schema):
    first = api.get(api.url("custom_fields/"), timeout=10).json()
    assert list(first["data"]) == [str(n) for n in range(1, 31)]
    assert first["pagination"] == {"total": 35, "per_page": 30, "current_page": 1, "total_pages": 2}
    second = api.get(api.url("custom_fields/"), params={"page": 2}, timeout=10).json()
    assert list(second["data"]) == ["31", "32", "33", "34", "35"]
    assert second["pagination"]["current_page"] == 2
    assert second["data"]["35"]["name"] == {
        "1": {"en": "Top", "ru": "", "ua": ""},
        "2": {"en": "Child", "ru": "", "ua": ""},
    }
    beyond = api.get(api.url("custom_fields/"), params={"page": 3}, timeout=10).json()
    assert beyond["data"] == {}


def test_options_come_50_a_page(api, big_schema):
    first = api.get(api.url("custom_fields/35/options/"), timeout=10).json()
    assert first["pagination"] == {"total": 60, "per_page": 50, "current_page": 1, "total_pages": 2}
    assert len(first["data"]) == 50
    assert first["data"][0] == {"id": 1000, "pid": 0, "name": {"en": "Top 0", "ru": "", "ua": ""}}
    second = api.get(api.url("custom_fields/35/options/"), params={"page": 2}, timeout=10).json()
    assert [o["id"] for o in second["data"]] == [*range(2080, 2085), *range(2090, 2095)]
    assert second["data"][-1] == {
        "id": 2094,
        "pid": 1009,
        "name": {"en": "Child 9.4", "ru": "", "ua": ""},
    }


def test_validation_follows_the_configured_schema(api, big_schema):
    good = _create(api, _with_custom(_35={"1": 1003, "2": 2031}))
    assert good.status_code == 201, good.text
    bad = _create(api, _with_custom(_35={"1": 1003, "2": 2041}, _96="x"))
    assert bad.status_code == 400
    assert _fields_named(bad) == ["custom_fields[35]", "custom_fields[96]"]


# --- Rate limit -----------------------------------------------------------------------------------
def test_going_over_the_limit_bans_for_20_minutes(api, settings):
    settings.SANDBOX_RATE_LIMIT = 3
    settings.SANDBOX_RATE_WINDOW = "sliding"  # whenever the minute turns
    remaining = []
    for _ in range(3):
        response = api.get(api.url("statuses/"), timeout=10)
        assert response.status_code == 200
        assert response.headers["X-Rate-Limit"] == "3"
        remaining.append(response.headers["X-Rate-Limit-Remaining"])
    assert remaining == ["2", "1", "0"]

    over = api.get(api.url("statuses/"), timeout=10)
    assert over.status_code == 401
    assert over.json() == {
        "errors": [
            {
                "code": "e-401",
                "title": "Ban",
                "details": "Ban for 20 min. API limit reached (3 request per minute).",
            }
        ]
    }
    assert over.headers["X-Rate-Limit-Remaining"] == "0"

    # The ban outlives the minute's counter.
    ratelimit.forget()
    still = _create(api, {"title": "T", "description": "D"})
    assert still.status_code == 401
    assert still.json()["errors"][0]["title"] == "Ban"
    assert Ticket.objects.count() == 0
    assert cache.get(f"sandbox:ban:{django_settings.SANDBOX_API_EMAIL}") is True


def test_the_api_counts_calendar_minutes(api, settings, monkeypatch):
    """As documented: what is left of the current minute, which starts again when it turns."""
    settings.SANDBOX_RATE_LIMIT = 3
    minute = [30_000_000]
    monkeypatch.setattr(ratelimit, "this_minute", lambda: minute[0])
    remaining = []
    for second in (55, 56, 59, 60, 61, 62):  # six requests in 7 s, across a minute's turn
        minute[0] = 30_000_000 + second // 60
        response = api.get(api.url("statuses/"), timeout=10)
        assert response.status_code == 200, second
        remaining.append(response.headers["X-Rate-Limit-Remaining"])
    assert remaining == ["2", "1", "0", "2", "1", "0"]  # three in each calendar minute
    assert api.get(api.url("statuses/"), timeout=10).status_code == 401


def test_the_sliding_window_counts_any_60_seconds(api, settings):
    settings.SANDBOX_RATE_LIMIT = 3
    settings.SANDBOX_RATE_WINDOW = "sliding"
    for _ in range(3):
        assert api.get(api.url("statuses/"), timeout=10).status_code == 200
    assert api.get(api.url("statuses/"), timeout=10).status_code == 401


def test_a_limit_of_zero_disables_it(api, settings):
    settings.SANDBOX_RATE_LIMIT = 0
    for _ in range(5):
        response = api.get(api.url("statuses/"), timeout=10)
        assert response.status_code == 200
        assert "X-Rate-Limit" not in response.headers


def test_the_default_limit_is_300(api):
    response = api.get(api.url("statuses/"), timeout=10)
    assert response.headers["X-Rate-Limit"] == "300"
    assert response.headers["X-Rate-Limit-Remaining"] == "299"


# --- Admin ----------------------------------------------------------------------------------------
def test_tickets_and_their_files_show_in_the_admin(api, admin_client):
    form = {"title": "Seen in admin", "description": "D", "user_email": "jane@example.com"}
    files = {"files[0]": ("note.txt", b"hello", "text/plain")}
    ticket = api.post(api.url("tickets/"), data=form, files=files, timeout=10).json()["data"]

    listing = admin_client.get("/admin/sandbox/ticket/")
    assert listing.status_code == 200
    assert ticket["unique_id"] in listing.text
    assert "jane@example.com" in listing.text
    detail = admin_client.get(f"/admin/sandbox/ticket/{ticket['id']}/change/")
    assert detail.status_code == 200
    assert "note.txt" in detail.text
