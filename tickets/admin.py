import json

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Attachment, StaffAccount, Submission


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ("name", "size", "content_type", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


def _pretty(value) -> str:
    return format_html(
        "<pre class='readonly'>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False)
    )


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Read-only: a submission is a record of what happened, not something to edit. It holds
    what was sent and what the API answered; the API key is in neither."""

    list_display = (
        "created_at",
        "unique_id",
        "form_slug",
        "audience",
        "state",
        "user_email",
        "staff_user",
    )
    list_filter = (
        "state",
        "form_slug",
        "audience",
        "error_kind",
        ("staff_user", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("unique_id", "payload__user_email")
    date_hierarchy = "created_at"
    fields = (
        "public_key", "form_slug", "audience", "language", "state", "attempts", "staff_user",
        "unique_id", "api_id", "error_kind", "error_detail", "payload_sent", "api_answer",
        "messages_from_api", "created_at", "updated_at", "sent_at",
    )  # fmt: skip
    readonly_fields = fields
    inlines = [AttachmentInline]

    @admin.display(description=_("Payload sent"))
    def payload_sent(self, obj: Submission) -> str:
        return _pretty(obj.payload)

    @admin.display(description=_("The API's answer"))
    def api_answer(self, obj: Submission) -> str:
        return _pretty(obj.api_response)

    @admin.display(description=_("The API's messages"))
    def messages_from_api(self, obj: Submission) -> str:
        return _pretty(obj.api_messages)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StaffAccountInline(admin.StackedInline):
    model = StaffAccount
    can_delete = False
    fields = ("helpdesk_user_id", "found_by_email")
    readonly_fields = ("found_by_email",)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, StaffAccountInline]
