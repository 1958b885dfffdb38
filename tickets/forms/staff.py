"""StaffTicketForm: what an agent files for a client, with every parameter of create-ticket.txt
that a customer form never has (client, first message's author, assignee, followers, copies,
department, priority, type, status, SLA, lock, tags, parent ticket).

What the helpdesk knows (its staff list, the posted client and parent ticket) is read by the view
before the form is built and handed in as a StaffDirectory: the form never calls the API.
"""

from __future__ import annotations

from typing import Any

from crispy_forms.layout import Field as LayoutField
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from ..records import Person, StaffDirectory, TicketRef
from ..schema.types import TICKET_DEFAULT_KEYS
from .fields import EmailListField, LineField, TagsField
from .ticket import TicketForm
from .widgets import LabelledDateTimeWidget

REFERENCE_LABELS = {
    "department_id": _("Department"),
    "priority_id": _("Priority"),
    "type_id": _("Type"),
    "status_id": _("Status"),
}


class StaffTicketForm(TicketForm):
    homepage = None  # signed-in staff are not bots: no honeypot, no fill-time check
    checks_fill_time = False
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
        widget=LabelledDateTimeWidget(),
    )
    ticket_lock = forms.BooleanField(label=_("Lock the ticket"), required=False)
    tags = TagsField(label=_("Tags"), required=False, help_text=_("Separate tags with commas."))
    pid = LineField(
        label=_("Parent ticket"),
        required=False,
        max_length=64,
        help_text=_("Its id or number, such as 7 or ABC-124."),
    )

    def __init__(self, *args: Any, directory: StaffDirectory | None = None, **kwargs: Any):
        """`directory`: the helpdesk's answers this form shows and checks (see for_staff_form)."""
        super().__init__(*args, **kwargs)
        self.directory = directory or StaffDirectory()
        self.parent: TicketRef | None = None
        self.client: Person | None = None
        self.directory_error = ""
        self._offer_staff()
        self._offer_references()

    def _offer_staff(self) -> None:
        staff, agent_id = self.directory.staff, self.directory.agent_id
        if self.directory.staff_unavailable:
            self.directory_error = str(
                _("The helpdesk's staff list could not be read: assignee and followers are empty.")
            )
        choices = [(p.id, p.label()) for p in staff]
        self.fields["owner_id"].choices = [("", _("Unassigned")), *choices]
        self.fields["followers"].choices = choices
        mapped = bool(agent_id) and any(p.id == agent_id for p in staff)
        if mapped:
            self.initial.setdefault("owner_id", agent_id)
        # Said on the page (what to do about it), unless the list itself is what is missing.
        self.agent_unmapped = not mapped and not self.directory.staff_unavailable

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
        if reference not in self.directory.tickets:
            raise forms.ValidationError(
                _("The parent ticket could not be checked: the helpdesk cannot be reached."),
                code="unavailable",
            )
        self.parent = self.directory.tickets[reference]
        if self.parent is None:
            raise forms.ValidationError(
                _("There is no ticket %(ref)s.") % {"ref": reference}, code="unknown"
            )
        return self.parent.id

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        user_id = data.get("user_id")
        if user_id:
            if user_id not in self.directory.people:
                self.add_error(
                    None, _("The client could not be checked: the helpdesk cannot be reached.")
                )
                return data
            self.client = self.directory.people[user_id]
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
                LayoutField("followers", template="tickets/staff/followers_field.html"),
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
