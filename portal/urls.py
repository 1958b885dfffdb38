from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import TemplateView

from tickets.views import health


def favicon(request):
    """The portal's icon, for a page that names none (Django's error pages, the admin), where a
    browser asks for /favicon.ico: a 404 there is an error in its console."""
    return redirect(static("favicon.svg"))


urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("favicon.ico", favicon),
    # Crawlers kept off the pages whose address is a key, and off the staff's.
    path("robots.txt", TemplateView.as_view(template_name="robots.txt", content_type="text/plain")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("tickets.urls")),
]
if settings.SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/api/v2/", include("sandbox.urls")))
