"""Small pure helpers every layer may use: plain-value coercion and localised text.

Imports: the standard library and Django's translation utilities only; never another part of the
portal.
"""
