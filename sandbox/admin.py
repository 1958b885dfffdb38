"""The sandbox in Django's admin: its tickets with their conversations, "Reply as agent", where a
person plays the helpdesk's agent (answer, comment internally, close a ticket), the knowledge base
(edit, unpublish or delete articles as the helpdesk's agents would), and the "Helpdesk down"
switch (every API request answered 503 while it is on)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from .models import (
    STAFF_GROUPS,
    KbArticle,
    KbCategory,
    Post,
    PostFile,
    SandboxSwitch,
    Ticket,
    TicketFile,
    User,
)
from .store import DEFAULT_AGENT_ID, ReplyRefused, reply_as_agent

DOWN_WARNING = (
    "The helpdesk is down (the sandbox's switch): every API request is answered 503 and the "
    'portal queues new tickets. Turn off "Helpdesk down" to let its worker file them.'
)


@admin.register(SandboxSwitch)
class SandboxSwitchAdmin(admin.ModelAdmin):
    """The one switch: its list opens its page, a single "Helpdesk down" checkbox."""

    fields = ("down",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        switch = SandboxSwitch.get()
        return HttpResponseRedirect(reverse("admin:sandbox_sandboxswitch_change", args=[switch.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None) -> HttpResponse:
        SandboxSwitch.get()  # the row exists before its page is asked for
        if request.method == "GET" and SandboxSwitch.is_down():
            self.message_user(request, DOWN_WARNING, messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)


class TicketFileInline(admin.TabularInline):
    model = TicketFile
    extra = 0
    fields = ("name", "size", "content_type", "file")
    readonly_fields = ("name", "size", "content_type")


class PostInline(admin.TabularInline):
    """The conversation after the first post, newest first; new posts come through "Reply as
    agent" (or the API), so that the ticket's `date_updated` moves with them."""

    model = Post
    extra = 0
    fields = ("id", "visible", "user_id", "text", "date_created", "file_names")
    readonly_fields = ("id", "visible", "user_id", "date_created", "file_names")
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="Files")
    def file_names(self, obj: Post) -> str:
        return ", ".join(f.name for f in obj.files.all())


class ReplyForm(forms.Form):
    """What an agent writes on the helpdesk's screen; `store.reply_as_agent` does the rest."""

    agent = forms.ModelChoiceField(
        queryset=User.objects.filter(group__in=STAFF_GROUPS), empty_label=None
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        required=False,
        help_text="HTML, as agents write it (shown to the client as the helpdesk sends it).",
    )
    file = forms.FileField(required=False)
    comment = forms.BooleanField(
        required=False, label="Internal comment (staff only: never shown to the client)"
    )
    close = forms.BooleanField(required=False, label="Close the ticket")

    def clean(self) -> dict:
        cleaned = super().clean()
        if not (cleaned.get("text", "").strip() or cleaned.get("file") or cleaned.get("close")):
            raise forms.ValidationError("Write a text or add a file, or close the ticket.")
        return cleaned


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("unique_id", "title", "user_email", "status_id", "date_created", "date_updated")
    list_filter = ("status_id", "department_id")
    search_fields = ("unique_id", "title", "description", "user_email")
    readonly_fields = ("unique_id", "date_created", "date_updated")
    inlines = [TicketFileInline, PostInline]
    actions = ["reply", "close_tickets"]

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if request.method == "GET" and SandboxSwitch.is_down():
            self.message_user(request, DOWN_WARNING, messages.WARNING)
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        reply = path(
            "<int:ticket_id>/reply/",
            self.admin_site.admin_view(self.reply_view),
            name="sandbox_ticket_reply",
        )
        return [reply, *super().get_urls()]

    def reply_view(self, request: HttpRequest, ticket_id: int) -> HttpResponse:
        """The "Reply as agent" page of one ticket (linked from its change page)."""
        ticket = get_object_or_404(Ticket, pk=ticket_id)
        if not self.has_change_permission(request, ticket):
            return HttpResponseRedirect(reverse("admin:index"))
        owner_is_staff = User.objects.filter(pk=ticket.owner_id, group__in=STAFF_GROUPS).exists()
        initial = {"agent": ticket.owner_id if owner_is_staff else DEFAULT_AGENT_ID}
        if request.method == "POST":
            form = ReplyForm(request.POST, request.FILES, initial=initial)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    reply_as_agent(
                        ticket,
                        data["text"],
                        agent_id=data["agent"].id,
                        files=[data["file"]] if data["file"] else [],
                        close=data["close"],
                        comment=data["comment"],
                    )
                except ReplyRefused as exc:
                    form.add_error(None, str(exc))
                else:
                    self.message_user(request, _done(data))
                    change = reverse("admin:sandbox_ticket_change", args=[ticket.pk])
                    return HttpResponseRedirect(change)
        else:
            form = ReplyForm(initial=initial)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": ticket,
            "title": f"Reply as agent: {ticket}",
            "form": form,
            "posts": ticket.posts.prefetch_related("files"),
        }
        return TemplateResponse(request, "admin/sandbox/ticket/reply.html", context)

    @admin.action(description="Reply as agent (one ticket)", permissions=["change"])
    def reply(self, request: HttpRequest, queryset) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, "Choose one ticket to reply to.", messages.WARNING)
            return None
        ticket_id = queryset.get().pk
        return HttpResponseRedirect(reverse("admin:sandbox_ticket_reply", args=[ticket_id]))

    @admin.action(
        description="Close the selected tickets (as agent, without a reply)", permissions=["change"]
    )
    def close_tickets(self, request: HttpRequest, queryset) -> None:
        for ticket in queryset:
            reply_as_agent(ticket, close=True)
        self.message_user(request, f"Closed {queryset.count()} ticket(s).")


def _done(data: dict) -> str:
    """What the reply form did, in a line."""
    if not (data["text"].strip() or data["file"]):
        return "The ticket is closed."
    said = "Internal comment added" if data["comment"] else "Reply posted"
    return f"{said}{'; the ticket is closed' if data['close'] else ''}."


class PostFileInline(admin.TabularInline):
    model = PostFile
    extra = 0
    fields = ("name", "size", "content_type", "file")
    readonly_fields = ("name", "size", "content_type")


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("id", "ticket", "visible", "user_id", "date_created")
    list_filter = ("visible",)
    search_fields = ("text", "ticket__unique_id")
    readonly_fields = ("id", "ticket", "date_created", "date_updated")
    fields = ("id", "ticket", "visible", "user_id", "text", "date_created", "date_updated")
    inlines = [PostFileInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a post is added to its ticket with "Reply as agent"


@admin.register(TicketFile)
class TicketFileAdmin(admin.ModelAdmin):
    list_display = ("name", "ticket", "size", "content_type")
    search_fields = ("name", "ticket__unique_id")


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "lastname", "email", "phone", "group")
    list_filter = ("group",)
    search_fields = ("name", "lastname", "email", "phone")
    readonly_fields = ("id",)
    fields = ("id", "name", "lastname", "email", "phone", "group")


@admin.register(KbCategory)
class KbCategoryAdmin(admin.ModelAdmin):
    list_display = ("id", "name_en", "name_ru", "name_ua")
    list_display_links = ("id", "name_en")
    search_fields = ("name_en", "name_ru", "name_ua")
    readonly_fields = ("id",)
    fields = ("id", "name_en", "name_ru", "name_ua")


@admin.register(KbArticle)
class KbArticleAdmin(admin.ModelAdmin):
    """Every save moves the article's `date_updated` (KbArticle.save), as do the two actions, so
    that `GET /knowledge_base/articles/?from_date_updated=...` finds what was changed here."""

    list_display = ("id", "title_en", "category", "public", "pin", "views", "date_updated")
    list_display_links = ("id", "title_en")
    list_editable = ("public",)
    list_filter = ("public", "pin", "category")
    search_fields = ("title_en", "title_ru", "title_ua", "body_en", "body_ru", "body_ua")
    readonly_fields = ("id", "date_created", "date_updated")
    fieldsets = (
        (None, {"fields": ("id", "category", "public", "pin", "views")}),
        ("English (en)", {"fields": ("title_en", "body_en")}),
        ("Russian (ru)", {"fields": ("title_ru", "body_ru")}),
        ("Ukrainian (ua)", {"fields": ("title_ua", "body_ua")}),
        ("Dates (the portal's clock)", {"fields": ("date_created", "date_updated")}),
    )
    actions = ["publish", "unpublish"]

    @admin.action(description="Publish the selected articles", permissions=["change"])
    def publish(self, request: HttpRequest, queryset) -> None:
        changed = queryset.update(public=True, date_updated=timezone.now())
        self.message_user(request, f"Published {changed} article(s).")

    @admin.action(description="Unpublish the selected articles", permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset) -> None:
        changed = queryset.update(public=False, date_updated=timezone.now())
        self.message_user(request, f"Unpublished {changed} article(s).")
