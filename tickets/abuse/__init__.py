"""What keeps scripts from flooding the portal: throttles per sender, form and portal, counted
in sliding windows where every process sees them (the database by default, Redis with
REDIS_URL).

The honeypot, the fill-time trap and the proof-of-work challenge are validation, so they live with
the form (forms/ticket.py, forms/challenge.py); what is decided per sender lives here.

- `throttles`: the limits a POST meets (Limits), and the refusal that says when to send again.
- `buckets`: the pyrate-limiter buckets they count in: Redis's (a sorted set per bucket, which
  expires), and the database's (ThrottleHit rows, which the delivery worker's sweep deletes
  through `throttles.sweep`).

Imports: pyrate-limiter, Django and `tickets.models` (ThrottleHit) alone: the sender comes in as
a keyed address (the view reads it with `tickets.embedding.origin`).
"""
