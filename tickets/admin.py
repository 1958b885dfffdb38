import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from .delivery import attempts, retention, tasks
from .helpdesk import directory
from .helpdesk.errors import ApiError
from .models import Article, ArticleCount, Attachment, StaffAccount, Submission


class MarkFiledForm(forms.Form):
    unique_id = forms.CharField(label=_("The ticket's number in the helpdesk"), max_length=64)


class PersonalDataForm(forms.Form):
    email = forms.EmailField(label=_("The person's email address"))


# The admin log's line for a look at what a person sent (a change page with the content on it):
# Django's log knows additions, changes and deletions alone, so it is a CHANGE that says so.
VIEWED_CONTENT = "Viewed the content"
# What a person sent, on a submission's change page: for those who may see it.
CONTENT_FIELDS = ("payload_sent", "api_answer", "messages_from_api")


def may_see_content(request) -> bool:
    """Whether this staff user may see what people sent (superusers may)."""
    return request.user.has_perm("tickets.view_content")


class AttachmentInline(admin.StackedInline):
    # Stacked, not tabular: a read-only table's header has cells with no text (axe-core's
    # empty-table-header), for the row's title and the delete box it does not have.
    model = Attachment
    fields = ("name", "size", "content_type", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        # A submission's files are what a person sent: seen with view_content, as the rest.
        return may_see_content(request)


# The states a submission waits in for a next attempt.
WAITING = (Submission.State.RECEIVED, Submission.State.QUEUED, Submission.State.UNCERTAIN)


def _date_and_time(moment) -> str:
    """A moment in the list, as DATETIME_FORMAT writes it (the date, ", ", the time), the time
    whole. The date may break at its spaces: kept whole, the longest month's name ("September
    30, 2026,") made the list wider than its box at 1280 px."""
    local = timezone.localtime(moment)
    return format_html(
        '{}, <span class="nowrap">{}</span>',
        date_format(local, "DATE_FORMAT"),
        time_format(local, "TIME_FORMAT"),
    )


def _moment(moment) -> str:
    """A time, with its date when it is not today."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return time_format(local, "TIME_FORMAT")
    return date_format(local, "DATETIME_FORMAT")


def _pretty(value) -> str:
    return format_html(
        "<pre class='readonly'>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False)
    )


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Read-only: a submission is a record of what happened, not something to edit. It holds
    what was sent and what the API answered; the API key is in neither.

    What a person sent (the payload, the API's answer and messages, the attachments, the email
    column and the search by email) is shown only to those with `tickets.view_content`; the
    others see states, references and times. Each change page that shows it is written to the
    admin log (a submission's History), so staff can see who looked at whose ticket."""

    # What fits beside the admin's two sidebars at 1280 px (about 630 px): the reference on one
    # line, the state with the ticket's number or why it waits (the error's kind, the tries, the
    # next one), the form with the agent who filed it; the error's text is on the submission's
    # page, the number is searched for as before.
    list_display = (
        "reference",
        "created",
        "where_it_stands",
        "form_and_agent",
        "user_email",  # with view_content alone (get_list_display)
    )
    actions = ["retry_now", "mark_filed", "cancel", "withdraw_link"]
    list_filter = (
        "state",
        "form_slug",
        "audience",
        "error_kind",
        ("staff_user", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("unique_id", "reference", "payload__user_email")
    date_hierarchy = "created_at"
    fields = (
        "public_key", "reference", "form_slug", "audience", "language", "state", "attempts",
        "next_attempt_at", "attempt_started_at", "staff_user", "unique_id", "api_id",
        "error_kind", "error_detail", *CONTENT_FIELDS,
        "created_at", "updated_at", "sent_at",
    )  # fmt: skip
    readonly_fields = fields
    inlines = [AttachmentInline]

    @admin.display(description=_("Created"), ordering="created_at")
    def created(self, obj: Submission) -> str:
        return _date_and_time(obj.created_at)

    @admin.display(description=_("State"), ordering="state")
    def where_it_stands(self, obj: Submission) -> str:
        """The state and, once filed, the ticket's number; while it waits or needs attention,
        why and what comes next."""
        if obj.unique_id:
            return format_html(
                '{}<br><span class="nowrap">{}</span>', obj.get_state_display(), obj.unique_id
            )
        why = []
        if obj.state != Submission.State.FILED:
            if obj.error_kind:
                why.append(obj.get_error_kind_display())
            if obj.attempts > 1:
                tries = ngettext("%(count)d try", "%(count)d tries", obj.attempts)
                why.append(tries % {"count": obj.attempts})
            if obj.next_attempt_at and obj.state in WAITING:
                why.append(_("next at %(time)s") % {"time": _moment(obj.next_attempt_at)})
        if not why:
            return obj.get_state_display()
        return format_html(
            '{}<br><span class="quiet">{}</span>', obj.get_state_display(), " · ".join(why)
        )

    @admin.display(description=_("Form"), ordering="form_slug")
    def form_and_agent(self, obj: Submission) -> str:
        """The form; a staff filing says by whom."""
        if obj.audience != "staff":
            return obj.form_slug
        who = obj.staff_user.get_username() if obj.staff_user else _("a deleted user")
        return format_html(
            '{}<br><span class="quiet">{}</span>',
            obj.form_slug,
            _("by %(user)s") % {"user": who},
        )

    # --- What a person sent: for those with view_content, and logged when they look -----------
    def _shows_content(self, request, obj: Submission | None) -> bool:
        return may_see_content(request) and not (obj and obj.content_erased_at)

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return shown if may_see_content(request) else [f for f in shown if f != "user_email"]

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if may_see_content(request):
            return fields
        return [field for field in fields if not field.startswith("payload")]

    def get_fields(self, request, obj=None):
        if self._shows_content(request, obj):
            return self.fields
        # In the content's place: why it is not shown (erased, or not for this user).
        at = self.fields.index(CONTENT_FIELDS[0])
        kept = [f for f in self.fields if f not in CONTENT_FIELDS]
        return (*kept[:at], "content", *kept[at:])

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def get_inlines(self, request, obj):
        return self.inlines if self._shows_content(request, obj) else []

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        submission = getattr(response, "context_data", None) or {}
        submission = submission.get("original")
        if (
            request.method == "GET"
            and response.status_code == 200
            and isinstance(submission, Submission)
            and self._shows_content(request, submission)
        ):
            LogEntry.objects.log_actions(
                request.user.pk, [submission], CHANGE, VIEWED_CONTENT, single_object=True
            )
        return response

    def get_deleted_objects(self, objs, request):
        """Deleting lists what goes with a submission by name: its files' names are what a
        person sent, so without view_content the submissions alone are named (and counted)."""
        deleted, counts, needed, protected = super().get_deleted_objects(objs, request)
        if not may_see_content(request):
            deleted = [str(obj) for obj in objs]
        return deleted, counts, needed, protected

    @admin.display(description=_("Email"))
    def user_email(self, obj: Submission) -> str:
        if obj.content_erased_at:
            return _("erased")
        # A narrow column breaks an address after its "@" before anywhere else.
        local, at, domain = obj.user_email.rpartition("@")
        return format_html("{}@<wbr>{}", local, domain) if at else obj.user_email

    @admin.display(description=_("Content"))
    def content(self, obj: Submission) -> str:
        if obj.content_erased_at:
            when = date_format(timezone.localtime(obj.content_erased_at), "DATETIME_FORMAT")
            return _("Content erased on %(when)s.") % {"when": when}
        return _(
            "Not shown: what people send is shown only to staff with the permission "
            "“Can view what a person sent”."
        )

    @admin.action(description=_("Retry now"), permissions=["deliver"])
    def retry_now(self, request, queryset):
        count = attempts.retry_now(queryset)
        for submission in queryset.filter(state=Submission.State.QUEUED):
            tasks.schedule(submission)
        message = ngettext(
            "%(count)d submission will be tried now.",
            "%(count)d submissions will be tried now.",
            count,
        )
        self.message_user(request, message % {"count": count})

    @admin.action(description=_("Cancel: never file"), permissions=["deliver"])
    def cancel(self, request, queryset):
        count = attempts.cancel(queryset)
        message = ngettext(
            "%(count)d submission cancelled.", "%(count)d submissions cancelled.", count
        )
        self.message_user(request, message % {"count": count})

    @admin.action(
        description=_("Withdraw the link (a new one replaces it)"), permissions=["deliver"]
    )
    def withdraw_link(self, request, queryset):
        """The page's address stops working at once; the new one is in the record."""
        count = len(retention.renew_link(queryset))
        message = ngettext(
            "%(count)d link withdrawn: the page has a new address.",
            "%(count)d links withdrawn: each page has a new address.",
            count,
        )
        self.message_user(request, message % {"count": count})

    @admin.action(description=_("Mark as filed under a number…"), permissions=["deliver"])
    def mark_filed(self, request, queryset):
        """Staff found the ticket in the helpdesk: record its number, never send it."""
        if queryset.count() != 1:
            self.message_user(request, _("Choose one submission."), messages.WARNING)
            return None
        submission = queryset.get()
        form = MarkFiledForm(request.POST if "unique_id" in request.POST else None)
        if form.is_valid():
            if attempts.mark_filed(submission, form.cleaned_data["unique_id"]):
                self.message_user(request, _("Marked as filed."))
            else:
                message = _("Not changed: it is being sent right now, filed already or cancelled.")
                self.message_user(request, message, messages.WARNING)
            return None
        context = {**self.admin_site.each_context(request), "form": form, "submission": submission,
                   "opts": self.model._meta, "action": "mark_filed"}  # fmt: skip
        return TemplateResponse(request, "admin/tickets/mark_filed.html", context)

    @admin.display(description=_("Payload sent"))
    def payload_sent(self, obj: Submission) -> str:
        return _pretty(obj.payload)

    @admin.display(description=_("The API's answer"))
    def api_answer(self, obj: Submission) -> str:
        return _pretty(obj.api_response)

    @admin.display(description=_("The API's messages"))
    def messages_from_api(self, obj: Submission) -> str:
        return _pretty(obj.api_messages)

    def get_urls(self):
        view = self.admin_site.admin_view(self.personal_data)
        return [path("personal-data/", view, name="tickets_personal_data"), *super().get_urls()]

    def personal_data(self, request):
        """One person's data, by their email address: what the portal holds of it, exported as
        JSON, or erased (`manage.py personal_data` does the same)."""
        if not may_see_content(request):
            raise PermissionDenied
        form = PersonalDataForm(request.POST or request.GET or None)
        found = retention.submissions_of(form.cleaned_data["email"]) if form.is_valid() else []
        if form.is_valid() and request.method == "POST":
            email = form.cleaned_data["email"]
            if "export" in request.POST:
                response = JsonResponse(retention.export(found), safe=False)
                response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
                return response
            if "erase" in request.POST and self.has_deliver_permission(request):
                count = retention.erase_person(email)
                message = ngettext(
                    "Erased %(count)d submission; its link is withdrawn.",
                    "Erased %(count)d submissions; their links are withdrawn.",
                    count,
                )
                self.message_user(request, message % {"count": count})
                found = retention.submissions_of(email)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("A person's data"),
            "form": form,
            "found": found,
            "may_erase": self.has_deliver_permission(request),
        }
        return TemplateResponse(request, "admin/tickets/personal_data.html", context)

    def has_deliver_permission(self, request) -> bool:
        """The delivery actions change what happens to a ticket: for those who may change it."""
        return request.user.has_perm("tickets.change_submission")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ListedIdInput(forms.TextInput):
    """An id typed, or picked from a list the browser searches by name or email as one types (a
    datalist of `options`: value, label): no script, and an id still goes in when the list is
    empty. A text box, not a number box: a number box takes no letters to search with."""

    def __init__(self, options: list[tuple[int, str]], attrs: dict | None = None):
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})
        self.options = options

    def render(self, name, value, attrs=None, renderer=None):
        list_id = f"{(attrs or {}).get('id', name)}_options"
        field = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        options = format_html_join("", '<option value="{}">{}</option>', self.options)
        return format_html('{}<datalist id="{}">{}</datalist>', field, list_id, options)


class StaffAccountForm(forms.ModelForm):
    """The helpdesk user picked from the helpdesk's staff list, by name or email."""

    class Meta:
        model = StaffAccount
        fields = ("helpdesk_user_id",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        try:
            self.staff = {p.id: p.label() for p in directory.staff_users()}
        except ApiError:
            self.staff = {}  # the helpdesk unreachable: an id can still be typed
        field = self.fields["helpdesk_user_id"]
        field.widget = ListedIdInput(sorted(self.staff.items(), key=lambda item: item[1]))
        field.help_text = (
            _("Type a name or email and pick the person from the helpdesk's staff list.")
            if self.staff
            else _("The helpdesk's staff list could not be read: type the user's id.")
        )
        if self.instance.helpdesk_user_id in self.staff:
            # The admin shows help text as HTML: a name from the helpdesk is escaped here.
            field.help_text = format_html(
                "{}. {}", self.staff[self.instance.helpdesk_user_id], field.help_text
            )

    def clean_helpdesk_user_id(self) -> int | None:
        chosen = self.cleaned_data["helpdesk_user_id"]
        if chosen and self.staff and chosen not in self.staff:
            raise forms.ValidationError(
                _("The helpdesk has no staff user %(id)s.") % {"id": chosen}, code="unknown"
            )
        return chosen


class StaffAccountInline(admin.StackedInline):
    model = StaffAccount
    form = StaffAccountForm
    can_delete = False
    fields = ("helpdesk_user_id", "found_by_email")
    readonly_fields = ("found_by_email",)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, StaffAccountInline]
    # The first and last name in one column: the list fits beside the sidebars at 1280 px.
    list_display = ("username", "email", "name", "is_staff")

    @admin.display(description=_("Name"), ordering="last_name")
    def name(self, obj) -> str:
        return obj.get_full_name()


# The worker's task results (django-tasks-db's list) without the priority and queue columns: the
# portal uses one of each (the filters still show them), and the list then fits beside the
# admin's sidebars at 1280 px.
admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display = ("id", "task_name", "status", "enqueued_at", "started_at", "finished_at")


@admin.register(ArticleCount)
class ArticleCountAdmin(admin.ModelAdmin):
    """How the suggested articles did, per form and week: counts only."""

    # Short headers and the form under its week, so that the counts fit beside the admin's
    # sidebars at 1280 px. "Answered, then filed" is not a column of its own: it is Answered
    # less Deflected.
    list_display = ("week_and_form", "shown", "opened", "answered", "deflected", "filed")
    list_filter = ("form_slug",)
    date_hierarchy = "week"

    @admin.display(description=_("Week"), ordering="week")
    def week_and_form(self, obj: ArticleCount) -> str:
        return format_html(
            '<span class="nowrap">{}</span><br><span class="quiet">{}</span>',
            date_format(obj.week, "DATE_FORMAT"),
            obj.form_slug,
        )

    @admin.display(description=_("Deflected"))
    def deflected(self, obj: ArticleCount) -> int:
        """Answered by an article, with no ticket from that form page after."""
        return obj.deflected

    @admin.display(description=_("Filed after opening"), ordering="filed_after_opening")
    def filed(self, obj: ArticleCount) -> int:
        return obj.filed_after_opening

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """The helpdesk's public articles as the portal keeps them to suggest (read-only: the
    helpdesk is where they are written)."""

    list_display = ("id", "__str__", "category_id", "updated", "synced_at")
    search_fields = ("title",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
