from django.urls import path

from . import views

app_name = "tickets"
urlpatterns = [
    path("", views.index, name="index"),
    path("forms/<slug:slug>/", views.ticket_form, name="form"),
    path("tickets/<str:key>/", views.confirmation, name="confirmation"),
    path("embed/tickets/<str:key>/", views.embed_confirmation, name="embed_confirmation"),
    path("embed/<slug:slug>/", views.embed_form, name="embed_form"),
]
