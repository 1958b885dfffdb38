"""Views: each parses the request, asks a form to validate, hands the form's record to delivery
and redirects to the status page, or renders the form again.

- `customer`: the form page, its embed twin and their status pages (no cookie, no session).
- `staff`: agents filing for clients (Django's sessions and CSRF, never framed).
- `shared`: what both use: the form spec, the body-size guard, an outcome shown on a form.
- `status_page`: a submission's status page and its JSON, for both.
- `reading`: a POST's body read within the form's limits.
- `compression`: HTML gzipped where that gives nothing away.
- `health`: /healthz and /readyz.
- `privacy`: the privacy page, its figures read from the settings.

Imports: every layer below (embedding, forms, delivery, abuse, schema, helpdesk, models, records,
lib).
"""
