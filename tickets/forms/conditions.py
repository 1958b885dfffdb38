"""show_if: whether a conditional field applies, on the server and (as data) in the browser.

A condition names an earlier field and the values that show the dependent field: option ids for
select and multi_button, any chosen level's option id for a hierarchy, true/false for checkbox and
button. When it does not hold the server ignores the dependent field (not required, not sent),
whatever the browser sent.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ..lib.values import as_int
from ..schema.types import Field, ShowIf
from .kinds import kind_for


def wanted(show_if: ShowIf, controller: Field) -> frozenset[str]:
    """The condition's values as the browser reports them: option ids, or "1"/"" for a checkbox."""
    return kind_for(controller).condition_values(show_if.values)


def holds(show_if: ShowIf, controller: Field, cleaned: Any) -> bool:
    """Whether the controller's cleaned value shows the dependent field."""
    return kind_for(controller).condition_holds(cleaned, wanted(show_if, controller))


def browser_rule(show_if: ShowIf, controller: Field) -> str:
    """The rule static/js/ticket-form.js reads from data-show-if."""
    names = kind_for(controller).input_names(controller)
    return json.dumps({"names": names, "in": sorted(wanted(show_if, controller))})


def _hint(show_if: ShowIf, controller: Field) -> str:
    name = controller.name.get()
    if kind_for(controller).is_flag:
        if wanted(show_if, controller) == {"1"}:
            return _("Only needed when “%(field)s” is ticked.") % {"field": name}
        return _("Only needed when “%(field)s” is not ticked.") % {"field": name}
    options = [controller.option(as_int(v)) for v in show_if.values]
    choices = _(" or ").join(f"“{o.name.get()}”" for o in options if o)
    return _("Only needed when “%(field)s” is %(choices)s.") % {"field": name, "choices": choices}


class HelpWithNote:
    """A conditional field's help: its own (escaped HTML, as forms/kinds.py makes it), then a note
    saying when the field matters, for people without JavaScript, who see every field. In the
    field's own help, the note sits under the field it is about, and the field's input is
    described by it (aria-describedby). static/js/ticket-form.js takes the note away.

    The form class is built once: the help is put together when a page shows it, in that page's
    language, and as HTML (__html__) for the portal's field templates and crispy's alike.
    """

    def __init__(self, help_text: Any, show_if: ShowIf, controller: Field):
        self.help_text, self.show_if, self.controller = help_text, show_if, controller

    def __html__(self) -> SafeString:
        own = str(self.help_text or "")
        note = format_html(
            '<span class="d-block" data-condition-hint>{}</span>',
            _hint(self.show_if, self.controller),
        )
        return mark_safe((f'<span class="d-block">{own}</span>' if own else "") + note)

    __str__ = __html__
