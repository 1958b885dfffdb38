"""Embedding: what lets a form live on a page of another site, and arrive prefilled.

- `framing`: which views may be framed, by whom, and the frame's checked parameters (theme, parent).
- `prefill`: values from a URL, and a host server's signed `ctx` the customer cannot change.
- `origin`: whether a POST came from the portal's own page (the cookie-free CSRF check).
- `language`: the page's language from `?lang=`, and language links that keep the page's query.

Imports: `tickets.forms` (prefill is checked by the form's own fields), `tickets.lib`; never
delivery or views.
"""
