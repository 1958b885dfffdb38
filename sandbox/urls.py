"""The sandbox API under /sandbox/api/v2/ (mounted by portal/urls.py when SANDBOX_ENABLED)."""

from django.urls import path, re_path

from . import views

app_name = "sandbox"

urlpatterns = [
    path("tickets/", views.tickets, name="tickets"),
    path("tickets/<int:ticket_id>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:ticket_id>/posts/", views.ticket_posts, name="ticket_posts"),
    path("users/", views.users_list, name="users"),
    path("users/<int:user_id>/", views.user_detail, name="user"),
    path("custom_fields/", views.custom_fields, name="custom_fields"),
    path("custom_fields/<int:field_id>/options/", views.field_options, name="field_options"),
    re_path(
        r"^(?P<kind>departments|priorities|types|statuses)/$", views.references, name="references"
    ),
    # Anything else under the prefix answers in the API's errors envelope.
    re_path(r"^(?P<path>.*)$", views.not_found, name="not_found"),
]
