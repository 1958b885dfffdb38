"""The sandbox's knowledge base over real HTTP, as NOTES' "Knowledge base" describes the API's:
`GET /knowledge_base/categories/`, `GET /knowledge_base/articles/` (10 a page, its filters and
`order_by`) and `GET /knowledge_base/articles/{id}/`; articles seeded from a file
(SANDBOX_KNOWLEDGE_BASE) on `migrate` and `flush`, edited in the admin."""

from __future__ import annotations

import json
import logging
import operator
import re
from datetime import datetime, timedelta

import pytest
import requests
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from sandbox import knowledge_base
from sandbox.models import KbArticle, KbCategory

pytestmark = pytest.mark.django_db(transaction=True)

ARTICLE_KEYS = [
    "id", "category_id", "public", "pin", "views", "date_created", "date_updated", "title", "body",
]  # fmt: skip
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
FORMAT = "%Y-%m-%d %H:%M:%S"
COUNT = 23  # three pages of 10
CATEGORIES = [
    {"id": 10, "name": {"en": "Orders", "ru": "Заказы", "ua": "Замовлення"}},
    {"id": 20, "name": {"en": "Payment", "ru": "Оплата", "ua": "Оплата"}},
    {"id": 30, "name": {"en": "Delivery", "ru": "Доставка", "ua": "Доставка"}},
]


def _article(n: int) -> dict:
    """Article n of the fixture. Its dates and views are permutations of 0..22 (7, 11 and 13 are
    prime to 23), so each ordering differs from the others and from the ids'."""
    created = datetime(2026, 1, 1, 9, 0, 0) + timedelta(days=(n * 7) % COUNT)
    updated = datetime(2026, 3, 1, 8, 30, 0) + timedelta(hours=(n * 11) % COUNT)
    return {
        "id": n,
        "category_id": CATEGORIES[n % 3]["id"],
        "public": n % 5 != 0,
        "pin": n in (7, 14),
        "views": (n * 13) % COUNT * 3,
        "date_created": created.strftime(FORMAT),
        "date_updated": updated.strftime(FORMAT),
        "title": {"en": f"Article {n}", "ru": f"Статья {n}", "ua": f"Стаття {n}"},
        "body": {"en": f"<p>Body {n}</p>", "ru": f"<p>Текст {n}</p>", "ua": f"<p>Текст {n}</p>"},
    }


ARTICLES = [_article(n) for n in range(1, COUNT + 1)]
BY_ID = {a["id"]: a for a in ARTICLES}
# The file lists its articles out of id order: the default order must come from the ids.
DOCUMENT = {"categories": CATEGORIES, "articles": ARTICLES[::2] + ARTICLES[1::2]}


@pytest.fixture(autouse=True)
def _fresh_state(settings):
    settings.SANDBOX_RATE_LIMIT = 0  # these tests are about the knowledge base, not the limit


@pytest.fixture
def seed_file(settings, tmp_path):
    """seed_file(document): the sandbox's seed file from now on (SANDBOX_KNOWLEDGE_BASE)."""

    def use(document: dict | str = DOCUMENT):
        path = tmp_path / "knowledge_base.json"
        text = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
        path.write_text(text, encoding="utf-8")
        settings.SANDBOX_KNOWLEDGE_BASE = path
        return path

    return use


@pytest.fixture
def kb(seed_file):
    """The fixture's knowledge base in the database, in place of whatever the last flush seeded
    from the project's own file."""
    seed_file()
    KbArticle.objects.all().delete()
    KbCategory.objects.all().delete()
    assert knowledge_base.seed_if_empty(KbCategory, KbArticle) == COUNT


def _get(api, path: str, **params) -> dict:
    response = api.get(api.url(path), params=params, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def _ids(api, **params) -> list[int]:
    """The ids of every article the filters list, page after page, in the order given."""
    ids, page = [], 1
    while True:
        body = _get(api, "knowledge_base/articles/", page=page, **params)
        ids += [article["id"] for article in body["data"]]
        if page >= body["pagination"]["total_pages"]:
            assert body["pagination"]["total"] == len(ids)
            return ids
        page += 1


def _expected(keep=lambda a: True) -> list[int]:
    return [a["id"] for a in ARTICLES if keep(a)]


def _error(response: requests.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    ((error,),) = [response.json()["errors"]]
    assert error["code"] == f"e-{status}"
    return error


# --- Shapes ---------------------------------------------------------------------------------------
def test_categories_come_as_the_file_names_them(api, kb):
    body = _get(api, "knowledge_base/categories/")
    assert body["data"] == [
        {"id": c["id"], "name": {lang: c["name"][lang] for lang in ("ru", "en", "ua")}}
        for c in CATEGORIES
    ]


def test_an_article_as_the_api_writes_one(api, kb):
    article = _get(api, "knowledge_base/articles/3/")["data"]
    assert list(article) == ARTICLE_KEYS
    source = BY_ID[3]
    assert article == {
        "id": 3,
        "category_id": 10,
        "public": 1,
        "pin": 0,
        "views": source["views"],
        "date_created": source["date_created"],
        "date_updated": source["date_updated"],
        "title": {"ru": "Статья 3", "en": "Article 3", "ua": "Стаття 3"},
        "body": {"ru": "<p>Текст 3</p>", "en": "<p>Body 3</p>", "ua": "<p>Текст 3</p>"},
    }
    assert DATE_RE.match(article["date_created"]) and DATE_RE.match(article["date_updated"])
    # Flags are 0/1, as the API writes them, for an unpublished and a pinned article too.
    assert _get(api, "knowledge_base/articles/5/")["data"]["public"] == 0
    assert _get(api, "knowledge_base/articles/7/")["data"]["pin"] == 1
    # The list holds the same objects as the detail.
    listed = _get(api, "knowledge_base/articles/")["data"]
    assert listed[2] == article


# --- Pages and order ------------------------------------------------------------------------------
def test_articles_come_ten_a_page_by_id(api, kb):
    pages = [_get(api, "knowledge_base/articles/", page=n) for n in (1, 2, 3)]
    assert [len(p["data"]) for p in pages] == [10, 10, 3]
    for n, page in enumerate(pages, start=1):
        assert page["pagination"] == {
            "total": COUNT,
            "per_page": 10,
            "current_page": n,
            "total_pages": 3,
        }
    assert [a["id"] for p in pages for a in p["data"]] == list(range(1, COUNT + 1))
    # Without ?page, the first; past the last, none.
    assert _get(api, "knowledge_base/articles/")["data"] == pages[0]["data"]
    assert _get(api, "knowledge_base/articles/", page=4)["data"] == []


@pytest.mark.parametrize("name", ["date_created", "date_updated", "views", "pin"])
def test_order_by_each_field_both_ways(api, kb, name):
    ascending = [a["id"] for a in sorted(ARTICLES, key=lambda a: (a[name], a["id"]))]
    assert _ids(api, order_by=f"{name}{{asc}}") == ascending
    assert _ids(api, order_by=name) == ascending
    assert _ids(api, order_by=f"{name}{{desc}}") == ascending[::-1]
    assert ascending != list(range(1, COUNT + 1))  # the fixture tells the orders apart


def test_an_unknown_order_is_refused(api, kb):
    response = api.get(api.url("knowledge_base/articles/"), params={"order_by": "title"})
    assert "order_by" in _error(response, 400)["details"]


# --- Filters --------------------------------------------------------------------------------------
def test_public_filters_both_ways(api, kb):
    published = _expected(lambda a: a["public"])
    assert _ids(api, public=1) == published
    assert _ids(api, public=0) == _expected(lambda a: not a["public"]) == [5, 10, 15, 20]
    assert len(_ids(api)) == COUNT  # unpublished ones are listed to the staff key without it
    response = api.get(api.url("knowledge_base/articles/"), params={"public": "maybe"})
    assert "public" in _error(response, 400)["details"]


def test_an_article_unpublished_in_the_admin_leaves_public_1(api, kb):
    article = KbArticle.objects.get(pk=3)
    article.public = False
    article.save()
    assert 3 not in _ids(api, public=1)
    assert 3 in _ids(api, public=0)
    assert _get(api, "knowledge_base/articles/3/")["data"]["public"] == 0


@pytest.mark.parametrize(
    "params",
    [
        {"category_list": "10,30"},
        {"category_list": ["10", "30"]},
        {"category_list[]": ["10", "30"]},
    ],
    ids=["comma-separated", "repeated", "brackets"],
)
def test_category_list(api, kb, params):
    expected = _expected(lambda a: a["category_id"] in (10, 30))
    assert _ids(api, **params) == expected
    assert len(expected) < COUNT
    assert _ids(api, category_list="20") == _expected(lambda a: a["category_id"] == 20)
    assert _ids(api, category_list="99") == []


@pytest.mark.parametrize(
    ("name", "field", "keep"),
    [
        ("from_date_created", "date_created", operator.ge),
        ("to_date_created", "date_created", operator.le),
        ("from_date_updated", "date_updated", operator.ge),
        ("to_date_updated", "date_updated", operator.le),
    ],
)
def test_each_date_filter_includes_its_edge(api, kb, name, field, keep):
    edge = BY_ID[9][field]  # an article's own moment: the filters include it
    expected = _expected(lambda a: keep(a[field], edge))
    assert 9 in expected and 0 < len(expected) < COUNT
    assert _ids(api, **{name: edge}) == expected


def test_date_filters_combine_and_refuse_another_format(api, kb):
    start, end = "2026-01-05 00:00:00", "2026-01-12 23:59:59"
    expected = _expected(lambda a: start <= a["date_created"] <= end)
    assert len(expected) == 8
    assert _ids(api, from_date_created=start, to_date_created=end) == expected
    response = api.get(
        api.url("knowledge_base/articles/"), params={"from_date_updated": "01.03.2026"}
    )
    assert "from_date_updated" in _error(response, 400)["details"]


@pytest.mark.parametrize("clock_hours", [0, 3])
def test_from_date_updated_finds_an_article_just_edited(api, seed_file, settings, clock_hours):
    """The helpdesk's clock may be off the portal's (SANDBOX_CLOCK_HOURS): the file's dates and
    the filters are on the helpdesk's, as the answers are."""
    settings.SANDBOX_CLOCK_HOURS = clock_hours
    seed_file()
    KbArticle.objects.all().delete()
    KbCategory.objects.all().delete()
    knowledge_base.seed_if_empty(KbCategory, KbArticle)
    assert (
        _get(api, "knowledge_base/articles/4/")["data"]["date_created"] == BY_ID[4]["date_created"]
    )
    assert _ids(api, from_date_created=BY_ID[4]["date_created"]) == _expected(
        lambda a: a["date_created"] >= BY_ID[4]["date_created"]
    )

    before = timezone.localtime() + timedelta(hours=clock_hours)
    since = before.strftime(FORMAT)
    assert _ids(api, from_date_updated=since) == []
    article = KbArticle.objects.get(pk=4)  # as the admin's change form saves it
    article.title_en = "Edited"
    article.save()

    assert _ids(api, from_date_updated=since) == [4]
    edited = _get(api, "knowledge_base/articles/4/")["data"]
    assert edited["title"]["en"] == "Edited"
    assert since <= edited["date_updated"] <= (before + timedelta(minutes=1)).strftime(FORMAT)
    assert edited["date_created"] == BY_ID[4]["date_created"]  # creation stays


def test_search_is_not_a_filter(api, kb):
    """NOTES documents no search parameter for articles: the sandbox ignores one."""
    body = _get(api, "knowledge_base/articles/", search="Article 3")
    assert body["pagination"]["total"] == COUNT
    assert _ids(api, search="nothing like it") == list(range(1, COUNT + 1))


# --- One article, addresses, auth -----------------------------------------------------------------
def test_an_unknown_article_is_404_in_the_errors_envelope(api, kb):
    response = api.get(api.url("knowledge_base/articles/999/"), timeout=10)
    assert "999" in _error(response, 404)["details"]
    KbArticle.objects.filter(pk=3).delete()  # deleted in the admin
    _error(api.get(api.url("knowledge_base/articles/3/"), timeout=10), 404)
    assert 3 not in _ids(api)


@pytest.mark.parametrize(
    "path", ["knowledge_base/categories/", "knowledge_base/articles/", "knowledge_base/articles/3/"]
)
def test_the_trailing_slash_is_optional(api, kb, path):
    with_slash = _get(api, path)
    without = api.get(api.url(path.rstrip("/")), timeout=10, allow_redirects=False)
    assert without.status_code == 200, without.text
    assert without.json() == with_slash
    assert with_slash["data"]


@pytest.mark.parametrize(
    "path", ["knowledge_base/categories/", "knowledge_base/articles/", "knowledge_base/articles/3/"]
)
def test_auth_is_required(base_url, kb, path):
    anonymous = requests.get(base_url + path, timeout=10)
    assert "data" not in anonymous.json()
    _error(anonymous, 401)
    wrong = requests.get(
        base_url + path, auth=(django_settings.SANDBOX_API_EMAIL, "wrong"), timeout=10
    )
    _error(wrong, 401)


def test_only_get_is_allowed(api, kb):
    response = api.post(api.url("knowledge_base/articles/"), json={"title": "x"}, timeout=10)
    _error(response, 405)
    assert KbArticle.objects.count() == COUNT


# --- The admin ------------------------------------------------------------------------------------
def test_the_admin_edits_an_article_per_language_and_moves_date_updated(api, kb, admin_client):
    change_url = "/admin/sandbox/kbarticle/6/change/"
    page = admin_client.get(change_url)
    assert page.status_code == 200
    for name in ("title_en", "title_ru", "title_ua", "body_en", "body_ru", "body_ua", "public"):
        assert f'name="{name}"' in page.text
    since = timezone.localtime().strftime(FORMAT)
    form = {
        "category": "20",
        "views": "5",
        "title_en": "Refunds",
        "title_ru": "Возвраты",
        "title_ua": "Повернення",
        "body_en": "<p>How to get your money back.</p>",
        "body_ru": "<p>Как вернуть деньги.</p>",
        "body_ua": "<p>Як повернути гроші.</p>",
        # `public` and `pin` left out: unticked, so the article is unpublished.
    }
    saved = admin_client.post(change_url, form)
    assert saved.status_code == 302, saved.content

    article = _get(api, "knowledge_base/articles/6/")["data"]
    assert article["title"] == {"ru": "Возвраты", "en": "Refunds", "ua": "Повернення"}
    assert article["body"]["ua"] == "<p>Як повернути гроші.</p>"
    assert (article["public"], article["category_id"], article["views"]) == (0, 20, 5)
    assert _ids(api, from_date_updated=since) == [6]
    assert 6 not in _ids(api, public=1)
    assert "Refunds" in admin_client.get("/admin/sandbox/kbarticle/").text


def test_the_admin_unpublishes_and_publishes_in_bulk(api, kb, admin_client):
    since = timezone.localtime().strftime(FORMAT)
    chosen = {"action": "unpublish", "_selected_action": ["1", "2"]}
    assert admin_client.post("/admin/sandbox/kbarticle/", chosen).status_code == 302
    assert _ids(api, public=0) == [1, 2, 5, 10, 15, 20]
    assert _ids(api, from_date_updated=since) == [1, 2]
    republish = {"action": "publish", "_selected_action": ["2", "5"]}
    assert admin_client.post("/admin/sandbox/kbarticle/", republish).status_code == 302
    assert _ids(api, public=0) == [1, 10, 15, 20]


def test_an_article_added_in_the_admin_takes_the_next_id(api, kb, admin_client):
    form = {"category": "10", "public": "on", "views": "0", "title_en": "New one"}
    assert admin_client.post("/admin/sandbox/kbarticle/add/", form).status_code == 302
    assert _get(api, "knowledge_base/articles/24/")["data"]["title"]["en"] == "New one"


# --- Seeding --------------------------------------------------------------------------------------
def test_flush_seeds_the_file(api, seed_file):
    seed_file()
    call_command("flush", interactive=False, verbosity=0)
    assert _ids(api) == list(range(1, COUNT + 1))
    assert [c["id"] for c in _get(api, "knowledge_base/categories/")["data"]] == [10, 20, 30]


def test_without_the_file_seeding_adds_nothing_and_fails_nothing(api, settings, tmp_path, caplog):
    settings.SANDBOX_KNOWLEDGE_BASE = tmp_path / "not-written-yet.json"
    with caplog.at_level(logging.WARNING, logger="sandbox.knowledge_base"):
        call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", interactive=False, verbosity=0)
    assert not caplog.records  # no file yet is no problem
    assert not KbArticle.objects.exists() and not KbCategory.objects.exists()
    body = _get(api, "knowledge_base/articles/")
    assert body == {
        "data": [],
        "pagination": {"total": 0, "per_page": 10, "current_page": 1, "total_pages": 1},
    }
    assert _get(api, "knowledge_base/categories/") == {"data": []}


def test_migrate_seeds_an_empty_knowledge_base(api, seed_file):
    KbArticle.objects.all().delete()
    KbCategory.objects.all().delete()
    seed_file()
    call_command("migrate", interactive=False, verbosity=0)  # with the migration's own models
    assert _ids(api) == list(range(1, COUNT + 1))
    assert (
        _get(api, "knowledge_base/articles/9/")["data"]["date_updated"] == BY_ID[9]["date_updated"]
    )


def test_migrate_keeps_what_the_admin_changed(api, kb):
    KbArticle.objects.filter(pk=2).delete()
    article = KbArticle.objects.get(pk=3)
    article.public = False
    article.save()
    call_command("migrate", interactive=False, verbosity=0)
    assert 2 not in _ids(api)
    assert _get(api, "knowledge_base/articles/3/")["data"]["public"] == 0


def test_a_broken_file_is_logged_and_seeds_nothing(api, seed_file, caplog):
    seed_file('{"categories": [')
    with caplog.at_level(logging.WARNING, logger="sandbox.knowledge_base"):
        call_command("flush", interactive=False, verbosity=0)
    assert not KbArticle.objects.exists()
    assert "cannot be read as JSON" in caplog.text


def test_entries_that_cannot_be_read_are_skipped_with_a_warning(api, seed_file, caplog):
    stray = {**_article(30), "category_id": 99}
    misdated = {**_article(31), "date_created": "10.01.2026 09:00"}
    twice = {**_article(1), "title": "Same id"}
    plain = {
        "id": 40,
        "category_id": 20,
        "title": "One title for every language",
        "body": {"en": "<p>English only</p>"},
    }
    document = {"categories": CATEGORIES, "articles": [*ARTICLES, stray, misdated, twice, plain]}
    seed_file(document)
    with caplog.at_level(logging.WARNING, logger="sandbox.knowledge_base"):
        call_command("flush", interactive=False, verbosity=0)
    assert _ids(api) == [*range(1, COUNT + 1), 40]
    for words in ("category_id 99", "date_created '10.01.2026 09:00'", "id 1 comes twice"):
        assert words in caplog.text
    added = _get(api, "knowledge_base/articles/40/")["data"]
    assert added["title"] == {lang: "One title for every language" for lang in ("ru", "en", "ua")}
    assert added["body"] == {"ru": "", "en": "<p>English only</p>", "ua": ""}
    assert (added["public"], added["pin"], added["views"]) == (1, 0, 0)
    assert added["date_created"] == added["date_updated"]


def test_the_command_puts_the_file_back(api, kb, seed_file, settings, tmp_path):
    KbArticle.objects.filter(pk=2).delete()
    KbArticle.objects.filter(pk=3).update(title_en="Changed")
    call_command("sandbox_knowledge_base", verbosity=0)
    assert _ids(api) == list(range(1, COUNT + 1))
    assert _get(api, "knowledge_base/articles/3/")["data"]["title"]["en"] == "Article 3"
    settings.SANDBOX_KNOWLEDGE_BASE = tmp_path / "gone.json"
    with pytest.raises(CommandError, match="no knowledge base file"):
        call_command("sandbox_knowledge_base", verbosity=0)
    assert len(_ids(api)) == COUNT  # nothing deleted without a file
