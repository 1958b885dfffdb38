"""What keeps scripts from flooding the portal: throttles per sender, form and portal, counted
where every process sees them (the database by default, Redis with REDIS_URL).

The honeypot, the fill-time trap and the proof-of-work challenge are validation, so they live with
the form (forms/ticket.py, forms/challenge.py); what is decided per sender lives here.

- `throttles`: the limits a POST meets (Sender), and the refusal that says when to send again.
- `counters`: count() a ticket in every window of any cache; the database cache whose counts are
  atomic and written in one transaction, for the counts without Redis.

Imports: django-ratelimit and Django's cache alone; the sender comes in as a keyed address (the
view reads it with `tickets.embedding.origin`), so nothing here imports another tickets package.
"""
