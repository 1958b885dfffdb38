from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        # The field kinds register themselves before any schema file is read; the checks then
        # find a schema that names a type no kind is registered for.
        from . import checks  # noqa: F401
        from .forms import kinds  # noqa: F401
