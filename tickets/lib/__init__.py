"""Small helpers every layer may use: plain-value coercion, localised text, colours.

Imports: the standard library and Django's text utilities only; never another part of the portal.
"""
