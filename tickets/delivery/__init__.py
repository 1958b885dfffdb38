"""Delivery: a submission's life, from the record written before anything is sent to the ticket
the helpdesk files.

- `submissions`: receive() takes a form's Handover (tickets.records) and returns an Outcome: the
  files stored, the submission kept and counted against the throttles, its first attempt.
- `attempts`: one attempt, reconciliation, the outcome recorded, staff actions; `tasks`: the
  worker's; `status`: what a person reads; `journal`: a log line per state change; `backlog`:
  what waits.
- `storage`: attachments stored on the server from the POST that brought them until their ticket
  is filed.
- `mailing`: the link to a customer's ticket page, mailed to them once, when it is filed.

Imports: `tickets.records`, `tickets.models`, `tickets.abuse` (the throttles a kept ticket counts
in), `tickets.helpdesk`, `tickets.lib`; never forms, embedding or views (a form hands over a plain
record; delivery hands back a plain outcome).
"""
