"""The production storage of static files gives each file's hashed URL from the manifest, the
same on every call, and still refuses a file the manifest does not name."""

import json

import pytest

from portal.storage import StaticFilesStorage


@pytest.fixture
def storage(tmp_path, settings):
    settings.DEBUG = False  # hashed names are given only then
    paths = {
        "css/portal.css": "css/portal.0123abcd4567.css",
        "js/theme.js": "js/theme.89ab01234567.js",
    }
    manifest = {"version": "1.1", "paths": paths}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest), encoding="utf-8")
    return StaticFilesStorage(location=tmp_path, base_url="/static/")


def test_a_files_url_is_its_hashed_name_every_time(storage):
    for _ in range(2):  # worked out, then kept: each name its own
        assert storage.url("css/portal.css") == "/static/css/portal.0123abcd4567.css"
        assert storage.url("js/theme.js") == "/static/js/theme.89ab01234567.js"


def test_a_file_the_manifest_does_not_name_is_refused_every_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/missing.css")
