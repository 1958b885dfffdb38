"""The helpdesk's public knowledge-base articles, suggested while a person types a ticket's subject.

- `search`: the ranked full-text search (Doc, Index) over plain records, every language at once,
  the person's first; typo-tolerant. `stopwords`: the words it ignores.
  Imports: tickets.lib and the standard library, the search's libraries (PyStemmer, rapidfuzz);
  never `tickets.models` or Django's ORM: the caller hands it plain records.
- `sync`: the portal's copy of the articles (`tickets.models.Article`), kept in step with the
  helpdesk through `tickets.helpdesk`.
- `suggest`: the index of the kept articles, built once per process and again when they change;
  what was suggested and how it did, counted.
"""
