"""`{% ticket_form form %}`: the form's HTML, rendered by crispy-forms once and reused.

Rendering the form's fields is nearly all of a form page's cost (crispy's templates and Django's
widget templates, a few hundred renders). A fresh customer form's fields render the same for
every page of its class (its token is rendered beside them, in tickets/form_body.html), so their
HTML is rendered once per (form class, language): the class is rebuilt for each schema in service
and each TICKETS_CHALLENGE setting, so it names those too. A form that is bound (sent back with
errors), prefilled or a staff form (its lists come from the helpdesk) is rendered in full.
"""

from __future__ import annotations

import threading
from weakref import WeakKeyDictionary

from crispy_forms.templatetags.crispy_forms_tags import CrispyFormNode
from django import template
from django.core.signals import setting_changed
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

# Per form class (a schema in service and a TICKETS_CHALLENGE setting each make their own; one
# that goes away takes its HTML along), per language.
_rendered: WeakKeyDictionary[type, dict[str, str]] = WeakKeyDictionary()
_lock = threading.Lock()


def reusable(form) -> bool:
    """Whether this form's fields render as those of any other fresh form of its class."""
    start = form.start
    return (
        not form.is_bound
        and form.audience == "customer"
        and not (start.initial or start.locked or start.hidden)
    )


@register.simple_tag(takes_context=True)
def ticket_form(context, form) -> SafeString:
    """The form's fields: a fresh customer form's as its class rendered them before."""
    if not reusable(form):
        return _render(form, context)
    form_cls = type(form)
    language = get_language() or ""
    html = _rendered.get(form_cls, {}).get(language)
    if html is None:
        html = _render(form, context)
        with _lock:
            _rendered.setdefault(form_cls, {})[language] = html
    return mark_safe(html)


def _render(form, context) -> str:
    """What `{% crispy form %}` gives in this place. The field templates read `form` (its file
    limits, its stored files): the form being rendered."""
    with context.push(ticket_form_object=form, form=form):
        return CrispyFormNode("ticket_form_object", None).render(context)


def clear(**_signal) -> None:
    """Forget every rendering (the tests compare a reused one with a full one)."""
    with _lock:
        _rendered.clear()


# The HTML carries settings (the file limits, their help text): a changed setting (the tests
# change them; a deployment restarts) renders anew.
setting_changed.connect(clear)
