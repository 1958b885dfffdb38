"""The proof-of-work challenge (ALTCHA, self-hosted): asked of every customer's POST with
TICKETS_CHALLENGE, and otherwise only of a POST that looks like a bot's (its honeypot filled) or
comes from an address past its limit, instead of refusing it.

The browser's widget fetches a challenge from the portal (no third party, no cookie, so it works
in a cross-site iframe), solves it in a web worker, and posts the solution as `altcha`.
django-altcha checks the signature, the expiry and that no solution is used twice (in the
throttle store every process shares). How hard a challenge is travels signed inside it (its
salt's `max` parameter), so a solution of an easy one does not pass where a harder one is asked.

A POST without a solution is not refused here: JavaScript may be off. With TICKETS_CHALLENGE the
view then holds it to the stricter TICKETS_THROTTLE_ADDRESS_UNVERIFIED, so such a person can
still file, a script only a few times an hour.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import altcha
from django import forms
from django.conf import settings
from django.core.cache import caches
from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_altcha import AltchaField, AltchaWidget, get_hmac_key

NAME = "altcha"
# Past its limit, an address's challenges double in difficulty with every STEP tickets it files
# (counted in the limit's shortest window), up to 2 ** MAX_DOUBLINGS times the base.
STEP = 5
MAX_DOUBLINGS = 5
logger = logging.getLogger(__name__)


def is_on(audience: str) -> bool:
    """Whether every POST of this audience is asked for a solution: customers' with
    TICKETS_CHALLENGE; signed-in staff's never."""
    return settings.TICKETS_CHALLENGE and audience == "customer"


def offered(audience: str) -> bool:
    """Whether a form of this audience can ask for a solution: a customer's always (when its
    honeypot is filled, or its address is past its limit), a signed-in agent's never."""
    return audience == "customer"


def attempted(data: Any) -> bool:
    """Whether a POST carries a solution at all (verified or not: the form says which)."""
    return bool(data.get(NAME))


@dataclass(frozen=True)
class Asked:
    """A solved challenge a POST must carry to be filed, and why it is asked."""

    max_number: int  # how hard (difficulty())
    wait: str = ""  # past its address's limit: when a sender without JavaScript may send again

    def message(self, alone: bool) -> str:
        """What the form says at its top; `alone`: nothing else on the form is to correct."""
        if alone:
            check = gettext(
                "Your browser first shows that it is not a robot: this takes a few seconds, then "
                "your ticket is sent. Everything you entered is still here."
            )
        else:
            check = gettext(
                "Correct what is marked and send again: your browser first shows that it is not "
                "a robot, which takes a few seconds."
            )
        if not self.wait:
            return check
        reason = gettext("Many tickets have been sent from your network in a short time.")
        without = gettext("Without JavaScript, please send it in %(wait)s.") % {"wait": self.wait}
        return f"{reason} {check} {without}"


def difficulty(past_limit: int) -> int:
    """The largest number a challenge makes the browser try, for an address that has filed
    `past_limit` tickets past its limit lately (0: the base, TICKETS_CHALLENGE_MAX_NUMBER)."""
    return settings.TICKETS_CHALLENGE_MAX_NUMBER * 2 ** min(past_limit // STEP, MAX_DOUBLINGS)


def new_challenge(max_number: int) -> dict:
    """A fresh challenge, as the widget fetches it, that says (signed) how hard it is."""
    expires = datetime.now(UTC) + timedelta(milliseconds=settings.ALTCHA_CHALLENGE_EXPIRE)
    options = altcha.ChallengeOptions(
        hmac_key=get_hmac_key(),
        max_number=max_number,
        expires=expires,
        params={"max": str(max_number)},
    )
    return altcha.create_challenge(options).to_dict()


def hard_enough(value: str, asked: int) -> bool:
    """Whether a verified solution answers a challenge at least half as hard as `asked`: half,
    because others behind the same address may have filed while this browser was solving."""
    try:
        payload = json.loads(base64.b64decode(value).decode())
        solved = int(altcha.extract_params(payload)["max"][0])
    except Exception:
        return False  # an older challenge, without its difficulty
    return solved * 2 >= asked


class ChallengeWidget(AltchaWidget):
    """The widget with the portal's own assets and words (the vendored CSP-safe build)."""

    template_name = "tickets/widgets/challenge.html"
    # Set on a form's own copy of the widget (copied per form, as Django copies widgets):
    asked = False  # shown: the form asks for a solution
    auto = "onsubmit"  # when the widget solves: as Send is pressed, or at once ("onload")
    send_when_verified = False  # the page's script sends the form once it is solved

    def get_context(self, name: str, value: Any, attrs: Any) -> dict:
        context = super().get_context(name, value, attrs)
        # The options of this rendering only: the widget's own dict is shared by every form of
        # the class (in every thread), and the strings are in the page's language.
        options = {
            **context["widget"]["altcha_options"],
            "auto": self.auto,
            "workerurl": static("vendor/altcha/worker.js"),
            "strings": json.dumps(_strings()),
        }
        context["widget"]["altcha_options"] = options
        context["stylesheet"] = static("vendor/altcha/altcha.css")
        context["send_when_verified"] = self.send_when_verified
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
