from django.contrib.auth import views as auth_views
from django.urls import path

from . import staff_views, views

app_name = "tickets"
urlpatterns = [
    path("", views.index, name="index"),
    path("forms/<slug:slug>/", views.ticket_form, name="form"),
    path("tickets/<str:key>/", views.confirmation, name="confirmation"),
    path("embed/tickets/<str:key>/", views.embed_confirmation, name="embed_confirmation"),
    path("embed/<slug:slug>/", views.embed_form, name="embed_form"),
    path(
        "staff/login/",
        auth_views.LoginView.as_view(template_name="tickets/staff/login.html"),
        name="staff_login",
    ),
    path("staff/logout/", auth_views.LogoutView.as_view(), name="staff_logout"),
    path("staff/", staff_views.index, name="staff_index"),
    path("staff/forms/<slug:slug>/", staff_views.ticket_form, name="staff_form"),
    path("staff/tickets/<str:key>/", staff_views.confirmation, name="staff_confirmation"),
    path("staff/api/clients/", staff_views.client_search, name="staff_client_search"),
    path("staff/api/tickets/", staff_views.ticket_lookup, name="staff_ticket_lookup"),
]
