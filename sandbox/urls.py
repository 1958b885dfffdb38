"""The sandbox API under /sandbox/api/v2/ (mounted by portal/urls.py when SANDBOX_ENABLED)."""

from django.urls import URLPattern, path, re_path

from . import views

app_name = "sandbox"


def route(address: str, view, name: str) -> list[URLPattern]:
    """`address` with its trailing slash (the portal's way, and the name's) and without it (as
    some of the API's public clients call it): the API answers both."""
    return [path(address, view, name=name), path(address.rstrip("/"), view)]


urlpatterns = [
    *route("tickets/", views.tickets, "tickets"),
    *route("tickets/<int:ticket_id>/", views.ticket_detail, "ticket"),
    *route("tickets/<int:ticket_id>/posts/", views.ticket_posts, "ticket_posts"),
    *route("tickets/<int:ticket_id>/comments/", views.ticket_comments, "ticket_comments"),
    *route("files/<slug:key>/", views.file_download, "file"),
    *route("users/", views.users_list, "users"),
    *route("users/<int:user_id>/", views.user_detail, "user"),
    *route("custom_fields/", views.custom_fields, "custom_fields"),
    *route("custom_fields/<int:field_id>/options/", views.field_options, "field_options"),
    *route("knowledge_base/categories/", views.kb_categories, "kb_categories"),
    *route("knowledge_base/articles/", views.kb_articles, "kb_articles"),
    *route("knowledge_base/articles/<int:article_id>/", views.kb_article, "kb_article"),
    re_path(
        r"^(?P<kind>departments|priorities|types|statuses)/?$", views.references, name="references"
    ),
    # Anything else under the prefix answers in the API's errors envelope.
    re_path(r"^(?P<path>.*)$", views.not_found, name="not_found"),
]
