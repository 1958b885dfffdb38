"""Ranked search of the knowledge base's articles for what a person types as a ticket's subject.

`Index.build(docs)` takes plain records (`Doc`: one article in one language, its body already
plain text) and `Index.search(query, lang)` answers article ids, best first. It knows nothing of
the database: the caller builds it from its copy of the public articles (an article left out is
never suggested) and keeps it per process, so every database gives the same answers.

How a query is answered:

- Words: Unicode letters and digits, case-folded, the Russian letter yo read as ie, apostrophes
  dropped ("can't" is "cant", as Ukrainian words are written with or without theirs); stop words
  (`stopwords.py`) and one-letter words ignored.
- Each language has a shelf of its own: its documents, analysed by that language's stemmer
  (Snowball's English and Russian, through PyStemmer; Ukrainian: `ukrainian_stem`, a light
  suffix stripper, as Snowball has no Ukrainian).
- Ranking is BM25F: a word in the title counts TITLE_WEIGHT times one in the body, each field
  normalised by its own length. The weight of each (term, document) is worked out when the index
  is built, so a query only adds up the postings of its terms. A document whose title holds
  every word of the query, stop words included ("Where is my order?"), counts TITLE_MATCH times:
  stop words never make a document match, but they tell which title was asked for.
- Typos: a query word the shelf does not know (neither as written nor as a stem) is matched with
  rapidfuzz against the words the shelf's documents are written with, within one edit (two for
  a word of 8 letters or more; a transposition is one edit), and counts for less. A word two
  known words were run together into ("promocode", "заграницу") counts as those words. The last
  word of a query still being typed also matches the words it begins.
- Languages: every shelf is searched; a document in another language than the person's counts
  OTHER_LANGUAGE times its score, so it ranks first only when it matches far better (someone
  writing in Russian on the Ukrainian portal, a product's English name). An article counts once,
  with its best score.
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache

import Stemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

from .stopwords import STOP_WORDS

K1 = 1.2  # BM25's term-frequency saturation
TITLE_WEIGHT, TITLE_B, BODY_B = 3.0, 0.3, 0.75  # BM25F: a title's word counts thrice
TITLE_MATCH, TITLE_MATCH_AMONG = 1.5, 20  # every word of the query in the title (of the best 20)
OTHER_LANGUAGE = 0.5  # another language's document must match twice as well to rank above
TYPO_WEIGHT = {1: 0.8, 2: 0.6}  # a word matched within 1 or 2 edits
PREFIX_WEIGHT = 0.8  # the last word, still being typed, as the start of a longer one
MAX_COMPLETIONS = 50  # words a word still being typed may be the start of


@dataclass(frozen=True)
class Doc:
    """One article in one language: its body as plain text (no HTML)."""

    id: int
    lang: str  # "en", "ru" or "uk"
    title: str
    body: str
    category_id: int


# --- Words ----------------------------------------------------------------------------------------
_WORD = re.compile(r"[^\W_]+")
_APOSTROPHES = re.compile("['’ʼ‘`´]")


def words(text: str) -> list[str]:
    """The words of a text as the index reads them: folded, stop words kept."""
    folded = unicodedata.normalize("NFC", text).casefold().replace("ё", "е")
    return _WORD.findall(_APOSTROPHES.sub("", folded))


def _meaningful(text: str) -> list[str]:
    return [w for w in words(text) if len(w) > 1 and w not in STOP_WORDS]


def language(code: str) -> str:
    """A language's code as the index has it: "uk" for the API's "ua" and for "uk-ua"."""
    code = (code or "").split("-")[0].split("_")[0].lower()
    return "uk" if code == "ua" else code


# --- Stemming -------------------------------------------------------------------------------------
_UK_VOWELS = frozenset("аеиоуюяіїє")
# Inflectional endings of Ukrainian verbs (infinitive, present, past, imperative, gerund; the
# stem's own vowel before "-ти" or "-ла" goes with it), adjectives and participles (hard and soft)
# and nouns, tried longest first. Reflexive "-ся"/"-сь" go first.
_UK_VERB_ENDINGS = """
ати яти ити іти їти ути ти ать ять ить іть уть ють ться аєш ієш уєш еш єш иш їш ає ує їть ем ємо
емо имо імо їмо ете єте ите іте їте ав ала ало али ив ила ило или ів іла іло іли ув ула ули ла ло
ли йте ймо учи ючи ачи ячи вши ши
"""
_UK_ADJECTIVE_ENDINGS = "ий ого ому им ім ої ою ій их іх ими іми ього ьому ьої ьою"
_UK_NOUN_ENDINGS = (
    "ами ями ах ях ам ям ів їв ей ові еві єві ом ем єм ою ею єю а я о е є и і ї у ю ь й"
)
_UK_ENDINGS = sorted(
    set(" ".join((_UK_VERB_ENDINGS, _UK_ADJECTIVE_ENDINGS, _UK_NOUN_ENDINGS)).split()),
    key=len,
    reverse=True,
)


def ukrainian_stem(word: str) -> str:
    """A light Ukrainian stemmer: one inflectional ending stripped, as Snowball's Russian does.

    The ending must lie after the word's first vowel and leave a letter there (an infinitive's,
    five letters in all); "-нн-" of a verbal noun is read as "-н-" ("замовлення", "замовлень" ->
    "замовлен").
    """
    first_vowel = next((i for i, c in enumerate(word) if c in _UK_VOWELS), None)
    if first_vowel is None:
        return word
    region = first_vowel + 1  # where endings may be stripped from
    stem = word
    for reflexive in ("ся", "сь"):
        if stem.endswith(reflexive) and len(stem) - 2 >= region + 2:
            stem = stem[:-2]
            break
    for ending in _UK_ENDINGS:
        left = len(stem) - len(ending)
        # "-ти" ends infinitives and genitives alike: "оплатити" -> "оплат", "оплати" -> "оплат"
        if stem.endswith(ending) and left >= region + 1 and (left >= 5 or ending[-2:] != "ти"):
            stem = stem[:left]
            break
    if stem.endswith("нн"):
        stem = stem[:-1]
    return stem


def _snowball(algorithm: str) -> Callable[[str], str]:
    return Stemmer.Stemmer(algorithm).stemWord


STEMMERS: dict[str, Callable[[str], str]] = {
    "en": _snowball("english"),
    "ru": _snowball("russian"),
    "uk": ukrainian_stem,
}


def _stem(word: str, lang: str) -> str:
    stemmer = STEMMERS.get(lang)
    return stemmer(word) if stemmer else word


stem = lru_cache(maxsize=10_000)(_stem)  # the words of queries, asked again and again


# --- The index ------------------------------------------------------------------------------------
class _Shelf:
    """The documents of one language: BM25F weights per term, and the words they are written with."""

    def __init__(self, lang: str, docs: list[Doc]):
        self.lang = lang
        self.ids = [doc.id for doc in docs]
        self.categories = [doc.category_id for doc in docs]
        fields = [(_meaningful(doc.title), _meaningful(doc.body)) for doc in docs]
        # tuples, not sets: the garbage collector stops tracking a tuple of strings
        self.titles = [tuple(set(self.terms(words(doc.title)))) for doc in docs]
        self.spelled: dict[str, str] = {}  # each word the documents use -> its term
        for title, body in fields:
            for word in (*title, *body):
                if word not in self.spelled:
                    self.spelled[word] = _stem(word, lang)  # once a word: no cache needed
        count = max(len(docs), 1)
        title_avg = sum(len(t) for t, _ in fields) / count or 1.0
        body_avg = sum(len(b) for _, b in fields) / count or 1.0
        frequencies: dict[str, dict[int, float]] = defaultdict(dict)
        for number, (title, body) in enumerate(fields):
            title_norm = 1 - TITLE_B + TITLE_B * len(title) / title_avg
            body_norm = 1 - BODY_B + BODY_B * len(body) / body_avg
            tf = Counter()
            for word, n in Counter(title).items():
                tf[self.spelled[word]] += TITLE_WEIGHT * n / title_norm
            for word, n in Counter(body).items():
                tf[self.spelled[word]] += n / body_norm
            for term, f in tf.items():
                frequencies[term][number] = f
        # a term's postings: the documents' numbers and their BM25 weights, in two arrays (a
        # dict of floats takes six times the memory)
        self.postings: dict[str, tuple[array, array]] = {}
        for term in list(frequencies):
            found = frequencies.pop(term)
            idf = math.log(1 + (count - len(found) + 0.5) / (len(found) + 0.5))
            self.postings[term] = (
                array("i", found),
                array("d", [idf * f * (K1 + 1) / (f + K1) for f in found.values()]),
            )
        self.sorted_words = sorted(self.spelled)
        self.by_shape: dict[tuple[bool, int], list[str]] = defaultdict(list)
        for word in self.sorted_words:
            if not word.isdigit():
                self.by_shape[word.isascii(), len(word)].append(word)

    def terms(self, written: Iterable[str]) -> list[str]:
        """The terms of words as written, stop words included (one letter words left out)."""
        return [stem(word, self.lang) for word in written if len(word) > 1]

    def knows(self, word: str) -> bool:
        return word in self.spelled or stem(word, self.lang) in self.postings

    def _split(self, word: str) -> list[str] | None:
        """Two words run together, each known here (or the first a stop word): "promocode"."""
        for cut in range(2, len(word) - 2):
            first, second = word[:cut], word[cut:]
            if self.knows(second) and (first in STOP_WORDS or self.knows(first)):
                return [w for w in (first, second) if w not in STOP_WORDS]
        return None

    def _typos(self, word: str) -> dict[str, float]:
        """The terms of the words within one edit of `word` (two from 8 letters), the closest."""
        if len(word) < 4 or not word.isalpha():
            return {}
        most = 1 if len(word) < 8 else 2
        hits: list[tuple[str, int]] = []
        for length in range(len(word) - most, len(word) + most + 1):
            choices = self.by_shape.get((word.isascii(), length))
            if choices:
                found = process.extract(
                    word, choices, scorer=OSA.distance, score_cutoff=most, limit=None
                )
                hits.extend((choice, distance) for choice, distance, _ in found)
        if not hits:
            return {}
        closest = min(distance for _, distance in hits)
        return {self.spelled[w]: TYPO_WEIGHT[closest] for w, d in hits if d == closest}

    def _completions(self, word: str) -> dict[str, float]:
        if len(word) < 3:
            return {}
        start = bisect_left(self.sorted_words, word)
        found: dict[str, float] = {}
        for other in self.sorted_words[start : start + MAX_COMPLETIONS]:
            if not other.startswith(word):
                break
            found[self.spelled[other]] = PREFIX_WEIGHT
        return found

    def _expansions(self, word: str, typing: bool) -> list[dict[str, float]]:
        """The terms a query word stands for, each with its weight: one dict per word it is."""
        term = stem(word, self.lang)
        if term in self.postings:
            return [{term: 1.0}]
        parts = self._split(word)
        if parts:
            return [{stem(part, self.lang): 1.0} for part in parts]
        found = self._typos(word)
        if typing:
            for other, weight in self._completions(word).items():
                found[other] = max(weight, found.get(other, 0.0))
        return [found] if found else []

    def scores(self, query: list[str], written: list[str], typing: bool) -> dict[int, float]:
        """Each matching document's score (by its number on this shelf), for the query's words
        without stop words (`query`) and as written (`written`)."""
        total: dict[int, float] = {}
        last = len(query) - 1
        for position, word in enumerate(query):
            for terms in self._expansions(word, typing and position == last):
                if len(terms) == 1:
                    ((term, weight),) = terms.items()
                    for number, w in zip(*self.postings[term], strict=True):
                        total[number] = total.get(number, 0.0) + weight * w
                    continue
                best: dict[int, float] = {}  # a word counts once, by its best reading
                for term, weight in terms.items():
                    for number, w in zip(*self.postings[term], strict=True):
                        if weight * w > best.get(number, 0.0):
                            best[number] = weight * w
                for number, w in best.items():
                    total[number] = total.get(number, 0.0) + w
        whole = set(self.terms(written[:-1] if typing else written))
        if len(whole) > 1:
            for number in heapq.nlargest(TITLE_MATCH_AMONG, total, key=total.__getitem__):
                if whole.issubset(self.titles[number]):
                    total[number] *= TITLE_MATCH
        return total


class Index:
    """The searchable articles: one shelf per language."""

    def __init__(self, shelves: dict[str, _Shelf]):
        self._shelves = shelves

    @classmethod
    def build(cls, docs: Iterable[Doc]) -> Index:
        """The index of these documents; a second document with the same id and language wins."""
        by_language: dict[str, dict[int, Doc]] = defaultdict(dict)
        for doc in docs:
            by_language[language(doc.lang)][doc.id] = doc
        return cls(
            {lang: _Shelf(lang, list(found.values())) for lang, found in by_language.items()}
        )

    def __len__(self) -> int:
        return len({i for shelf in self._shelves.values() for i in shelf.ids})

    def search(
        self,
        query: str,
        lang: str,
        limit: int = 3,
        categories: Collection[int] | None = None,
    ) -> list[int]:
        """Up to `limit` article ids for `query`, best first, the person's language (`lang`)
        first; only articles of `categories`, when given."""
        query_words = list(dict.fromkeys(_meaningful(query)))
        if not query_words or limit <= 0:
            return []
        written = words(query)
        # the last word may be unfinished: the person is still typing it
        typing = query[-1:].isalnum() and written[-1] == query_words[-1]
        lang = language(lang)
        wanted = set(categories) if categories is not None else None
        best: dict[int, float] = {}
        for shelf_lang, shelf in self._shelves.items():
            factor = 1.0 if shelf_lang == lang else OTHER_LANGUAGE
            for number, score in shelf.scores(query_words, written, typing).items():
                if wanted is not None and shelf.categories[number] not in wanted:
                    continue
                article = shelf.ids[number]
                if score * factor > best.get(article, 0.0):
                    best[article] = score * factor
        top = heapq.nlargest(limit, best.items(), key=lambda item: (item[1], -item[0]))
        return [article for article, _ in top]
