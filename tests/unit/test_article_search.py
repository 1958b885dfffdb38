"""The knowledge base's search (tickets/knowledge/search.py) on the sandbox's articles and the
labelled ticket subjects of bench/article_queries.json (bench/articles.py prints the figures)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils.html import strip_tags

from tickets.knowledge.search import Doc, Index, language

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "sandbox" / "knowledge_base.json"
QUERIES = ROOT / "bench" / "article_queries.json"
RECALL_AT_3 = 0.98  # reached: 105 of 107 (0.981); the two misses need a synonym (cost/price)


def _articles(public_only: bool = True) -> list[dict]:
    found = json.loads(CORPUS.read_text(encoding="utf-8"))["articles"]
    return [a for a in found if a["public"] or not public_only]


def _docs(articles: list[dict]) -> list[Doc]:
    """One document per article and language, as the portal makes them (the API's "ua" is uk)."""
    return [
        Doc(a["id"], language(code), title, strip_tags(a["body"][code]), a["category_id"])
        for a in articles
        for code, title in a["title"].items()
    ]


@pytest.fixture(scope="module")
def index() -> Index:
    """The index as the caller builds it: of the public articles only."""
    return Index.build(_docs(_articles()))


def test_recall_at_3_on_the_labelled_queries(index):
    labelled = json.loads(QUERIES.read_text(encoding="utf-8"))
    found = [q["article"] in index.search(q["query"], q["lang"], limit=3) for q in labelled]
    assert sum(found) / len(found) >= RECALL_AT_3


@pytest.mark.parametrize(
    ("typo", "right", "lang", "article"),
    [
        ("pasword", "password", "en", 141),
        ("cancle order", "cancel order", "en", 102),
        ("пороль", "пароль", "ru", 141),
        ("атменить заказ", "отменить заказ", "ru", 102),
        ("паорль", "пароль", "uk", 141),
        ("скасуавти замовлення", "скасувати замовлення", "uk", 102),
    ],
)
def test_a_misspelled_word_finds_what_the_right_one_finds(index, typo, right, lang, article):
    assert index.search(right, lang)[0] == article
    assert index.search(typo, lang)[0] == article


@pytest.mark.parametrize(
    ("typed", "lang", "article"),
    [("passw", "en", 141), ("паро", "ru", 141), ("скасув", "uk", 102)],
)
def test_a_word_still_being_typed_matches_the_words_it_begins(index, typed, lang, article):
    assert index.search(typed, lang)[0] == article
    assert index.search(typed + " ", lang) == []  # a finished word is taken as it is


def test_the_persons_language_ranks_first():
    index = Index.build(
        [
            Doc(1, "uk", "Доставка посилки", "Коли приїде посилка.", 3),
            Doc(2, "ru", "Доставка посылки", "Когда приедет посылка.", 3),
        ]
    )
    assert index.search("доставка", "uk") == [1, 2]
    assert index.search("доставка", "ru") == [2, 1]
    assert index.search("доставка", "ua") == [1, 2]  # the API's code for Ukrainian


def test_another_language_ranks_first_when_it_matches_far_better(index):
    # A person on the Ukrainian portal writing in Russian: the Russian articles match every word
    # ("не проходит оплата картой"), the Ukrainian ones only "оплата".
    assert index.search("не проходит оплата картой", "uk")[0] == 112
    mixed = Index.build(
        [
            Doc(1, "uk", "Оплата", "Як сплатити замовлення.", 2),
            Doc(2, "ru", "Не проходит оплата картой", "Банк отклонил платеж картой.", 2),
        ]
    )
    assert mixed.search("не проходит оплата картой", "uk") == [2, 1]
    assert mixed.search("оплата", "uk") == [1, 2]


def test_an_article_counts_once(index):
    found = index.search("оплата", "ru", limit=50)
    assert len(found) == len(set(found)) > 3


def test_categories_filter_the_articles(index):
    assert 115 in index.search("promo code not working", "en")
    only_orders = index.search("promo code not working", "en", categories={1})
    assert only_orders
    assert 115 not in only_orders
    category = {a["id"]: a["category_id"] for a in _articles()}
    assert {category[i] for i in only_orders} == {1}
    assert index.search("promo code", "en", categories=[2])[0] == 115
    assert index.search("promo code", "en", categories=[]) == []


def test_articles_left_out_of_the_index_are_never_suggested(index):
    hidden = [a for a in _articles(public_only=False) if not a["public"]]
    assert {a["id"] for a in hidden} == {190, 191}
    with_hidden = Index.build(_docs(_articles(public_only=False)))
    for query, lang, article in [
        ("чарджбэк", "ru", 190),
        ("finance team", "en", 190),
        ("новорічні свята", "uk", 191),
    ]:
        assert with_hidden.search(query, lang) == [article]
        assert index.search(query, lang) == []
    assert 191 not in index.search("New Year holidays", "en")


@pytest.mark.parametrize(
    ("query", "lang"),
    [
        ("how can I do it?", "en"),
        ("Hello, please: what is this", "en"),
        ("как и где это", "ru"),
        ("як і де це", "uk"),
    ],
)
def test_stop_words_alone_find_nothing(index, query, lang):
    assert index.search(query, lang) == []


@pytest.mark.parametrize("query", ["", "   ", "?!", "—"])
def test_an_empty_query_finds_nothing(index, query):
    assert index.search(query, "en") == []


def test_the_limit_is_kept(index):
    assert len(index.search("order", "en", limit=5)) == 5
    assert len(index.search("order", "en")) == 3
    assert index.search("order", "en", limit=0) == []


def test_the_search_needs_no_database():
    """search.py works on plain records: importing it loads neither the models nor the ORM."""
    code = (
        "import sys, tickets.knowledge.search; "
        "print(sorted(m for m in sys.modules if m == 'tickets.models' or m.startswith('django.db')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"
