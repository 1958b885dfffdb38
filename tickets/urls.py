from django.urls import path

from .views import articles, customer, privacy, staff

app_name = "tickets"
urlpatterns = [
    path("", customer.index, name="index"),
    path("forms/<slug:slug>/", customer.ticket_form, name="form"),
    path("forms/<slug:slug>/articles/", articles.suggestions, name="suggestions"),
    path(
        "forms/<slug:slug>/articles/<int:article_id>/",
        articles.article_in_place,
        name="article_in_place",
    ),
    path("forms/<slug:slug>/answered/", articles.answered, name="answered"),
    path("articles/<int:article_id>/", articles.article_page, name="article"),
    path("embed/<slug:slug>/answered/", articles.embed_answered, name="embed_answered"),
    path("tickets/<str:key>/", customer.confirmation, name="confirmation"),
    path("tickets/<str:key>/status/", customer.status, name="status"),
    path("tickets/<str:key>/reply/", customer.reply_to_ticket, name="reply"),
    path("tickets/<str:key>/new-link/", customer.new_link, name="new_link"),
    path("tickets/<str:key>/files/<int:number>/", customer.conversation_file, name="file"),
    path("challenge/", customer.challenge_json, name="challenge"),
    path("privacy/", privacy.privacy, name="privacy"),
    path("embed/tickets/<str:key>/", customer.embed_confirmation, name="embed_confirmation"),
    path("embed/tickets/<str:key>/reply/", customer.embed_reply_to_ticket, name="embed_reply"),
    path("embed/tickets/<str:key>/new-link/", customer.embed_new_link, name="embed_new_link"),
    path("embed/<slug:slug>/", customer.embed_form, name="embed_form"),
    path("embed/<slug:slug>/about/", customer.embed_about, name="embed_about"),
    path("staff/login/", staff.SignInView.as_view(), name="staff_login"),
    path("staff/logout/", staff.SignOutView.as_view(), name="staff_logout"),
    path("staff/", staff.index, name="staff_index"),
    path("staff/forms/<slug:slug>/", staff.ticket_form, name="staff_form"),
    path("staff/tickets/<str:key>/", staff.confirmation, name="staff_confirmation"),
    path("staff/tickets/<str:key>/status/", staff.status, name="staff_status"),
    path("staff/api/clients/", staff.client_search, name="staff_client_search"),
    path("staff/api/tickets/", staff.ticket_lookup, name="staff_ticket_lookup"),
    path("staff/api/staff/", staff.staff_search, name="staff_staff_search"),
]
