"""`{% ticket_form form %}`: the form's HTML, rendered by crispy-forms once and reused.

Rendering the form is nearly all of a form page's cost (crispy's templates and Django's widget
templates, a few hundred renders). A customer's fresh form differs from the next one only by its
token, so its HTML is kept per (form class, language) (lib/kept.py), rendered once with a
placeholder token that each page then replaces. A form that is bound (sent back with errors),
prefilled or a staff form (its lists come from the helpdesk) is rendered in full, as always.
"""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_tags import CrispyFormNode
from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from ..forms.ticket import FreshForm
from ..lib.kept import Kept

register = template.Library()

PLACEHOLDER = "ticket-form-token-placeholder"
_rendered = Kept()  # per form class, per language


def reusable(form) -> bool:
    """Whether this form's HTML is the same as any other fresh one of its class but the token."""
    start = form.start
    return (
        not form.is_bound
        and form.audience == "customer"
        and not (start.initial or start.locked or start.hidden)
    )


@register.simple_tag(takes_context=True)
def ticket_form(context, form) -> SafeString:
    """`form`: a TicketForm, or a FreshForm (built here only when its HTML is not kept yet)."""
    if not reusable(form):
        return _render(form.build() if isinstance(form, FreshForm) else form, context)
    form_cls = form.form_cls if isinstance(form, FreshForm) else type(form)
    language = get_language() or ""
    html = _rendered.get(form_cls, language)
    if html is None:
        html = _render(form_cls(initial={"form_token": PLACEHOLDER}), context)
        _rendered.keep(form_cls, language, html)
    return mark_safe(html.replace(PLACEHOLDER, form.initial["form_token"]))


def _render(form, context) -> str:
    """What `{% crispy form %}` gives in this place. The field templates read `form` (its file
    limits, its kept files): the form being rendered, never the page's stand-in."""
    with context.push(ticket_form_object=form, form=form):
        return CrispyFormNode("ticket_form_object", None).render(context)


def clear() -> None:
    """Forget every kept rendering (the tests compare a kept one with a full one)."""
    _rendered.clear()
