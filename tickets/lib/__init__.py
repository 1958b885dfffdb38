"""Small helpers every layer may use: plain-value coercion, localised text, colours, and a
model's rows as plain SQL (rows.py).

Imports: the standard library and Django (its text utilities; rows.py its database layer)
only; never another part of the portal.
"""
