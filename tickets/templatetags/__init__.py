"""Template tags: `ticket_forms` (a form's HTML rendered once and reused).

Imports: none of the portal's packages: it renders the form it is given.
"""
