"""sync_schema over real HTTP: the sandbox (or a canned server) is the helpdesk, a tmp file the target.

The sandbox serves the SOURCE schema named by settings.TICKETS_SCHEMA_FILE; the sync writes the
TARGET file given with --file, whose forms and portal keys must survive.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import os
from io import StringIO
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError

from sandbox import ratelimit
from tests.stub_server import stub_server
from tickets import schema as ticket_schema
from tickets.helpdesk.client import TicketsClient
from tickets.helpdesk.pacing import Pacer
from tickets.schema.sync import SyncError, sync

LIVE = pytest.mark.django_db(transaction=True)
CYCLE = ["text", "select", "hierarchy", "number", "multi_button", "date", "time", "regex",
         "checkbox", "button"]  # fmt: skip
PERMS = {
    who: {"view": True, "edit": True, "required_to_create_ticket": False,
          "required_to_close_ticket": False}
    for who in ("user", "staff")
}  # fmt: skip


def text(en: str, ru: str = "", ua: str = "") -> dict:
    return {"en": en, "ru": ru or f"ru {en}", "ua": ua or f"ua {en}"}


def hierarchy_options(n: int) -> list[dict]:
    """n options over 3 levels: 5 at the top, 15 under them, the rest under those 15."""
    options = []
    for i in range(n):
        pid = 0 if i < 5 else 5000 + i % 5 if i < 20 else 5005 + i % 15
        options.append({"id": 5000 + i, "pid": pid, "name": text(f"Option {i}")})
    return options


def make_source(n_fields: int, n_options: int) -> dict:
    """A schema of n_fields (types cycling through CYCLE; field 3 the hierarchy) and references."""
    fields = []
    for i in range(1, n_fields + 1):
        kind = CYCLE[(i - 1) % len(CYCLE)]
        kind = "textarea" if kind == "hierarchy" and i != 3 else kind
        item = {"id": i, "field_type": kind, "name": text(f"Field {i}"), "permissions": PERMS}
        if kind in ("select", "multi_button"):
            item["options"] = [
                {"id": i * 10 + k, "pid": 0, "name": text(f"Choice {i}.{k}")} for k in (1, 2, 3)
            ]
        elif kind == "hierarchy":
            item["name"] = {str(level): text(f"Level {level}") for level in (1, 2, 3)}
            item["options"] = hierarchy_options(n_options)
        fields.append(item)
    references = {
        "departments": [{"id": 1, "name": text("Support")}, {"id": 2, "name": text("Billing")}],
        "priorities": [{"id": 1, "name": text("Low")}, {"id": 2, "name": text("High")}],
        "types": [{"id": 0, "name": text("Without type")}, {"id": 1, "name": text("Question")}],
        "statuses": [
            {"id": "open", "name": text("Open")},
            {"id": "closed", "name": text("Closed")},
        ],
    }
    return {"format": 1, "fields": fields, "references": references}


def write_json(path: Path, document: dict) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _fast_sync(settings):
    # The sync paces itself to the portal's share of the API; the sandbox can take it quicker.
    settings.TICKETS_API_MAX_PER_MINUTE = 100_000


@pytest.fixture
def serve(settings, tmp_path):
    """serve(document): the sandbox answers with this schema from now on."""

    def use(document: dict) -> Path:
        path = write_json(
            tmp_path / f"source-{len(list(tmp_path.glob('source-*')))}.json", document
        )
        settings.TICKETS_SCHEMA_FILE = path
        ticket_schema.clear_cache()
        return path

    ticket_schema.clear_cache()
    yield use
    ticket_schema.clear_cache()


def run_sync(target: Path, *flags: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(
        "sync_schema", "--file", str(target), "--per-minute", "6000", *flags, stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


@contextlib.contextmanager
def canned_server(routes: dict[str, tuple[int, object]]):
    """A real HTTP server on 127.0.0.1 answering `routes["/path/?query"]` (or "/path/") as JSON;
    a str body is sent as it is. Yields the base URL of the API; `.requests` lists what was asked."""

    def answer(request):
        path = request.path.removeprefix("/api/v2")
        status, body = routes.get(path) or routes.get(path.split("?")[0]) or (404, {
            "errors": [{"code": "e-404", "title": "Not found", "details": path}]})  # fmt: skip
        return (
            status,
            "application/json",
            (body if isinstance(body, str) else json.dumps(body)).encode(),
        )

    with stub_server(answer) as (url, seen):
        yield _Canned(f"{url}/api/v2", seen)


class _Canned:
    def __init__(self, url: str, seen: list):
        self.url, self._seen = url, seen

    @property
    def requests(self) -> list[str]:
        return [request.path for request in self._seen]


def page(data, current: int = 1, total_pages: int | str = 1, total: int | str = 1) -> tuple:
    pagination = {"total": total, "per_page": 30, "current_page": current,
                  "total_pages": total_pages}  # fmt: skip
    return 200, {"data": data, "pagination": pagination}


EMPTY_REFERENCES = {f"/{kind}/": (200, {"data": []}) for kind in
                    ("departments", "priorities", "types", "statuses")}  # fmt: skip


# --- 1. many fields, many options, several pages ---------------------------------------------
@LIVE
def test_sync_of_35_fields_and_60_options_keeps_forms_and_portal_keys(sandbox_api, serve, tmp_path):
    source = make_source(35, 60)
    serve(source)
    by_id = {f["id"]: f for f in source["fields"]}
    old = copy.deepcopy([by_id[1], by_id[2], by_id[8]])
    old[0].update(help=text("Printed on the invoice"), placeholder=text("A-123"))
    old[2].update(pattern=r"^\d+$", pattern_message=text("Digits only"))
    forms = [
        {"slug": "billing", "title": text("Billing"), "ticket": {"department_id": 2},
         "fields": [2, 1, {"id": 8, "show_if": {"field": 2, "in": [22]}}]},
    ]  # fmt: skip
    target = write_json(tmp_path / "target.json", {
        "format": 1, "fields": old, "references": source["references"], "forms": forms})  # fmt: skip

    out, _ = run_sync(target)

    synced = json.loads(target.read_text())
    assert [f["id"] for f in synced["fields"]] == list(range(1, 36))
    assert [f["field_type"] for f in synced["fields"]] == [
        f["field_type"] for f in source["fields"]
    ]
    assert [f["name"] for f in synced["fields"]] == [f["name"] for f in source["fields"]]
    hierarchy = synced["fields"][2]
    assert len(hierarchy["options"]) == 60
    assert hierarchy["options"] == source["fields"][2]["options"]
    assert {o["pid"] for o in hierarchy["options"]} == {0, *range(5000, 5020)}
    assert synced["fields"][4]["options"] == source["fields"][4]["options"]  # a multi_button
    assert synced["forms"] == forms
    assert synced["fields"][0]["help"] == text("Printed on the invoice")
    assert synced["fields"][0]["placeholder"] == text("A-123")
    assert synced["fields"][7]["pattern"] == r"^\d+$"
    assert synced["fields"][7]["pattern_message"] == text("Digits only")
    assert not any(k in f for f in synced["fields"][8:] for k in ("help", "pattern"))
    added = [line.strip() for line in out.splitlines() if line.strip().startswith("added field")]
    assert len(added) == 32
    assert "added field 35 (Field 35), multi_button" in added
    assert "added field 3 (Level 1), hierarchy" in added
    loaded = ticket_schema.load_schema(target)
    assert list(loaded.fields) == list(range(1, 36))
    assert loaded.fields[3].depth == 3
    assert loaded.fields[1].help.get("en") == "Printed on the invoice"
    assert loaded.form("billing").fields[2].show_if.values == (22,)


# --- 2. removed, renamed, retyped fields; added and removed options ---------------------------
@LIVE
def test_sync_reports_changes_and_mends_forms(sandbox_api, serve, tmp_path):
    select = {"id": 1, "field_type": "select", "name": text("Colour"), "permissions": PERMS}
    old_fields = [
        {**select, "options": [{"id": 11, "pid": 0, "name": text("Red")},
                               {"id": 12, "pid": 0, "name": text("Blue")}]},
        {"id": 2, "field_type": "text", "name": text("Old name"), "permissions": PERMS},
        {"id": 3, "field_type": "text", "name": text("Notes"), "permissions": PERMS},
        {"id": 4, "field_type": "checkbox", "name": text("Urgent"), "permissions": PERMS},
        {"id": 5, "field_type": "text", "name": text("Why urgent"), "permissions": PERMS,
         "help": text("Tell us")},
    ]  # fmt: skip
    new_fields = copy.deepcopy([old_fields[0], old_fields[1], old_fields[2], old_fields[4]])
    new_fields[0]["options"] = [{"id": 11, "pid": 0, "name": text("Red")},
                                {"id": 13, "pid": 0, "name": text("Green")}]  # fmt: skip
    new_fields[1]["name"] = text("New name")
    new_fields[2]["field_type"] = "textarea"
    del new_fields[3]["help"]
    references = make_source(0, 0)["references"]
    serve({"format": 1, "fields": new_fields, "references": references})
    form = {"slug": "x", "fields": [1, 2, 3, 4, {"id": 5, "show_if": {"field": 4, "in": [True]}}]}
    target = write_json(tmp_path / "target.json", {
        "format": 1, "fields": old_fields, "references": references, "forms": [form]})  # fmt: skip

    out, _ = run_sync(target)

    lines = [line.strip() for line in out.splitlines()]
    assert "removed field 4 (Urgent)" in lines
    assert "form 'x' no longer shows field 4: it is gone" in lines
    assert (
        "form 'x': field 5 is now always shown: the field its condition named (4) is gone" in lines
    )
    assert "renamed field 2: 'Old name' -> 'New name'" in lines
    assert "retyped field 3 (Notes): text -> textarea" in lines
    assert "field 1 (Colour): added option 13 (Green)" in lines
    assert "field 1 (Colour): removed option 12 (Blue)" in lines
    synced = json.loads(target.read_text())
    assert synced["forms"][0]["fields"] == [1, 2, 3, {"id": 5}]
    assert [f["id"] for f in synced["fields"]] == [1, 2, 3, 5]
    assert synced["fields"][3]["help"] == text("Tell us")
    loaded = ticket_schema.load_schema(target)
    assert [(f.id, f.show_if) for f in loaded.form("x").fields] == [
        (1, None), (2, None), (3, None), (5, None)]  # fmt: skip


# --- 3. an API failing halfway leaves the file byte-for-byte ----------------------------------
FIELD_1 = {"1": {"id": 1, "field_type": "text", "name": text("One")}}


@pytest.mark.parametrize(
    ("page_2", "said"),
    [
        ((500, {"errors": [{"code": "e-500", "title": "Server error", "details": "boom"}]}), "500"),
        ((200, {"data": 5}), "page 2"),
        ((200, "<html>proxy error</html>"), "no data"),
    ],
    ids=["500", "data-is-a-number", "not-json"],
)
@LIVE
def test_api_failing_on_page_2_leaves_the_file_untouched(settings, tmp_path, page_2, said):
    routes = {
        "/custom_fields/?page=1": page(FIELD_1, 1, total_pages=2, total=31),
        "/custom_fields/?page=2": page_2,
        **EMPTY_REFERENCES,
    }
    target = write_json(tmp_path / "target.json", make_source(12, 6))
    before = target.read_bytes()
    with canned_server(routes) as api:
        settings.TICKETS_API_URL = api.url
        with pytest.raises(CommandError) as raised:
            run_sync(target)
    assert "/api/v2/custom_fields/?page=2" in api.requests
    assert "was not changed" in str(raised.value)
    assert said in str(raised.value)
    assert target.read_bytes() == before
    assert not list(tmp_path.glob(".target.json.*"))  # no temporary file left behind


# --- 4. names as strings, totals as strings, lists keyed by id or not -------------------------
@LIVE
def test_plain_names_string_totals_and_both_list_shapes(settings, tmp_path):
    routes = {
        "/custom_fields/?page=1": page(
            {"1": {"id": 1, "name": "Plain text", "field_type": "text"},
             "2": {"id": 2, "name": "Pick one", "field_type": "select"}},
            1, total_pages="2", total="3"),
        "/custom_fields/?page=2": page(
            [{"id": "3", "name": {"ru": "Только русский"}, "field_type": "text"}],
            "2", total_pages="2", total="3"),
        "/custom_fields/2/options/?page=1": page(
            {"21": {"id": 21, "pid": 0, "name": "Yes"}}, total_pages="2", total="2"),
        "/custom_fields/2/options/?page=2": page(
            [{"id": "22", "pid": 0, "name": "No"}], 2, total_pages="2", total="2"),
        "/departments/": (200, {"data": [{"id": 1, "name": "Support"}]}),
        "/priorities/": (200, {"data": {"1": {"id": 1, "name": "Low"}}}),
        "/types/": (200, {"data": [{"id": 0, "name": "Without type"}]}),
        "/statuses/": (200, {"data": {"open": {"id": "open", "name": "Open"}}}),
    }  # fmt: skip
    target = tmp_path / "target.json"
    with canned_server(routes) as api:
        settings.TICKETS_API_URL = api.url
        out, _ = run_sync(target)
    synced = json.loads(target.read_text())
    assert [(f["id"], f["name"]) for f in synced["fields"]] == [
        (1, "Plain text"), (2, "Pick one"), (3, {"ru": "Только русский"})]  # fmt: skip
    assert synced["fields"][1]["options"] == [
        {"id": 21, "pid": 0, "name": "Yes"}, {"id": 22, "pid": 0, "name": "No"}]  # fmt: skip
    assert synced["references"] == {
        "departments": [{"id": 1, "name": "Support"}],
        "priorities": [{"id": 1, "name": "Low"}],
        "types": [{"id": 0, "name": "Without type"}],
        "statuses": [{"id": "open", "name": "Open"}],
    }
    assert "added field 1 (Plain text), text" in out
    assert "added field 3 (Только русский), text" in out
    loaded = ticket_schema.load_schema(target)
    assert loaded.fields[3].name.get("en") == "Только русский"
    assert [o.name.get("en") for o in loaded.fields[2].options] == ["Yes", "No"]


@LIVE
def test_top_level_option_with_pid_as_a_string(settings, tmp_path):
    routes = {
        "/custom_fields/": page({"2": {"id": 2, "name": "Pick one", "field_type": "select"}}),
        "/custom_fields/2/options/": page([{"id": "21", "pid": "0", "name": "Yes"}]),
        **EMPTY_REFERENCES,
    }
    target = tmp_path / "target.json"
    with canned_server(routes) as api:
        settings.TICKETS_API_URL = api.url
        run_sync(target)
    options = json.loads(target.read_text())["fields"][0]["options"]
    assert options == [{"id": 21, "pid": 0, "name": "Yes"}]


@LIVE
def test_a_select_without_options_yet_does_not_block_the_sync(settings, tmp_path):
    routes = {
        "/custom_fields/": page({"1": {"id": 1, "name": "Text", "field_type": "text"},
                                 "2": {"id": 2, "name": "New select", "field_type": "select"}}),
        "/custom_fields/2/options/": page([], total=0),
        **EMPTY_REFERENCES,
    }  # fmt: skip
    target = tmp_path / "target.json"
    with canned_server(routes) as api:
        settings.TICKETS_API_URL = api.url
        _, err = run_sync(target)
    assert [f["id"] for f in json.loads(target.read_text())["fields"]] == [1]
    assert "field 2" in err


@LIVE
def test_a_condition_on_a_retyped_field_is_mended(sandbox_api, serve, tmp_path):
    colour = {"id": 1, "field_type": "select", "name": text("Colour"), "permissions": PERMS,
              "options": [{"id": 11, "pid": 0, "name": text("Red")}]}  # fmt: skip
    shade = {"id": 2, "field_type": "text", "name": text("Shade"), "permissions": PERMS}
    serve({"format": 1, "fields": [{**colour, "field_type": "text", "options": []}, shade]})
    form = {"slug": "x", "fields": [1, {"id": 2, "show_if": {"field": 1, "in": [11]}}]}
    target = write_json(tmp_path / "target.json", {
        "format": 1, "fields": [colour, shade], "forms": [form]})  # fmt: skip
    out, _ = run_sync(target)
    assert "retyped field 1 (Colour): select -> text" in out
    assert json.loads(target.read_text())["forms"][0]["fields"] == [1, {"id": 2}]


# --- 5. --dry-run and --check ---------------------------------------------------------------
@LIVE
def test_dry_run_and_check(sandbox_api, serve, tmp_path):
    serve(make_source(12, 6))
    target = write_json(tmp_path / "target.json", make_source(10, 6))
    before = target.read_bytes()

    out, _ = run_sync(target, "--dry-run")
    assert "added field 11 (Field 11), text" in out
    assert "added field 12 (Field 12), select" in out
    assert "nothing written (--dry-run)" in out
    assert target.read_bytes() == before

    with pytest.raises(CommandError, match="is out of date") as raised:
        run_sync(target, "--check")
    assert raised.value.returncode == 1
    assert target.read_bytes() == before

    out, _ = run_sync(target)
    assert "updated" in out
    assert target.read_bytes() != before
    out, _ = run_sync(target, "--check")
    assert "is up to date" in out
    out, _ = run_sync(target, "--dry-run")
    assert "is up to date" in out


# --- 6. the rate limit: paced below it, never banned ------------------------------------------
@LIVE
def test_paced_sync_stays_below_the_rate_limit(sandbox_api, serve, settings, tmp_path):
    source = make_source(35, 60)  # 2 + 7 + 2 + 4 = 15 requests
    serve(source)
    settings.SANDBOX_RATE_LIMIT = 8
    settings.SANDBOX_RATE_WINDOW = "sliding"  # whenever the minute turns
    settings.TICKETS_API_LOW_WATER = -1  # the sync's own pacer is what is tested here
    target = tmp_path / "target.json"
    delays: list[float] = []

    def fake_sleep(seconds: float) -> None:
        delays.append(seconds)
        ratelimit.forget()  # the minute has passed: the sandbox's counter starts again

    email, key = django_settings.SANDBOX_API_EMAIL, django_settings.SANDBOX_API_KEY
    client = TicketsClient(
        sandbox_api, email, key, 2, 5, pacer=Pacer(per_minute=0, reserve=2, sleep=fake_sleep)
    )
    result = sync(target, client)

    assert result.changed
    assert [f["id"] for f in json.loads(target.read_text())["fields"]] == list(range(1, 36))
    assert len(delays) >= 2
    assert all(55 < d <= 60 for d in delays), delays
    after = requests.get(f"{sandbox_api}/types/", auth=(email, key), timeout=5)
    assert after.status_code == 200


@LIVE
def test_unpaced_sync_is_banned_and_leaves_the_file(sandbox_api, serve, settings, tmp_path):
    serve(make_source(35, 60))
    settings.SANDBOX_RATE_LIMIT = 8
    settings.SANDBOX_RATE_WINDOW = "sliding"  # whenever the minute turns
    settings.TICKETS_API_LOW_WATER = -1  # no pause before the ban: what a ban does is tested
    target = write_json(tmp_path / "target.json", make_source(10, 6))
    before = target.read_bytes()
    client = TicketsClient(
        sandbox_api, django_settings.SANDBOX_API_EMAIL, django_settings.SANDBOX_API_KEY, 2, 5
    )
    with pytest.raises(SyncError, match="Ban for 20 min"):
        sync(target, client)
    assert target.read_bytes() == before


# --- 7. the running portal follows the file ---------------------------------------------------
@pytest.mark.django_db
def test_portal_reloads_a_changed_file_and_keeps_the_last_good_one(
    client, settings, tmp_path, caplog
):
    path = tmp_path / "schema.json"
    alpha = {"id": 1, "field_type": "text", "name": text("Alpha field"), "permissions": PERMS}
    beta = {"id": 2, "field_type": "text", "name": text("Beta field"), "permissions": PERMS}
    settings.TICKETS_SCHEMA_FILE = path
    ticket_schema.clear_cache()

    def rewrite(fields: list[dict]) -> None:
        mtime = path.stat().st_mtime_ns if path.exists() else 0
        write_json(path, {"format": 1, "fields": fields})
        os.utime(path, ns=(mtime + 2_000_000_000, mtime + 2_000_000_000))

    try:
        rewrite([alpha])
        page_1 = client.get("/forms/support/")
        assert page_1.status_code == 200
        assert "Alpha field" in page_1.text and "Beta field" not in page_1.text

        rewrite([alpha, beta])
        page_2 = client.get("/forms/support/")
        assert "Alpha field" in page_2.text and "Beta field" in page_2.text

        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="tickets.schema"):
            rewrite([alpha, {**beta, "field_type": "bogus"}])
            page_3 = client.get("/forms/support/")
        assert page_3.status_code == 200
        assert "Alpha field" in page_3.text and "Beta field" in page_3.text
        errors = [r for r in caplog.records if r.name.startswith("tickets.schema")]
        assert errors and errors[0].levelno == logging.ERROR
        assert "bogus" in caplog.text
    finally:
        ticket_schema.clear_cache()
