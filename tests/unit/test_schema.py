"""The schema loader: every mistake named with file, field and problem; defaults; the cache."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tickets import schema as ticket_schema
from tickets.checks import check_schema_file
from tickets.lib.text import LocalText
from tickets.schema import Permission, SchemaError, load_schema

SHIPPED = Path(django_settings.BASE_DIR) / "portal" / "ticket_schema.json"


def valid_data() -> dict:
    """A small schema that loads; each test below breaks one thing in it."""
    return {
        "format": 1,
        "fields": [
            {"id": 96, "field_type": "text", "name": "Order number"},
            {
                "id": 99,
                "field_type": "select",
                "name": {"en": "Operating system"},
                "options": [
                    {"id": 192, "pid": 0, "name": "Windows"},
                    {"id": 193, "pid": 0, "name": "macOS"},
                ],
            },
            {
                "id": 100,
                "field_type": "hierarchy",
                "name": {"1": {"en": "Product"}, "2": {"en": "Component", "ru": "Компонент"}},
                "options": [
                    {"id": 198, "pid": 0, "name": "Online store"},
                    {"id": 204, "pid": 198, "name": "Checkout"},
                ],
            },
            {"id": 103, "field_type": "regex", "name": "Email", "pattern": "^\\S+@\\S+$"},
        ],
        "forms": [{"slug": "support", "title": "Support", "fields": [96, 99, 100, 103]}],
    }


def write(path: Path, data, mtime_s: int = 1_000_000) -> Path:
    """Write the file and give it a set mtime, so each rewrite is a visible change."""
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    os.utime(path, ns=(mtime_s * 10**9, mtime_s * 10**9))
    return path


def problems(tmp_path: Path, data) -> tuple[Path, list[str]]:
    path = write(tmp_path / "schema.json", data)
    with pytest.raises(SchemaError) as caught:
        load_schema(path)
    assert caught.value.path == path
    return path, caught.value.problems


@pytest.fixture
def fresh_cache():
    ticket_schema.clear_cache()
    yield
    ticket_schema.clear_cache()


def test_the_valid_example_loads(tmp_path):
    schema = load_schema(write(tmp_path / "schema.json", valid_data()))
    assert sorted(schema.fields) == [96, 99, 100, 103]
    assert [f.id for f in schema.form("support").fields] == [96, 99, 100, 103]


# --- Every mistake is refused, naming the file, the field and the problem -----------------------
def _unknown_type(d):
    d["fields"][0]["field_type"] = "colour"


def _duplicate_id(d):
    d["fields"].append({"id": 96, "field_type": "textarea", "name": "Again"})


def _orphan_option(d):
    d["fields"][2]["options"].append({"id": 205, "pid": 999, "name": "Orphan"})


def _nested_select(d):
    d["fields"][1]["options"].append({"id": 194, "pid": 192, "name": "Windows 11"})


def _form_unknown_field(d):
    d["forms"][0]["fields"].append(555)


def _bad_pattern(d):
    d["fields"][3]["pattern"] = "^([a-z]+$"


def _missing_pattern(d):
    del d["fields"][3]["pattern"]


def _pattern_not_text(d):
    d["fields"][3]["pattern"] = 12


def _show_if_unknown(d):
    d["forms"][0]["fields"][3] = {"id": 103, "show_if": {"field": 555, "in": [1]}}


def _show_if_later(d):
    d["forms"][0]["fields"] = [96, {"id": 103, "show_if": {"field": 99, "in": [192]}}, 99, 100]


@pytest.mark.parametrize(
    ("mistake", "expected"),
    [
        (_unknown_type, "field 96: unknown field_type 'colour'"),
        (_duplicate_id, "field 96: duplicate field id"),
        (_orphan_option, "field 100: option 205: pid 999 is not an option of this field"),
        (_nested_select, "field 99: option 194: a select field has only top-level options"),
        (_form_unknown_field, "form 'support': names unknown field 555"),
        (_bad_pattern, "field 103: pattern '^([a-z]+$' does not compile"),
        (_pattern_not_text, "field 103: pattern must be a string"),
        (_show_if_unknown, "form 'support': field 103: show_if names unknown field 555"),
        (_show_if_later, "form 'support': field 103: show_if field 99 must come earlier"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else "",
)
def test_a_mistake_is_refused_with_file_field_and_problem(tmp_path, mistake, expected):
    data = valid_data()
    mistake(data)
    path, found = problems(tmp_path, data)
    assert any(p.startswith(expected) for p in found), found
    with pytest.raises(SchemaError) as caught:
        load_schema(path)
    assert f"{path}: {expected}" in str(caught.value)


@pytest.mark.parametrize("fields", [None, 96])
def test_a_form_whose_fields_are_not_a_list_is_refused(tmp_path, fields):
    data = valid_data()
    data["forms"][0]["fields"] = fields
    _, found = problems(tmp_path, data)
    assert any(p.startswith("form 'support': ") for p in found), found


def test_invalid_json_is_refused_naming_the_file(tmp_path):
    path = write(tmp_path / "schema.json", '{"format": 1,\n "fields": [')
    with pytest.raises(SchemaError) as caught:
        load_schema(path)
    assert len(caught.value.problems) == 1
    assert str(caught.value).startswith(f"{path}: is not valid JSON")
    assert str(caught.value).endswith("(line 2)")


def test_a_missing_file_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "absent.json"
    with pytest.raises(SchemaError) as caught:
        load_schema(path)
    assert str(caught.value) == f"{path}: cannot be read: No such file or directory"


def test_several_mistakes_are_reported_together(tmp_path):
    data = valid_data()
    _duplicate_id(data)
    _pattern_not_text(data)
    _form_unknown_field(data)
    _nested_select(data)
    _, found = problems(tmp_path, data)
    assert len(found) == 4
    assert "field 96: duplicate field id" in found
    assert "field 103: pattern must be a string" in found
    assert "form 'support': names unknown field 555" in found


# --- Defaults -------------------------------------------------------------------------------------
def test_missing_permissions_mean_visible_editable_not_required_for_both(tmp_path):
    field = load_schema(write(tmp_path / "s.json", valid_data())).fields[96]
    assert field.permission("customer") == Permission(view=True, edit=True, required=False)
    assert field.permission("staff") == Permission(view=True, edit=True, required=False)


def test_partial_permissions_default_the_missing_keys(tmp_path):
    data = valid_data()
    data["fields"][0]["permissions"] = {"user": {"view": False}}
    field = load_schema(write(tmp_path / "s.json", data)).fields[96]
    assert field.permission("customer") == Permission(view=False, edit=True, required=False)
    assert field.permission("staff") == Permission(view=True, edit=True, required=False)


def test_required_to_create_ticket_is_read_per_audience(tmp_path):
    data = valid_data()
    data["fields"][0]["permissions"] = {"user": {"required_to_create_ticket": True}}
    field = load_schema(write(tmp_path / "s.json", data)).fields[96]
    assert field.permission("customer").required is True
    assert field.permission("staff").required is False


def test_missing_forms_give_one_support_form_with_every_customer_visible_field(tmp_path):
    data = valid_data()
    del data["forms"]
    data["fields"][1]["permissions"] = {"user": {"view": False}}
    schema = load_schema(write(tmp_path / "s.json", data))
    assert [f.slug for f in schema.forms] == ["support"]
    assert [f.id for f in schema.forms[0].fields] == [96, 100, 103]
    assert "customer" in schema.forms[0].audience


# --- Names in several languages -----------------------------------------------------------------
def test_a_plain_string_name_is_english_and_the_fallback_for_every_language(tmp_path):
    name = load_schema(write(tmp_path / "s.json", valid_data())).fields[96].name
    assert name.get("en") == "Order number"
    assert name.get("ru") == "Order number"
    assert name.get("uk") == "Order number"


def test_uk_reads_the_apis_ua():
    text = LocalText((("en", "Urgent"), ("ru", "Срочно"), ("ua", "Терміново")))
    assert text.get("uk") == "Терміново"
    assert text.get("ru") == "Срочно"


def test_a_missing_language_falls_back_to_en_then_ru_then_ua():
    assert LocalText((("en", "E"), ("ru", "R"), ("ua", "U"))).get("de") == "E"
    assert LocalText((("ru", "R"), ("ua", "U"))).get("en") == "R"
    assert LocalText((("ua", "U"),)).get("ru") == "U"
    assert LocalText((("en", ""), ("ru", "R"))).get("uk") == "R"


def test_hierarchy_level_names_are_keyed_by_level_number(tmp_path):
    data = valid_data()
    data["fields"][2]["name"] = {"2": {"en": "Component", "ru": "Компонент"}, "1": "Product"}
    field = load_schema(write(tmp_path / "s.json", data)).fields[100]
    assert field.level_name(1).get("en") == "Product"
    assert field.level_name(2).get("ru") == "Компонент"
    assert field.name.get("en") == "Product"


def test_the_shipped_hierarchy_is_three_levels_deep():
    field = load_schema(SHIPPED).fields[100]
    assert field.depth == 3
    assert [field.level_name(n).get("en") for n in (1, 2, 3)] == ["Product", "Component", "Area"]


# --- The system check and the cache --------------------------------------------------------------
def test_the_system_check_returns_an_error_per_mistake(settings, tmp_path, fresh_cache):
    data = valid_data()
    _duplicate_id(data)
    _pattern_not_text(data)
    path = write(tmp_path / "schema.json", data)
    settings.TICKETS_SCHEMA_FILE = path
    errors = check_schema_file()
    assert [e.id for e in errors] == ["tickets.E001", "tickets.E001"]
    assert sorted(e.msg for e in errors) == [
        f"{path}: field 103: pattern must be a string",
        f"{path}: field 96: duplicate field id",
    ]


def test_a_regex_field_without_a_pattern_is_a_warning_and_accepts_any_text(
    settings, tmp_path, fresh_cache
):
    # A helpdesk keeps no pattern (sync cannot bring one): the portal warns and still starts.
    data = valid_data()
    _missing_pattern(data)
    path = write(tmp_path / "schema.json", data)
    settings.TICKETS_SCHEMA_FILE = path
    (warning,) = check_schema_file()
    assert warning.id == "tickets.W001"
    assert warning.msg == f"{path}: field 103: a regex field without a 'pattern' accepts any text"
    field = load_schema(path).fields[103]
    from tickets.forms.kinds import kind_for

    assert kind_for(field).formfield(field, True).clean("anything at all") == "anything at all"


def test_the_system_check_passes_a_good_file(settings, tmp_path, fresh_cache):
    settings.TICKETS_SCHEMA_FILE = write(tmp_path / "schema.json", valid_data())
    assert check_schema_file() == []


def test_get_schema_parses_an_unchanged_file_once(settings, tmp_path, fresh_cache):
    settings.TICKETS_SCHEMA_FILE = write(tmp_path / "schema.json", valid_data())
    assert ticket_schema.get_schema() is ticket_schema.get_schema()


def test_get_schema_reloads_when_the_file_changes(settings, tmp_path, fresh_cache):
    path = write(tmp_path / "schema.json", valid_data(), mtime_s=1_000_000)
    settings.TICKETS_SCHEMA_FILE = path
    assert ticket_schema.get_schema().fields[96].name.get("en") == "Order number"
    data = valid_data()
    data["fields"][0]["name"] = "Invoice number"
    write(path, data, mtime_s=1_000_001)
    assert ticket_schema.get_schema().fields[96].name.get("en") == "Invoice number"


def test_get_schema_keeps_the_old_schema_when_the_changed_file_is_broken(
    settings, tmp_path, fresh_cache
):
    path = write(tmp_path / "schema.json", valid_data(), mtime_s=1_000_000)
    settings.TICKETS_SCHEMA_FILE = path
    good = ticket_schema.get_schema()
    write(path, "{broken", mtime_s=1_000_001)
    assert ticket_schema.get_schema() is good
    data = valid_data()
    data["fields"][0]["name"] = "Fixed"
    write(path, data, mtime_s=1_000_002)
    assert ticket_schema.get_schema().fields[96].name.get("en") == "Fixed"


def test_permission_flags_as_the_api_writes_them():
    from tickets.schema import parse_schema

    schema = parse_schema(
        {
            "fields": [
                {
                    "id": 1,
                    "field_type": "text",
                    "name": "A",
                    "permissions": {"user": {"view": "0", "edit": 1}, "staff": {"view": "false"}},
                }
            ]
        },
        Path("s.json"),
    )
    assert schema.fields[1].permission("customer").view is False
    assert schema.fields[1].permission("staff").view is False


def test_permission_flag_that_is_not_a_boolean_is_refused():
    from tickets.schema import SchemaError, parse_schema

    with pytest.raises(SchemaError) as error:
        parse_schema(
            {
                "fields": [
                    {
                        "id": 1,
                        "field_type": "text",
                        "name": "A",
                        "permissions": {"user": {"view": "maybe"}},
                    }
                ]
            },
            Path("s.json"),
        )
    assert "field 1: permissions.user.view must be true or false" in str(error.value)


def test_option_id_zero_is_refused_as_such():
    from tickets.schema import SchemaError, parse_schema

    with pytest.raises(SchemaError) as error:
        parse_schema(
            {
                "fields": [
                    {
                        "id": 9,
                        "field_type": "select",
                        "name": "S",
                        "options": [{"id": 0, "name": "x"}],
                    }
                ]
            },
            Path("s.json"),
        )
    assert "field 9: option #1: needs a numeric id above 0" in str(error.value)


def _fields_null(d):
    d["fields"] = None


def _references_null(d):
    d["references"] = {"departments": None}


def _show_if_not_an_id(d):
    d["forms"][0]["fields"][3] = {"id": 103, "show_if": {"field": 99, "in": ["+192"]}}


@pytest.mark.parametrize(
    ("mistake", "expected"),
    [
        (_fields_null, "fields: must be a list of field objects"),
        (_references_null, "references.departments: must be a list"),
        (_show_if_not_an_id, "form 'support': field 103: show_if values ['+192'] are not options"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else "",
)
def test_what_is_not_a_list_or_an_id_is_refused_not_read_as_empty(tmp_path, mistake, expected):
    data = valid_data()
    mistake(data)
    _, found = problems(tmp_path, data)
    assert any(p.startswith(expected) for p in found), found


@pytest.mark.parametrize("flag", ["yes", "on", "no", "off"])
def test_a_permission_flag_is_read_as_the_api_writes_it_not_as_a_person_would(flag):
    from tickets.schema import SchemaError, parse_schema

    field = {"id": 1, "field_type": "text", "name": "A", "permissions": {"user": {"view": flag}}}
    with pytest.raises(SchemaError, match=r"permissions\.user\.view must be true or false"):
        parse_schema({"fields": [field]}, Path("s.json"))


def test_a_show_if_option_written_as_text_is_the_same_option(tmp_path):
    from tickets.forms.conditions import holds
    from tickets.schema import parse_schema

    data = valid_data()
    data["forms"][0]["fields"][3] = {"id": 103, "show_if": {"field": 99, "in": ["192"]}}
    schema = parse_schema(data, tmp_path / "s.json")
    show_if = schema.forms[0].fields[3].show_if
    assert show_if.values == (192,)
    assert holds(show_if, schema.fields[99], 192)
