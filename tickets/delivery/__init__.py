"""Delivery: a submission's life, from the record written before anything is sent to the ticket
the helpdesk files.

- `submissions`: receive() takes a form's Handover (tickets.records) and returns an Outcome; the
  submission record is the outbox and the one place its state changes.
- `storage`: attachments kept on the server from the POST that brought them until their ticket
  is filed.

Imports: `tickets.records`, `tickets.models`, `tickets.helpdesk`, `tickets.lib`; never forms,
embedding or views (a form hands over a plain record; delivery hands back a plain outcome).
"""
