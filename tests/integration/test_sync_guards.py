"""sync_schema guards against answers that would quietly destroy configuration."""

import json
import os
import stat

import pytest
from django.core.management.base import CommandError

from tests.integration.test_sync_schema import (  # noqa: F401  (fixture)
    EMPTY_REFERENCES,
    _fast_sync,
    canned_server,
    run_sync,
    write_json,
)

LIVE = pytest.mark.django_db(transaction=True)
FIELDS = [{"id": n, "field_type": "text", "name": f"Field {n}"} for n in range(1, 7)]


def target_with(tmp_path, fields=FIELDS, forms=None):
    document = {"format": 1, "fields": fields, "references": {}}
    if forms is not None:
        document["forms"] = forms
    return write_json(tmp_path / "target.json", document)


@LIVE
def test_a_list_without_total_pages_is_read_while_pages_come_full(settings, tmp_path):
    full = [{"id": n, "field_type": "text", "name": f"F{n}"} for n in range(1, 31)]
    routes = {
        "/custom_fields/?page=1": (200, {"data": full, "pagination": {"current_page": 1}}),
        "/custom_fields/?page=2": (
            200,
            {"data": [{"id": 31, "name": "F31", "field_type": "text"}], "pagination": {}},
        ),
        **EMPTY_REFERENCES,
    }
    target = target_with(tmp_path, fields=[])
    with canned_server(routes) as api:
        settings.TICKETS_API_URL = api.url
        run_sync(target)
    assert len(json.loads(target.read_text())["fields"]) == 31, api.requests


@LIVE
def test_total_and_per_page_give_the_last_page(settings, tmp_path):
    def answer(ids, current):
        data = [{"id": n, "field_type": "text", "name": f"F{n}"} for n in ids]
        return 200, {
            "data": data,
            "pagination": {"total": "3", "per_page": 2, "current_page": current},
        }

    routes = {"/custom_fields/?page=1": answer([1, 2], 1), "/custom_fields/?page=2": answer([3], 2)}
    target = target_with(tmp_path, fields=[])
    with canned_server({**routes, **EMPTY_REFERENCES}) as api:
        settings.TICKETS_API_URL = api.url
        run_sync(target)
    assert [f["id"] for f in json.loads(target.read_text())["fields"]] == [1, 2, 3]


@LIVE
def test_most_fields_gone_at_once_needs_force(settings, tmp_path):
    routes = {"/custom_fields/": (200, {"data": FIELDS[:1]}), **EMPTY_REFERENCES}
    target = target_with(tmp_path)
    before = target.read_bytes()
    with canned_server(routes) as api:
        settings.TICKETS_API_URL = api.url
        with pytest.raises(CommandError, match=r"lists 1 of the file's 6 fields.*--force"):
            run_sync(target)
        assert target.read_bytes() == before
        run_sync(target, "--force")
    assert [f["id"] for f in json.loads(target.read_text())["fields"]] == [1]


@LIVE
def test_a_select_whose_options_vanish_for_a_moment_keeps_them(settings, tmp_path):
    select = {
        "id": 9,
        "field_type": "select",
        "name": "Plan",
        "options": [{"id": 91, "pid": 0, "name": "Pro"}],
    }
    target = target_with(
        tmp_path, fields=[*FIELDS, select], forms=[{"slug": "s", "fields": [1, 9]}]
    )
    routes = {
        "/custom_fields/": (
            200,
            {"data": [*FIELDS, {"id": 9, "field_type": "select", "name": "Plan"}]},
        ),
        "/custom_fields/9/options/": (200, {"data": []}),
        **EMPTY_REFERENCES,
    }
    with canned_server(routes) as api:
        settings.TICKETS_API_URL = api.url
        _, err = run_sync(target)
    synced = json.loads(target.read_text())
    assert synced["fields"][-1]["options"] == select["options"]
    assert synced["forms"][0]["fields"] == [1, 9]
    assert "the ones in the file are kept" in err


@LIVE
def test_a_new_file_is_readable_by_others(settings, tmp_path):
    target = tmp_path / "new.json"
    with canned_server({"/custom_fields/": (200, {"data": FIELDS}), **EMPTY_REFERENCES}) as api:
        settings.TICKETS_API_URL = api.url
        old = os.umask(0o022)
        try:
            run_sync(target)
        finally:
            os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_a_checkbox_condition_takes_true_or_false(tmp_path):
    from tickets.schema import SchemaError, load_schema

    document = {
        "fields": [
            {"id": 1, "field_type": "checkbox", "name": "Agree"},
            {"id": 2, "field_type": "text", "name": "Why"},
        ],
        "forms": [{"slug": "s", "fields": [1, {"id": 2, "show_if": {"field": 1, "in": [11]}}]}],
    }
    with pytest.raises(SchemaError, match="show_if on field 1 takes true or false"):
        load_schema(write_json(tmp_path / "s.json", document))
