"""Small helpers every layer may use: plain-value coercion, localised text, colours, a
model's rows as plain SQL (rows.py), and renderings kept per form class (kept.py).

Imports: the standard library and Django (its text utilities; rows.py its database layer,
kept.py its settings signal) only; never another part of the portal.
"""
