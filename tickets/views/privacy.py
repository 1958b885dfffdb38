"""The privacy page (/privacy/): what the portal keeps of a person, for how long, where it goes.

Its figures are read from the settings as the page is rendered, so the page cannot say other
than what the portal does; its text is a template (TICKETS_PRIVACY_TEMPLATE) a deployment can
replace with its own, given the same figures (`keeping`). No personal data: a public page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from ..abuse.throttles import RETURNING_SECONDS, THROTTLES, parse_rate

# static/js/draft.js drops a draft a week old (its WEEK).
DRAFT_DAYS = 7
DAY = 86400


@dataclass(frozen=True)
class Contact:
    """Where a person asks for a copy or erasure: an email address or a web address."""

    address: str

    @property
    def is_email(self) -> bool:
        return "://" not in self.address

    @property
    def href(self) -> str:
        return f"mailto:{self.address}" if self.is_email else self.address

    @property
    def link(self) -> SafeString:
        return format_html('<a href="{}">{}</a>', self.href, self.address)

    def __str__(self) -> str:
        return self.address


@dataclass(frozen=True)
class Keeping:
    """What the privacy page says, as figures (a template's `keeping`): each duration as a
    number and as words in the page's language ("30 days")."""

    content_days: int  # TICKETS_KEEP_CONTENT_DAYS: after filing (or cancelling), then erased
    uploads_seconds: int  # TICKETS_UPLOADS_KEEP_SECONDS: files of a form never sent
    page_closed_days: int  # TICKETS_PAGE_CLOSED_DAYS: a closed ticket's page, number and state
    address_seconds: int  # a sender's keyed address, as long as a throttle counts it
    draft_days: int  # the draft in the person's browser
    mail: bool  # the link to the ticket's page is mailed (EMAIL_HOST)
    contact: Contact | None  # TICKETS_PRIVACY_CONTACT; None: "the support team"

    @property
    def content_after(self) -> str:
        return duration(self.content_days * DAY)

    @property
    def uploads_after(self) -> str:
        return duration(self.uploads_seconds)

    @property
    def page_closed_after(self) -> str:
        return duration(self.page_closed_days * DAY)

    @property
    def address_after(self) -> str:
        return duration(self.address_seconds)

    @property
    def draft_after(self) -> str:
        return duration(self.draft_days * DAY)


def keeping() -> Keeping:
    """The figures, from the settings as they are now."""
    # A throttle's hits are deleted once no window counts them; a sender's mark lasts an hour.
    windows = [
        parse_rate(rate).interval // 1000 for name in THROTTLES for rate in getattr(settings, name)
    ]
    contact = settings.TICKETS_PRIVACY_CONTACT
    return Keeping(
        content_days=settings.TICKETS_KEEP_CONTENT_DAYS,
        uploads_seconds=settings.TICKETS_UPLOADS_KEEP_SECONDS,
        page_closed_days=settings.TICKETS_PAGE_CLOSED_DAYS,
        address_seconds=max([RETURNING_SECONDS, *windows]),
        draft_days=DRAFT_DAYS,
        mail=bool(settings.EMAIL_HOST),
        contact=Contact(contact) if contact else None,
    )


def duration(seconds: int) -> str:
    """A duration in the largest whole unit ("2 days", "36 hours", "90 minutes"), as one says
    "after ..." in the page's language."""
    if seconds % DAY == 0 and seconds:
        days = seconds // DAY
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    if seconds % 3600 == 0 and seconds:
        hours = seconds // 3600
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    minutes = -(-seconds // 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def text_templates(language: str | None = None) -> list[str]:
    """The text's template for this language (`privacy_text.uk.html`) first, then the one
    TICKETS_PRIVACY_TEMPLATE names."""
    name = settings.TICKETS_PRIVACY_TEMPLATE
    path = PurePosixPath(name)
    lang = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return [str(path.with_name(f"{path.stem}.{lang}{path.suffix}")), name]


@cache_control(public=True, max_age=3600)
@require_http_methods(["GET", "HEAD"])
def privacy(request: HttpRequest) -> HttpResponse:
    context = {"keeping": keeping(), "text_templates": text_templates()}
    return render(request, "tickets/privacy.html", context)
