"""Small pure helpers every layer may use: plain-value coercion and localised text.

Imports: the standard library and Django's text utilities (translation, lazy strings, escaping)
only; never another part of the portal.
"""
