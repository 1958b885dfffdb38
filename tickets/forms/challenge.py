"""The optional proof-of-work challenge (ALTCHA, self-hosted): on with TICKETS_CHALLENGE.

The browser's widget fetches a challenge from the portal (no third party, no cookie, so it works
in a cross-site iframe), solves it in a web worker when the person presses Send, and posts the
solution as `altcha`. django-altcha checks the signature, the expiry and that no solution is used
twice (in the throttle store every process shares).

A POST without a solution is not refused here: JavaScript may be off. The view then holds it to
the stricter TICKETS_THROTTLE_ADDRESS_UNVERIFIED, so such a person can still file, a script only
a few times an hour.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import caches
from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_altcha import AltchaField, AltchaWidget, get_altcha_challenge

NAME = "altcha"
logger = logging.getLogger(__name__)


def is_on(audience: str) -> bool:
    """Customers meet the challenge when it is on; signed-in staff never do."""
    return settings.TICKETS_CHALLENGE and audience == "customer"


def attempted(data: Any) -> bool:
    """Whether a POST carries a solution at all (verified or not: the form says which)."""
    return bool(data.get(NAME))


def new_challenge() -> dict:
    """A fresh challenge, as the widget fetches it."""
    return get_altcha_challenge(max_number=settings.TICKETS_CHALLENGE_MAX_NUMBER).to_dict()


class ChallengeWidget(AltchaWidget):
    """The widget with the portal's own assets and words (the vendored CSP-safe build)."""

    template_name = "tickets/widgets/challenge.html"

    def get_context(self, name: str, value: Any, attrs: Any) -> dict:
        context = super().get_context(name, value, attrs)
        # The options of this rendering only: the widget's own dict is shared by every form of
        # the class (in every thread), and the strings are in the page's language.
        options = {
            **context["widget"]["altcha_options"],
            "workerurl": static("vendor/altcha/worker.js"),
            "strings": json.dumps(_strings()),
        }
        context["widget"]["altcha_options"] = options
        context["stylesheet"] = static("vendor/altcha/altcha.css")
        return context


def _strings() -> dict[str, str]:
    return {
        "label": gettext("I am not a robot"),
        "verifying": gettext("Checking that you are not a robot…"),
        "verified": gettext("Checked"),
        "error": gettext("The check failed. Press Send again."),
        "expired": gettext("The check expired. Press Send again."),
        "verificationRequired": gettext("Press Send: the portal checks that you are not a robot."),
        "waitAlert": gettext("Checking that you are not a robot… Please wait."),
        "ariaLinkLabel": "",
        "footer": "",
    }


class ChallengeField(AltchaField):
    widget = ChallengeWidget
    default_error_messages = {
        key: _("The check that you are not a robot did not pass. Send the form again.")
        for key in ("error", "invalid", "replay", "required")
    }

    def __init__(self) -> None:
        super().__init__(
            label=_("Robot check"),
            challengeurl=reverse_lazy("tickets:challenge"),  # set, so no challenge is embedded
            required=False,
            auto="onsubmit",
            hidefooter=True,
            hidelogo=True,
        )

    def validate(self, value: Any) -> None:
        if value:  # absent: the view's stricter throttle decides, not the form
            super().validate(value)

    def replay_attack_protection(self, payload: Any) -> None:
        """Each solution is good once, even sent twice at the same moment: the first to add its
        challenge to the store wins (django-altcha's own check reads, then writes)."""
        try:
            challenge = json.loads(base64.b64decode(payload).decode())["challenge"]
        except Exception:
            raise forms.ValidationError(self.error_messages["error"], code="error") from None
        try:
            first = caches[settings.ALTCHA_CACHE_ALIAS].add(
                f"tickets.altcha.{challenge}", True, settings.ALTCHA_CHALLENGE_EXPIRE // 1000
            )
        except Exception:
            # The store cannot answer: customers' tickets come first (the signature was good).
            logger.warning("The throttle store could not record a challenge", exc_info=True)
            return
        if not first:
            raise forms.ValidationError(self.error_messages["replay"], code="replay")
