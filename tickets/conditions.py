"""show_if: whether a conditional field applies, on the server and (as data) in the browser.

A condition names an earlier field and the values that show the dependent field: option ids for
select and multi_button, any chosen level's option id for a hierarchy, true/false for checkbox and
button. When it does not hold the server ignores the dependent field (not required, not sent),
whatever the browser sent.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext as _

from .schema import Field, ShowIf

CHECKED = frozenset({True, "1", "true", "on", "yes"})


def _is_checked(value: Any) -> bool:
    return value in CHECKED or (isinstance(value, str) and value.lower() in CHECKED)


def wanted(show_if: ShowIf, controller: Field) -> frozenset[str]:
    """The condition's values as the browser reports them: option ids, or "1"/"" for a checkbox."""
    if controller.field_type in ("checkbox", "button"):
        return frozenset("1" if _is_checked(v) else "" for v in show_if.values)
    return frozenset(str(v) for v in show_if.values)


def holds(show_if: ShowIf, controller: Field, cleaned: Any) -> bool:
    """Whether the controller's cleaned value shows the dependent field."""
    values = wanted(show_if, controller)
    if controller.field_type in ("checkbox", "button"):
        return ("1" if cleaned else "") in values
    if controller.field_type == "hierarchy":
        return any(str(option_id) in values for option_id in cleaned or ())
    return cleaned is not None and str(cleaned) in values


def browser_rule(show_if: ShowIf, controller: Field, input_names: list[str]) -> str:
    """The rule static/js/ticket-form.js reads from data-show-if."""
    return json.dumps({"names": input_names, "in": sorted(wanted(show_if, controller))})


def _hint(show_if: ShowIf, controller: Field) -> str:
    name = controller.name.get()
    if controller.field_type in ("checkbox", "button"):
        if wanted(show_if, controller) == {"1"}:
            return _("Only needed when “%(field)s” is ticked.") % {"field": name}
        return _("Only needed when “%(field)s” is not ticked.") % {"field": name}
    options = [controller.option(int(v)) for v in show_if.values if str(v).isdigit()]
    choices = _(" or ").join(f"“{o.name.get()}”" for o in options if o)
    return _("Only needed when “%(field)s” is %(choices)s.") % {"field": name, "choices": choices}


def hint(show_if: ShowIf, controller: Field) -> str:
    """For people without JavaScript, who see every field: when this one matters (lazy)."""
    return lazy(_hint, str)(show_if, controller)
