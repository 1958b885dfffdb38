"""Template tags: `ticket_forms` (a form's HTML rendered once and reused), `file_sizes` (a
file's size as the page's language writes it).

Imports: tickets.lib alone: it renders the form and the values it is given.
"""
