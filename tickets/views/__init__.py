"""Views: thin. Each parses the request, asks a form to validate, hands the form's record to
delivery and turns the outcome into a page.

- `customer`: the form page, its embed twin and their confirmations (no cookie, no session).
- `staff`: agents filing for clients (Django's sessions and CSRF, never framed).
- `shared`: what both use: the form spec, the body-size guard, an outcome shown on a form.

Imports: every layer below (embedding, forms, delivery, schema, helpdesk, models, records, lib).
"""
