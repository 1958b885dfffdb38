"""The helpdesk: everything the portal asks of the tickets API, and nothing else speaks to it.

- `client`: TicketsClient, the only HTTP to the API (one session and connection pool).
- `errors`: what a failed exchange means (unavailable, rejected, outcome unknown, bad answer).
- `governor`: the rate governor every process shares (pyrate-limiter; a SQLite file or Redis).
- `pacing`: a bulk job's own pacer (the schema sync).
- `directory`: people and tickets as staff forms need them (cached look-ups).
- `lookup`: find_filed(), a ticket whose answer was lost, found or proven absent.

Imports: `tickets.lib`, `tickets.records` and `tickets.models` (the staff account mapping); never
schema, forms, delivery, embedding or views.
"""
