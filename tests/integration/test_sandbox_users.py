"""The sandbox's users over real HTTP: `GET /users/`, and the users and tickets a create names."""

from __future__ import annotations

import pytest
import requests
from django.conf import settings as django_settings
from django.core.management import call_command

from sandbox.models import Ticket, User
from tickets.helpdesk.errors import field_named_in

pytestmark = pytest.mark.django_db(transaction=True)

STAFF = {
    "id": 1,
    "type": "staff",
    "name": {"ru": "Администраторы", "en": "Administrators", "ua": "Адміністратори"},
}
AGENTS = {
    "id": 2,
    "type": "staff",
    "name": {"ru": "Сотрудники поддержки", "en": "Support agents", "ua": "Співробітники підтримки"},
}
CLIENTS = {"id": 3, "type": "user", "name": {"ru": "Клиенты", "en": "Clients", "ua": "Клієнти"}}
SEED_IDS = [1, 2, 3, 1001, 1002, 1003, 1004, 1005]
OLENA = {
    "id": 2,
    "name": "Olena",
    "lastname": "Koval",
    "email": "olena.koval@sandbox.invalid",
    "phone": "+380 44 000 0002",
    "group": AGENTS,
}
GRACE = {
    "id": 1002,
    "name": "Grace",
    "lastname": "Hopper",
    "email": "grace@example.com",
    "phone": "+1 202 555 0147",
    "group": CLIENTS,
}


def without_key(user: dict) -> dict:
    return {name: value for name, value in user.items() if name != "api_key"}


@pytest.fixture
def api(live_server):
    """A requests session with the sandbox's credentials; `api.url(path)` joins the base."""
    session = requests.Session()
    session.auth = (django_settings.SANDBOX_API_EMAIL, django_settings.SANDBOX_API_KEY)
    session.url = lambda path: f"{live_server.url}/sandbox/api/v2/{path}"
    yield session
    session.close()


def users(api, **params) -> dict:
    response = api.get(api.url("users/"), params=params, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def ids(body: dict) -> list[int]:
    return [user["id"] for user in body["data"]]


def create(api, **body) -> requests.Response:
    return api.post(
        api.url("tickets/"), json={"title": "T", "description": "D", **body}, timeout=10
    )


def created(api, **body) -> dict:
    response = create(api, **body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def read_back(api, ticket_id: int) -> dict:
    response = api.get(api.url(f"tickets/{ticket_id}/"), timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["data"]


# --- GET /users/ ------------------------------------------------------------------------------------
def test_the_seed_users_in_one_page(api):
    body = users(api)
    assert body["pagination"] == {"total": 8, "per_page": 30, "current_page": 1, "total_pages": 1}
    assert ids(body) == SEED_IDS
    assert without_key(body["data"][0]) == {
        "id": 1,
        "name": "Administrator",
        "lastname": "",
        "email": "admin@sandbox.invalid",
        "phone": "",
        "group": STAFF,
    }
    assert without_key(body["data"][1]) == OLENA
    assert [list(user) for user in body["data"]] == [[*OLENA, "api_key"]] * 8
    # Each user's own key, as the real API shows it to the main administrator's key.
    keys = {user["api_key"] for user in body["data"]}
    assert len(keys) == 8 and all(len(key) == 32 for key in keys)


def test_one_user_by_id(api):
    response = api.get(api.url("users/1002/"), timeout=10)
    assert response.status_code == 200
    assert without_key(response.json()["data"]) == GRACE
    missing = api.get(api.url("users/4242/"), timeout=10)
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["code"] == "e-404"
    assert api.post(api.url("users/"), json={}, timeout=10).status_code == 405


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("grace@", [1002]),
        ("RACE@EXAM", [1002]),
        ("example.com", [1001, 1002, 1003, 1004, 1005]),
        ("sandbox.invalid", [1, 2, 3]),
        ("lovelace", [1001]),
        ("Alan", [1003]),
        ("ivan petrenko", [3]),
        ("  Ivan   Petrenko ", [3]),
        ("мария", [1004]),
        ("ШЕВЧЕНКО", [1005]),
        ("Тарас Шевченко", [1005]),
        ("nobody-like-this", []),
    ],
)
def test_search_by_part_of_a_name_or_an_email(api, search, expected):
    body = users(api, search=search)
    assert ids(body) == expected
    assert body["pagination"]["total"] == len(expected)


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("grace@example.com", [1002]),
        ("Grace@Example.COM", [1002]),
        ("grace hopper", [1002]),
        ("мария иванова", [1004]),
        ("Administrator", [1]),
        ("grace@", []),
        ("Grace", []),
        ("hopper", []),
    ],
)
def test_exact_search_needs_the_whole_email_or_full_name(api, search, expected):
    assert ids(users(api, search=search, exact_search=1)) == expected


def test_group_list_and_id_list(api):
    staff = users(api, group_list="1,2")
    assert ids(staff) == [1, 2, 3]
    assert {user["group"]["type"] for user in staff["data"]} == {"staff"}
    assert ids(users(api, group_list="2")) == [2, 3]
    assert ids(users(api, group_list="3")) == [1001, 1002, 1003, 1004, 1005]
    assert ids(users(api, id_list="2,1003")) == [2, 1003]
    assert ids(users(api, id_list="1003")) == [1003]
    assert ids(users(api, id_list="2,1003", group_list="3")) == [1003]
    assert ids(users(api, group_list="1,2", search="koval")) == [2]
    assert ids(users(api, id_list="x")) == []
    assert ids(users(api, organization_list="5")) == SEED_IDS


def test_users_come_30_a_page(api):
    for n in range(35):
        User.objects.create(name=f"Load{n:02d}", lastname="Tester", email=f"t{n:02d}@load.example")
    everyone = users(api)
    assert everyone["pagination"] == {
        "total": 43,
        "per_page": 30,
        "current_page": 1,
        "total_pages": 2,
    }
    assert len(everyone["data"]) == 30
    assert ids(everyone)[:9] == [*SEED_IDS, 1006]

    found = users(api, search="load.example", page=2)
    assert found["pagination"] == {"total": 35, "per_page": 30, "current_page": 2, "total_pages": 2}
    assert [u["name"] for u in found["data"]] == ["Load30", "Load31", "Load32", "Load33", "Load34"]
    assert {u["group"]["id"] for u in found["data"]} == {3}
    assert users(api, search="load.example", page=3)["data"] == []


def test_the_seed_comes_back_after_a_flush():
    User.objects.filter(id=2).delete()
    call_command("flush", interactive=False, verbosity=0)
    assert list(User.objects.values_list("id", flat=True)) == SEED_IDS
    assert User.objects.get(id=1004).name_key == "мария иванова"


def test_users_show_in_the_admin(admin_client):
    listing = admin_client.get("/admin/sandbox/user/")
    assert listing.status_code == 200
    assert "olena.koval@sandbox.invalid" in listing.text
    assert "Тарас" in listing.text
    assert admin_client.get("/admin/sandbox/user/1001/change/").status_code == 200

    form = {"name": "Petro", "lastname": "Bondar", "phone": "", "group": "2"}
    added = admin_client.post("/admin/sandbox/user/add/", {**form, "email": "p@sandbox.invalid"})
    assert added.status_code == 302
    petro = User.objects.get(email="p@sandbox.invalid")
    assert (petro.id, petro.name_key, petro.group) == (1006, "petro bondar", 2)
    clash = admin_client.post("/admin/sandbox/user/add/", {**form, "email": "ADA@example.com"})
    assert clash.status_code == 200
    assert "Another user has this email." in clash.text


# --- The client of a ticket ---------------------------------------------------------------------------
def test_a_new_email_creates_a_client_that_search_then_finds(api):
    assert users(api, search="new.person@")["data"] == []

    ticket = created(api, user_email="New.Person@example.org")
    assert ticket["user_id"] == 1006
    assert (ticket["user_name"], ticket["user_lastname"]) == ("New.Person", "")

    found = users(api, search="new.person@")
    assert [without_key(user) for user in found["data"]] == [
        {
            "id": 1006,
            "name": "New.Person",
            "lastname": "",
            "email": "New.Person@example.org",
            "phone": "",
            "group": CLIENTS,
        }
    ]
    again = created(api, user_email="new.person@EXAMPLE.org")
    assert again["user_id"] == 1006
    assert User.objects.count() == 9


def test_a_known_email_or_user_id_names_that_user(api):
    by_email = created(api, user_email="ADA@example.com")
    assert (by_email["user_id"], by_email["user_name"], by_email["user_lastname"]) == (
        1001,
        "Ada",
        "Lovelace",
    )
    by_id = created(api, user_id=1004)
    assert (by_id["user_name"], by_id["user_lastname"]) == ("Мария", "Иванова")
    staff_client = created(api, user_id="2")
    assert (staff_client["user_id"], staff_client["user_name"]) == (2, "Olena")
    assert User.objects.count() == len(SEED_IDS)


# --- What a create must name --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"owner_id": 1001}, "owner_id", "1001"),
        ({"owner_id": "999"}, "owner_id", "999"),
        ({"followers": [1, 1002]}, "followers", "1002"),
        ({"followers": [2, 777]}, "followers", "777"),
        ({"user_id": 4242}, "user_id", "4242"),
        ({"user_id": "4242", "user_email": "ada@example.com"}, "user_id", "4242"),
        ({"pid": 99999}, "pid", "99999"),
        ({"pid": "99999"}, "pid", "99999"),
    ],
)
def test_each_unknown_user_or_ticket_names_its_field(api, body, field, words):
    response = create(api, **body)
    assert response.status_code == 400, response.text
    (error,) = response.json()["errors"]
    assert set(error) == {"code", "title", "details"}
    assert (error["code"], error["title"]) == ("e-400", "Validation error")
    assert field_named_in(error["details"]) == field
    assert words in error["details"]
    assert Ticket.objects.count() == 0
    assert User.objects.count() == len(SEED_IDS)


def test_every_unknown_reference_is_reported_at_once(api):
    response = create(api, pid=99999, owner_id=1003, user_id=5555, followers=[1, 3, 1001])
    assert response.status_code == 400
    errors = response.json()["errors"]
    named = [field_named_in(e["details"]) for e in errors]
    assert named == ["pid", "owner_id", "user_id", "followers"]
    assert "1001" in errors[3]["details"] and "3," not in errors[3]["details"]


@pytest.mark.parametrize("empty", ["", 0, "0", None])
def test_an_empty_owner_or_parent_means_none(api, empty):
    ticket = created(api, owner_id=empty, pid=empty, followers=[])
    assert (ticket["owner_id"], ticket["owner_name"], ticket["owner_lastname"]) == (0, "", "")
    assert (ticket["pid"], ticket["followers"]) == (0, [])


def test_a_staff_ticket_with_every_parameter_reads_back_as_sent(api):
    parent = created(api, title="Parent", user_email="grace@example.com")
    body = {
        "pid": str(parent["id"]),
        "title": "Printer on fire",
        "description": "Filed by Olena on the phone",
        "sla_date": "01.01.2026 09:30",
        "status_id": "process",
        "priority_id": 2,
        "type_id": 1,
        "department_id": 2,
        "ticket_lock": 1,
        "owner_id": 2,
        "user_id": 1001,
        "followers": [3, 1],
        "cc": ["boss@example.com", "team@example.org"],
        "bcc": ["audit@example.com"],
        "create_from_user": 0,
        "tags": ["printer", "urgent"],
    }
    response = api.post(api.url("tickets/"), json=body, timeout=10)
    assert response.status_code == 201, response.text
    ticket = read_back(api, response.json()["data"]["id"])

    assert ticket == response.json()["data"]
    assert ticket["pid"] == parent["id"]
    assert (ticket["owner_id"], ticket["owner_name"], ticket["owner_lastname"]) == (
        2,
        "Olena",
        "Koval",
    )
    assert (ticket["user_id"], ticket["user_name"], ticket["user_lastname"]) == (
        1001,
        "Ada",
        "Lovelace",
    )
    assert ticket["followers"] == [3, 1]
    assert ticket["cc"] == ["boss@example.com", "team@example.org"]
    assert ticket["bcc"] == ["audit@example.com"]
    assert (ticket["ticket_lock"], ticket["create_from_user"]) == (1, 0)
    assert (ticket["sla_date"], ticket["status_id"]) == ("01.01.2026 09:30", "process")
    assert (ticket["priority_id"], ticket["type_id"], ticket["department_id"]) == (2, 1, 2)
    assert ticket["department_name"] == "Billing"
    assert ticket["tags"] == ["printer", "urgent"]
    stored = Ticket.objects.get(pk=ticket["id"])
    assert (stored.create_from_user, stored.ticket_lock) == (False, True)


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ({"create_from_user": 1, "ticket_lock": 0}, (1, 0)),
        ({"create_from_user": "0", "ticket_lock": "1"}, (0, 1)),
        ({"create_from_user": True, "ticket_lock": False}, (1, 0)),
        ({"create_from_user": "false", "ticket_lock": "true"}, (0, 1)),
        ({}, (1, 0)),
    ],
)
def test_create_from_user_and_ticket_lock_read_back(api, sent, expected):
    ticket = read_back(api, created(api, user_id=1002, **sent)["id"])
    assert (ticket["create_from_user"], ticket["ticket_lock"]) == expected


def test_the_same_with_form_data(api):
    form = {
        "title": "T",
        "description": "D",
        "owner_id": "3",
        "followers[0]": "2",
        "followers[1]": "1",
        "user_email": "taras@example.com",
        "create_from_user": "0",
        "ticket_lock": "1",
    }
    response = api.post(api.url("tickets/"), data=form, timeout=10)
    assert response.status_code == 201, response.text
    ticket = read_back(api, response.json()["data"]["id"])
    assert (ticket["owner_name"], ticket["owner_lastname"]) == ("Ivan", "Petrenko")
    assert ticket["followers"] == [2, 1]
    assert (ticket["user_id"], ticket["user_name"]) == (1005, "Тарас")
    assert (ticket["create_from_user"], ticket["ticket_lock"]) == (0, 1)


# --- Finding a ticket ---------------------------------------------------------------------------------
def test_search_finds_a_ticket_by_its_unique_id(api):
    tickets = [created(api, title=f"Ticket {n}", user_id=1001) for n in range(3)]
    wanted = tickets[1]

    for search in (wanted["unique_id"], wanted["unique_id"].lower()):
        body = api.get(api.url("tickets/"), params={"search": search}, timeout=10).json()
        assert [t["id"] for t in body["data"].values()] == [wanted["id"]], search
        assert body["pagination"]["total"] == 1
        assert body["data"][str(wanted["id"])]["user_name"] == "Ada"
    partial = wanted["unique_id"][:-1]
    body = api.get(api.url("tickets/"), params={"search": partial}, timeout=10).json()
    assert wanted["id"] not in [t["id"] for t in body["data"].values()]
    assert read_back(api, wanted["id"])["unique_id"] == wanted["unique_id"]


def test_search_finds_tickets_by_their_clients_name(api):
    ada = created(api, title="One", user_id=1001)
    created(api, title="Two", user_id=1002)
    body = api.get(api.url("tickets/"), params={"search": "lovelace"}, timeout=10).json()
    assert [t["id"] for t in body["data"].values()] == [ada["id"]]
