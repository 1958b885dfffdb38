"""The helpdesk: everything the portal asks of the tickets API, and nothing else speaks to it.

- `client`: TicketsClient, the only HTTP to the API (one session and connection pool).
- `errors`: what a failed exchange means (unavailable, rejected, outcome unknown, bad answer).
- `pacing`: the rate governor: a bulk job's pacer and the portal's share of the API's minute.
- `directory`: people and tickets as staff forms need them (cached look-ups).

Imports: `tickets.lib` and `tickets.models` (the staff account mapping); never schema, forms,
delivery, embedding or views.
"""
