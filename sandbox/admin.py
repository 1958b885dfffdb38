from django.contrib import admin

from .models import Ticket, TicketFile, User


class TicketFileInline(admin.TabularInline):
    model = TicketFile
    extra = 0
    fields = ("name", "size", "content_type", "file")
    readonly_fields = ("name", "size", "content_type")


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("unique_id", "title", "user_email", "date_created")
    list_filter = ("status_id", "department_id")
    search_fields = ("unique_id", "title", "description", "user_email")
    readonly_fields = ("unique_id", "date_created", "date_updated")
    inlines = [TicketFileInline]


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
