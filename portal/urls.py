from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from tickets.views import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("tickets.urls")),
]
if settings.SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/api/v2/", include("sandbox.urls")))
