"""TicketForm: the core fields plus a FormSpec's custom fields for one audience.

A form class is built once per (form, audience) from the schema and reused (building.py). The
form validates a POST and hands over a plain record (`handover()`): the payload, built only from
the form's own cleaned fields and its configured defaults (so nothing a request adds by hand,
owner_id, status_id, a hidden custom field, ..., can reach the ticket), its files and its token.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from crispy_forms.layout import Div, Layout
from crispy_forms.layout import Field as LayoutField
from django import forms
from django.conf import settings
from django.core.validators import validate_email
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..records import ApiMessage, Filing, Handover, Sender, Uploads
from ..schema.types import Consent, Field, FormSpec, Schema, ShowIf
from . import challenge, conditions, consent, tokens
from .attaching import AttachingForm
from .fields import LineField, TextField
from .kinds import form_name, kind_for
from .patterns import EMAIL_PATTERN
from .prefill import Prefill
from .widgets import say_as_server

# A select of more options than this is searched by typing (static/js/searchable-select.js).
LONG_LIST = 15


class TicketForm(AttachingForm):
    """The fields every form has; `form_class()` adds the custom fields of a FormSpec."""

    schema: Schema
    spec: FormSpec
    audience: str
    custom_fields: tuple[Field, ...] = ()
    # Conditional fields: form name -> (the controller's form name, its show_if, the controller).
    conditions: dict[str, tuple[str, ShowIf, Field]] = {}

    form_token = forms.CharField(widget=forms.HiddenInput)
    # The browser checks the address as the server does, and says so in the server's words.
    user_email = forms.EmailField(
        label=_("Your email"),
        max_length=254,
        widget=say_as_server(
            forms.EmailInput(attrs={"autocomplete": "email", "pattern": EMAIL_PATTERN}),
            type_mismatch=validate_email.message,
            pattern_mismatch=validate_email.message,
        ),
    )
    title = LineField(label=_("Subject"), max_length=255)
    description = TextField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}), max_length=50_000
    )
    # The honeypot: people never see or reach it (display: none), scripts fill every field.
    homepage = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(
        self,
        *args: Any,
        prefill: Prefill | None = None,
        returning: Callable[[], bool] = lambda: False,
        proof: challenge.Asked | None = None,
        **kwargs: Any,
    ):
        """`prefill`: values to start from (a URL's, a signed context's). `returning`: whether the
        sender filed a ticket a moment ago (a quick send is then a person going Back, not a bot).
        `proof`: the solved challenge this POST must carry (its address is past its limit)."""
        super().__init__(*args, **kwargs)
        self.returning = returning
        self.proof = proof
        self.token: tokens.FormToken | None = None
        self.inactive: set[str] = set()  # conditional fields whose condition does not hold
        self.trapped = False  # the honeypot was filled, or the POST did not carry it
        self.start = prefill or Prefill()
        self._apply(self.start)
        if not self.is_bound:
            self.initial.setdefault("form_token", tokens.issue(self.spec.slug, self.audience))

    long_list = LONG_LIST  # for the script, which counts the same way
    checks_fill_time = True  # a form sent faster than a person fills one is sent back

    @property
    def has_long_list(self) -> bool:
        """Whether a single select has more than LONG_LIST options: only then does the page load
        the scripts that make one searchable."""
        return any(
            isinstance(f.widget, forms.Select)
            and not isinstance(f.widget, forms.SelectMultiple)
            and sum(1 for value, _label in f.choices if value != "") > LONG_LIST
            for f in self.fields.values()
        )

    @property
    def keeps_draft(self) -> bool:
        """Whether the browser keeps what is typed as a draft (static/js/draft.js): a customer's
        form that nothing prefilled. Never one a link or a signed ctx filled in: a draft typed
        by someone else on this browser must not come back into it."""
        return self.audience == "customer" and self.start == Prefill()

    def _apply(self, values: Prefill) -> None:
        """Start from prefilled values. Locked and hidden fields are disabled: Django then takes
        these values and never the request's. A hidden one renders as hidden inputs."""
        self.initial.update(values.initial)
        for name in values.locked | values.hidden:
            self.fields[name].disabled = True
        for name in values.hidden:
            self.fields[name].widget = self.fields[name].hidden_widget()

    @classmethod
    def layout(cls, custom_items: list) -> Layout:
        """The form's presentation: core fields, the custom fields laid out, attachments."""
        return Layout(
            "attachments",
            Div("homepage", css_class="portal-hp"),
            "user_email",
            "title",
            "description",
            *custom_items,
            LayoutField("files", template="tickets/fields/files.html"),
        )

    # --- Validation -----------------------------------------------------------------------------
    def full_clean(self) -> None:
        """Validate, ignoring conditional fields whose condition does not hold.

        Such a field is cleaned as optional and disabled (Django then takes its initial value,
        never the request's), then restored so that, shown again, it still holds what was typed.
        """
        self.inactive = self._inactive_fields() if self.is_bound else set()
        saved = {
            name: (self.fields[name].disabled, self.fields[name].required) for name in self.inactive
        }
        for name in self.inactive:
            self.fields[name].disabled, self.fields[name].required = True, False
        try:
            super().full_clean()
        finally:
            for name, (disabled, required) in saved.items():
                self.fields[name].disabled, self.fields[name].required = disabled, required
        if "form_token" in self.errors:
            # A fresh token, so that the person can send again what they see.
            self._replace_data(form_token=tokens.issue(self.spec.slug, self.audience))
        if self.is_bound and challenge.NAME in self.fields:
            self._ask_proof_where_needed()

    def _ask_proof_where_needed(self) -> None:
        """A POST that looks like a bot's (its honeypot filled, by a script or a person's
        autofill) or that comes from an address past its limit is never refused for it: it
        passes with a solved challenge hard enough, else the form comes back asking for one,
        the honeypot empty. A browser that runs the form's script solves it and sends again."""
        widget = self.fields[challenge.NAME].widget
        if challenge.NAME in self.errors:
            widget.asked = True  # a solution that did not pass: a fresh one
        asked = self.proof or (challenge.Asked(challenge.difficulty(0)) if self.trapped else None)
        if asked is None:
            return
        solution = self.cleaned_data.get(challenge.NAME)
        if solution and challenge.hard_enough(solution, asked.max_number):
            self.trapped = False  # a browser that proved itself: what autofill typed is ignored
            return
        widget.asked, widget.auto = True, "onload"  # solved while the person reads the page
        alone = not self.errors  # nothing else to correct: the script sends it once solved
        widget.send_when_verified = alone
        self._replace_data(homepage="")
        self.add_error(None, forms.ValidationError(asked.message(alone), code="proof"))

    def _inactive_fields(self) -> set[str]:
        inactive: set[str] = set()
        for name, (controller, show_if, field) in self.conditions.items():
            if controller not in self.fields or controller in inactive:
                inactive.add(name)
                continue
            bound = self[controller]
            # As the browser sees it: what is chosen so far counts, even if the controller itself
            # is not finished yet (a hierarchy chosen half-way, a required field left empty).
            probe = copy.copy(bound.field)
            probe.required = False
            try:
                value = probe.clean(bound.initial if bound.field.disabled else bound.data)
            except forms.ValidationError:
                value = None
            if not conditions.holds(show_if, field, value):
                inactive.add(name)
        return inactive

    def clean_form_token(self) -> str:
        value = self.cleaned_data["form_token"]
        try:
            token = tokens.read(value, self.spec.slug, self.audience)
        except tokens.TokenError as error:
            raise forms.ValidationError(
                _("This form has expired. Check your answers and send it again.")
                if error.expired
                else _("This form could not be verified. Check your answers and send it again."),
                code="token",
            ) from None
        # Asked only of a quick form: whether the sender filed a moment ago costs a look-up.
        quick = self.checks_fill_time and token.age < settings.TICKETS_MIN_FILL_SECONDS
        if quick and not self.returning():
            # Faster than a person fills a form: most likely a bot. A person just sends again.
            raise forms.ValidationError(
                _("That was quick! Check your answers and send the form again."), code="too_fast"
            )
        self.token = token
        return value

    def clean_homepage(self) -> str:
        if "homepage" in self.fields and ("homepage" not in self.data or self.data["homepage"]):
            self.trapped = True  # the form then asks for a solved challenge (never an error here)
        return ""

    # --- What the form hands over -----------------------------------------------------------------
    def handover(self, filed_by: int | None = None, sender: Sender | None = None) -> Handover:
        """Validate, and hand over the files to store and, when valid, the ticket to file.

        Only a page the portal rendered (a good token) may leave new files on the server.
        `sender`: a customer's, whose files are counted per address and ticket per throttle.
        """
        valid = self.is_valid()
        files = self.uploads(self.token.nonce if self.token else "", sender)
        if not valid:
            return Handover(files, None)
        filing = Filing(
            nonce=self.token.nonce,
            form_slug=self.spec.slug,
            audience=self.audience,
            payload=self.payload(),
            language=get_language() or "",
            filed_by=filed_by,
            sender=sender,
            consent_version=given.version if (given := self.consent_given) else "",
        )
        return Handover(files, filing)

    def handover_stored(self) -> Handover:
        """What a POST refused before validation hands over: only the files earlier POSTs stored,
        to be checked and listed again (nothing new is stored, nothing is filed)."""
        return Handover(Uploads(stored=self._stored_keys()), None)

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        payload: dict[str, Any] = {
            "title": data["title"],
            "description": data["description"],
            "user_email": data["user_email"],
        }
        payload.update(self.spec.ticket)
        payload.update(self.start.ticket)
        custom: dict[str, Any] = dict(self.start.custom)
        for field in self.custom_fields:
            name = form_name(field)
            if name in self.inactive:
                continue  # its condition does not hold: not sent
            kind = kind_for(field)
            value = kind.to_api(data.get(name))
            if self.fields[name].disabled and value == kind.empty:
                continue  # read-only and empty: nothing of the person's to send
            custom[str(field.id)] = value
        if given := self.consent_given:
            self._mark_consent(given, payload, custom)
        payload["custom_fields"] = custom
        return payload

    @property
    def consent_given(self) -> Consent | None:
        """The form's consent when the person ticked its box; None otherwise (no box: never)."""
        if consent.NAME in self.fields and self.cleaned_data.get(consent.NAME) is True:
            return self.spec.consent
        return None

    def _mark_consent(
        self, given: Consent, payload: dict[str, Any], custom: dict[str, Any]
    ) -> None:
        """The ticket says so as the schema asks: a tag, a ticked checkbox field, or both."""
        if given.tag:
            tags = list(payload.get("tags") or [])
            if given.tag not in map(str, tags):
                payload["tags"] = [*tags, given.tag]
        if given.custom_field is not None:
            field = self.schema.fields[given.custom_field]
            custom[str(field.id)] = kind_for(field).to_api(True)

    # --- Shown again ------------------------------------------------------------------------------
    def add_api_messages(self, messages: Sequence[ApiMessage]) -> None:
        """Show the API's messages on the fields they name, the rest at the top."""
        for message in messages:
            name = api_field_name(message.field)
            self.add_error(name if name in self.fields else None, str(message))


def api_field_name(field: str) -> str:
    """The form field an API error names: "title", "custom_fields[99]" or "custom_fields.99"."""
    field = field.strip()
    for prefix in ("custom_fields[", "custom_fields."):
        if field.startswith(prefix):
            field_id = field[len(prefix) :].split("]")[0].split("[")[0].split(".")[0]
            return f"cf_{field_id}"
    return field
