"""A fresh customer form's whole page, rendered once and reused.

A GET that names nothing but the language shows the form as first shown: no prefill and none of
a host's parameters (an embed's parent, theme or colours). Its page then differs from the next
one by the form's one-time token alone, so it is kept per (form class, template, language, the
`?lang=` it named; lib/kept.py), and each GET puts its own token in the placeholder's place.
The form's own HTML is kept the same way (templatetags/ticket_forms.py). Any other page is
rendered in full.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language

from ..embedding.language import chosen
from ..forms.ticket import FreshForm
from ..lib.kept import Kept
from ..templatetags import ticket_forms
from .compression import names_only_the_language

_pages = Kept()  # per form class, per (template, language, `?lang=`)


def response(request: HttpRequest, template: str, page: dict, form: FreshForm) -> HttpResponse:
    """The page of a form as first shown: the kept one with this form's token, when it can be."""
    if not names_only_the_language(request) or not ticket_forms.reusable(form):
        return render(request, template, {**page, "form": form})
    # The page names the language it speaks and, in its links, the `?lang=` it was asked with
    # (any other value of it names none): both are in the key, and nothing else of the request.
    key = (template, get_language() or "", chosen(request))
    html = _pages.get(form.form_cls, key)
    if html is None:
        stand_in = FreshForm(form.form_cls, token=ticket_forms.PLACEHOLDER)
        html = render_to_string(template, {**page, "form": stand_in}, request)
        _pages.keep(form.form_cls, key, html)
    return HttpResponse(html.replace(ticket_forms.PLACEHOLDER, form.initial["form_token"]))


def clear() -> None:
    """Forget every kept page (the tests compare a kept one with a full one)."""
    _pages.clear()
