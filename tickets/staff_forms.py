"""StaffTicketForm: what an agent files for a client, with every parameter of create-ticket.txt
that a customer form never has (client, first message's author, assignee, followers, copies,
department, priority, type, status, SLA, lock, tags, parent ticket).
"""

from __future__ import annotations

import re
from typing import Any

from crispy_forms.layout import Field as LayoutField
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from . import directory
from .client import ApiError
from .forms import TicketForm
from .schema import TICKET_DEFAULT_KEYS

REFERENCE_LABELS = {
    "department_id": _("Department"),
    "priority_id": _("Priority"),
    "type_id": _("Type"),
    "status_id": _("Status"),
}
SEPARATORS = re.compile(r"[\s,;]+")


class EmailListField(forms.CharField):
    """Addresses separated by commas, semicolons or spaces; each one checked."""

    def clean(self, value: str) -> list[str]:
        value = super().clean(value)
        addresses = [a for a in SEPARATORS.split(value or "") if a]
        bad = []
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                bad.append(address)
        if bad:
            raise forms.ValidationError(
                _("Not an email address: %(list)s") % {"list": ", ".join(bad)}, code="invalid"
            )
        return addresses


class LabelledDateTimeWidget(forms.SplitDateTimeWidget):
    """The browser's own date and time pickers, each with its label."""

    template_name = "tickets/widgets/datetime.html"


class TagsField(forms.CharField):
    def clean(self, value: str) -> list[str]:
        return [t.strip() for t in (super().clean(value) or "").split(",") if t.strip()]


class StaffTicketForm(TicketForm):
    user_email = forms.EmailField(label=_("Client's email"), max_length=254, required=False)
    user_id = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    create_from_user = forms.TypedChoiceField(
        label=_("First message on behalf of"),
        # The API files as the portal's account: "staff" means that account, not this agent.
        choices=[(1, _("the client")), (0, _("staff (the portal's helpdesk account)"))],
        coerce=int,
        initial=1,
        required=False,
        empty_value=1,  # the API's default too
        widget=forms.RadioSelect,
    )
    owner_id = forms.TypedChoiceField(
        label=_("Assignee"), coerce=int, empty_value=None, required=False
    )
    followers = forms.TypedMultipleChoiceField(
        label=_("Followers"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    cc = EmailListField(
        label=_("Copies (cc)"), required=False, help_text=_("Separate addresses with commas.")
    )
    bcc = EmailListField(label=_("Blind copies (bcc)"), required=False)
    department_id = forms.TypedChoiceField(label=REFERENCE_LABELS["department_id"], required=False)
    priority_id = forms.TypedChoiceField(label=REFERENCE_LABELS["priority_id"], required=False)
    type_id = forms.TypedChoiceField(label=REFERENCE_LABELS["type_id"], required=False)
    status_id = forms.TypedChoiceField(label=REFERENCE_LABELS["status_id"], required=False)
    sla_date = forms.SplitDateTimeField(
        label=_("SLA deadline"),
        required=False,
        widget=LabelledDateTimeWidget(
            date_attrs={"type": "date"},
            time_attrs={"type": "time"},
            date_format="%Y-%m-%d",
            time_format="%H:%M",
        ),
    )
    ticket_lock = forms.BooleanField(label=_("Lock the ticket"), required=False)
    tags = TagsField(label=_("Tags"), required=False, help_text=_("Separate tags with commas."))
    pid = forms.CharField(
        label=_("Parent ticket"),
        required=False,
        max_length=64,
        help_text=_("Its id or number, such as 7 or ABC-124."),
    )

    def __init__(self, *args: Any, agent_id: int | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.parent: directory.TicketRef | None = None
        self.client: directory.Person | None = None
        self.directory_error = ""
        self._offer_staff(agent_id)
        self._offer_references()

    def _offer_staff(self, agent_id: int | None) -> None:
        try:
            staff = directory.staff_users()
        except ApiError:
            staff = []
            self.directory_error = str(
                _("The helpdesk's staff list could not be read: assignee and followers are empty.")
            )
        choices = [(p.id, p.label()) for p in staff]
        self.fields["owner_id"].choices = [("", _("Unassigned")), *choices]
        self.fields["followers"].choices = choices
        if agent_id and any(p.id == agent_id for p in staff):
            self.initial.setdefault("owner_id", agent_id)

    def _offer_references(self) -> None:
        for key, kind in TICKET_DEFAULT_KEYS.items():
            references = self.schema.references.get(kind, ())
            by_text = {str(r.id): r.id for r in references}
            field = self.fields[key]
            field.choices = [("", "—")] + [
                (str(r.id), r.name.get() or str(r.id)) for r in references
            ]
            field.coerce = by_text.__getitem__
            field.empty_value = None
            if key in self.spec.ticket:
                self.initial.setdefault(key, str(self.spec.ticket[key]))
        if "tags" in self.spec.ticket:
            self.initial.setdefault("tags", ", ".join(map(str, self.spec.ticket["tags"])))

    # --- Validation ------------------------------------------------------------------------------
    def clean_pid(self) -> int | None:
        reference = self.cleaned_data["pid"].strip()
        if not reference:
            return None
        try:
            self.parent = directory.find_ticket(reference)
        except ApiError:
            raise forms.ValidationError(
                _("The parent ticket could not be checked: the helpdesk cannot be reached."),
                code="unavailable",
            ) from None
        if self.parent is None:
            raise forms.ValidationError(
                _("There is no ticket %(ref)s.") % {"ref": reference}, code="unknown"
            )
        return self.parent.id

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        user_id = data.get("user_id")
        if user_id:
            try:
                self.client = directory.person(user_id)
            except ApiError:
                self.add_error(
                    None, _("The client could not be checked: the helpdesk cannot be reached.")
                )
                return data
            if self.client is None or self.client.is_staff:
                self.add_error(
                    "user_email", _("That client is no longer in the helpdesk. Find them again.")
                )
            else:
                # The ticket goes to the client picked; the email shown is theirs, not a typed one.
                data["user_email"] = self.client.email
        elif not data.get("user_email") and "user_email" not in self.errors:
            self.add_error("user_email", _("Find a client, or type the email of a new one."))
        return data

    # --- The ticket ------------------------------------------------------------------------------
    def payload(self) -> dict[str, Any]:
        payload = super().payload()
        data = self.cleaned_data
        if data.get("user_id"):
            # The API goes by user_id; the email stays for people (confirmation, admin search).
            payload["user_id"] = data["user_id"]
        payload["create_from_user"] = data["create_from_user"]
        payload["owner_id"] = data.get("owner_id") or ""
        payload["followers"] = data.get("followers") or []
        payload["cc"] = data.get("cc") or []
        payload["bcc"] = data.get("bcc") or []
        for key, kind in TICKET_DEFAULT_KEYS.items():
            if data.get(key) is not None:
                payload[key] = data[key]
            elif self.schema.references.get(kind):
                payload.pop(key, None)  # left empty on purpose: the helpdesk's own default
            # (no list to choose from: the form's own default stands)
        sla = data.get("sla_date")
        payload["sla_date"] = sla.strftime("%d.%m.%Y %H:%M") if sla else ""
        payload["ticket_lock"] = bool(data.get("ticket_lock"))
        payload["tags"] = data.get("tags") or []
        if data.get("pid"):
            payload["pid"] = data["pid"]
        return payload

    @classmethod
    def layout(cls, custom_items: list) -> Layout:
        return Layout(
            "form_token",
            "attachments",
            Fieldset(
                _("Client"),
                LayoutField("user_email", template="tickets/staff/client_field.html"),
                "user_id",
                "create_from_user",
            ),
            Fieldset(_("Ticket"), "title", "description", *custom_items),
            Fieldset(
                _("Handling"),
                "owner_id",
                "followers",
                "department_id",
                "priority_id",
                "type_id",
                "status_id",
                LayoutField("sla_date", template="tickets/staff/sla_field.html"),
                "ticket_lock",
                "tags",
                LayoutField("pid", template="tickets/staff/parent_field.html"),
            ),
            Fieldset(_("Copies"), "cc", "bcc"),
            LayoutField("files", template="tickets/fields/files.html"),
        )
