from django.contrib import admin

from .models import Attachment, Submission


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ("name", "size", "content_type", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Read-only: a submission is a record of what happened, not something to edit."""

    list_display = ("created_at", "unique_id", "form_slug", "audience", "state", "user_email")
    list_filter = ("state", "form_slug", "audience", "error_kind")
    search_fields = ("unique_id", "payload__user_email")
    readonly_fields = [f.name for f in Submission._meta.fields if f.name != "token"]
    exclude = ("token",)
    inlines = [AttachmentInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
