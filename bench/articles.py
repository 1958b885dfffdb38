"""Benchmark: the articles suggested for a ticket's subject, how often right and how fast.

Recall at 3: the share of the labelled queries (bench/article_queries.json: ticket subjects as
people write them, in English, Russian and Ukrainian, misspelled ones among them) whose article is
among the 3 suggested, searched in the sandbox's knowledge base (sandbox/knowledge_base.json: the
public articles only, their bodies made plain text with Django's strip_tags as the portal does).

Latency: the same queries, each as written and as it reads halfway through typing its last word,
searched in 5,000 articles (15,000 documents: each in English, Russian and Ukrainian). They are
made from the sandbox's articles: article n is the public article n mod 41 with a product's name
added to its title, one or two paragraphs of another article of its category added to its body,
the paragraphs shuffled, and a sentence of made-up words (about 20,000 a language, drawn with
Zipf's law) so that the vocabulary grows as a real knowledge base's does, and typo matching has
that many words to look through. Median and p99 over 5 rounds, one process, nothing cached but
what the index holds; then what building the index takes (its time; the memory it holds, traced
in a second build), and what a full garbage collection costs with it in memory (a search that
happens to trigger one waits that long).

Run: .venv/bin/python bench/articles.py
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import re
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from django.utils.html import strip_tags  # noqa: E402

from tickets.knowledge.search import Doc, Index, language, stem  # noqa: E402

CORPUS = ROOT / "sandbox" / "knowledge_base.json"
QUERIES = ROOT / "bench" / "article_queries.json"
ARTICLES, ROUNDS, LIMIT = 5000, 5, 3
ALPHABETS = {
    "en": ("bcdfghklmnprstvz", "aeiou"),
    "ru": ("бвгдзклмнпрстфхцчш", "аеиоуыя"),
    "uk": ("бвгдзклмнпрстфхцчш", "аеиоуіїя"),
}


def articles(path: Path = CORPUS) -> list[dict]:
    """The public articles of a knowledge-base file, as the helpdesk serves them."""
    return [a for a in json.loads(path.read_text(encoding="utf-8"))["articles"] if a["public"]]


def docs(items: list[dict]) -> list[Doc]:
    """One document per article and language, the body as plain text."""
    return [
        Doc(item["id"], language(code), title, strip_tags(item["body"].get(code, "")),
            item["category_id"])
        for item in items
        for code, title in item["title"].items()
        if title
    ]  # fmt: skip


def queries(path: Path = QUERIES) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def recall(index: Index, labelled: list[dict], limit: int = LIMIT) -> tuple[float, list[dict]]:
    """The share of queries whose article is among the first `limit`; the ones that missed."""
    missed = []
    for item in labelled:
        found = index.search(item["query"], item["lang"], limit=limit)
        if item["article"] not in found:
            missed.append({**item, "found": found})
    return 1 - len(missed) / len(labelled), missed


def made_up_words(lang: str, count: int, rng: random.Random) -> list[str]:
    consonants, vowels = ALPHABETS[lang]
    found: set[str] = set()
    while len(found) < count:
        syllables = rng.randint(2, 4)
        found.add("".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(syllables)))
    return sorted(found)


def synthesised(items: list[dict], count: int = ARTICLES, seed: int = 26) -> list[Doc]:
    """`count` articles in every language, varied from `items` (see the module's docstring)."""
    rng = random.Random(seed)
    vocabulary = {lang: made_up_words(lang, 20_000, rng) for lang in ALPHABETS}
    ranks = [1 / (rank + 1) for rank in range(20_000)]  # Zipf's law
    by_category: dict[int, list[dict]] = {}
    for item in items:
        by_category.setdefault(item["category_id"], []).append(item)
    made = []
    for n in range(count):
        base = items[n % len(items)]
        others = by_category[base["category_id"]]
        extra = rng.sample(others, k=min(len(others), rng.randint(1, 2)))
        product = f"{rng.choice(['Zento', 'Orbi', 'Kavo', 'Lumi', 'Tarr'])} {rng.randint(10, 999)}"
        for code, title in base["title"].items():
            lang = language(code)
            paragraphs = re.findall(r"<(?:p|ul)>.*?</(?:p|ul)>", base["body"][code])
            for other in extra:
                found = re.findall(r"<(?:p|ul)>.*?</(?:p|ul)>", other["body"][code])
                paragraphs.append(rng.choice(found))
            rng.shuffle(paragraphs)
            sentence = rng.choices(vocabulary[lang], weights=ranks, k=rng.randint(8, 15))
            body = " ".join(strip_tags(p) for p in paragraphs) + " " + " ".join(sentence) + "."
            made.append(Doc(100_000 + n, lang, f"{title} ({product})", body, base["category_id"]))
    return made


def half_typed(query: str) -> str:
    """The query as it reads halfway through typing its last word."""
    head, _, last = query.rstrip().rpartition(" ")
    return f"{head} {last[: max(1, len(last) // 2 + 1)]}".strip()


def latency(index: Index, labelled: list[dict], rounds: int = ROUNDS) -> list[float]:
    """Milliseconds per search, every query as written and half typed, `rounds` times."""
    asked = [(q["query"], q["lang"]) for q in labelled]
    asked += [(half_typed(q), lang) for q, lang in asked]
    timings = []
    for _ in range(rounds):
        for query, lang in asked:
            start = time.perf_counter()
            index.search(query, lang, limit=LIMIT)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--misses", action="store_true", help="list the queries that missed")
    options = parser.parse_args()

    items, labelled = articles(), queries()
    index = Index.build(docs(items))
    overall, missed = recall(index, labelled)
    print(f"Articles: {len(items)} public; labelled queries: {len(labelled)}")
    print(f"Recall at {LIMIT}: {overall:.3f} ({len(labelled) - len(missed)}/{len(labelled)})")
    for lang in ("en", "ru", "uk"):
        some = [q for q in labelled if q["lang"] == lang]
        share, _ = recall(index, some)
        print(f"  {lang}: {share:.3f} of {len(some)}")
    if options.misses:
        for item in missed:
            print(f"  missed [{item['lang']}] {item['query']!r}: {item['article']} not in "
                  f"{item['found']}")  # fmt: skip

    made = synthesised(items)
    start = time.perf_counter()
    big = Index.build(made)
    built = time.perf_counter() - start
    timings = latency(big, labelled)
    start = time.perf_counter()
    gc.collect()
    collected = (time.perf_counter() - start) * 1000
    print(
        f"Latency over {len(big):,} articles ({len(made):,} documents): "
        f"median {statistics.median(timings):.2f} ms, p99 {percentile(timings, 0.99):.2f} ms, "
        f"max {max(timings):.2f} ms ({len(timings)} searches)"
    )
    del big
    stem.cache_clear()
    tracemalloc.start()
    kept = Index.build(made)
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    print(
        f"Building that index: {built:.1f} s; it holds {held / 2**20:.0f} MiB; "
        f"a full garbage collection with it in memory: {collected:.0f} ms"
    )
    del kept


if __name__ == "__main__":
    main()
