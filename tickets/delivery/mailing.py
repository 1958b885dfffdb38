"""The link to a customer's ticket page, mailed to them once the ticket is filed.

Nothing else is ever mailed, and only this: a customer's submission that names an email, filed
while mail is on (`EMAIL_HOST`); never a staff filing. The worker sends it (tasks.mail_link,
queued as the ticket is filed, and the sweep for what a lost task or a failed try left), never
the person's request, so a slow or refusing mail server never holds a filing.

Once per submission: `link_mail_due_at`, set as it becomes filed (attempts.py), says that a mail
is wanted and when its next try is due. A try claims the row with one atomic UPDATE that moves
that time a lease ahead, so two workers (or a task and the sweep) never both send; the mail
server's acceptance is written to `link_mailed_at`, which no later try passes. A failed try is
left to the sweep, LINK_MAIL_TRIES in all; a worker that dies mid-send leaves its claim to run
out, then the sweep tries again. (Only a worker that dies between the server's "accepted" and
the write of it, a moment, would send it twice: for a person's only way back to their ticket, a
second copy is the lesser harm.)

Logged by the submission's reference alone: never the address, the subject or the mail server's
words (they may echo the address), only the kind of error.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from smtplib import SMTPRecipientsRefused

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import LINK_MAIL_TRIES, Submission

logger = logging.getLogger(__name__)

CUSTOMER = "customer"
# The sweep's next try after the first, second, ... failed one (seconds; it adds its own delay).
RETRY_AFTER = (60, 300, 1800, 7200)
# Longer than a try can last (a few exchanges of EMAIL_TIMEOUT each): a claim older than this
# died with its worker.
LEASE = timedelta(minutes=5)


def is_on() -> bool:
    """Whether the portal sends mail at all."""
    return bool(settings.EMAIL_HOST)


def due_when_filed(submission: Submission) -> datetime | None:
    """What `link_mail_due_at` becomes as `submission` is recorded filed: now, when its link is
    to be mailed (mail on, a customer's, an email given, not mailed before), else None."""
    wanted = (
        is_on()
        and submission.audience == CUSTOMER
        and bool(submission.user_email)
        and submission.link_mailed_at is None
    )
    return timezone.now() if wanted else None


def promise(submission: Submission) -> str:
    """What the customer's page may say of the mail: "mailed", "sending" (filed, on its way),
    "later" (to be mailed once filed), or "" (no mail: off, none wanted, or given up)."""
    if submission.audience != CUSTOMER or not submission.user_email:
        return ""
    if submission.link_mailed_at is not None:
        return "mailed"
    if not is_on():
        return ""
    if submission.state == Submission.State.FILED:
        return "sending" if submission.link_mail_due_at is not None else ""
    waiting = (Submission.State.CANCELLED, Submission.State.ATTENTION)
    return "" if submission.state in waiting else "later"


def page_url(submission: Submission) -> str:
    """The absolute address of the customer's ticket page (not the embedded one), in the
    language the form was sent in."""
    path = reverse("tickets:confirmation", kwargs={"key": submission.public_key})
    languages = {code for code, _name in settings.LANGUAGES}
    query = f"?lang={submission.language}" if submission.language in languages else ""
    return f"{settings.PORTAL_URL}{path}{query}"


def send_link(pk: int) -> str:
    """Mail the link of submission `pk` when a try is due and no one else holds it; what came of
    it: mailed, failed (the sweep tries again), given up, not due, or off."""
    if not is_on():
        return "off"
    now = timezone.now()
    held_until = now + LEASE
    claimed = (
        Submission.objects.link_mail_due(now)
        .filter(pk=pk)
        .update(link_mail_due_at=held_until, link_mail_attempts=F("link_mail_attempts") + 1)
    )
    if not claimed:
        return "not due"
    submission = Submission.objects.get(pk=pk)
    try:
        _send(submission)
    except Exception as error:  # whatever it was, the sweep tries again (a few times)
        return _failed(submission, held_until, error)
    Submission.objects.filter(pk=pk).update(link_mailed_at=timezone.now(), link_mail_due_at=None)
    logger.info(
        "%s: the link to its page was mailed",
        submission.reference,
        extra={"reference": submission.reference},
    )
    return "mailed"


def _send(submission: Submission) -> None:
    number = submission.unique_id or submission.reference
    with translation.override(submission.language or settings.LANGUAGE_CODE):
        context = {"number": number, "url": page_url(submission)}
        subject = _("Your ticket %(number)s") % {"number": number}
        text = render_to_string("tickets/email/link.txt", context)
        html = render_to_string("tickets/email/link.html", context)
    message = EmailMultiAlternatives(
        subject,
        text,
        to=[submission.user_email],
        # RFC 3834: sent by a machine, so auto-responders leave it unanswered.
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    message.send()


def _failed(submission: Submission, held_until: datetime, error: Exception) -> str:
    tries, kind = submission.link_mail_attempts, type(error).__name__
    # Only while the claim is still this try's (it is, unless the try outlived its lease).
    mine = Submission.objects.filter(pk=submission.pk, link_mail_due_at=held_until)
    extra = {"reference": submission.reference, "why": kind}
    if _refused_for_good(error) or tries >= LINK_MAIL_TRIES:
        # The address itself is refused, or the tries are spent: the page is the way back.
        mine.update(link_mail_due_at=None)
        logger.error(
            "%s: the link to its page could not be mailed (%s); given up after %d tries",
            submission.reference, kind, tries, extra=extra,
        )  # fmt: skip
        return "given up"
    delay = RETRY_AFTER[min(tries, len(RETRY_AFTER)) - 1]
    mine.update(link_mail_due_at=timezone.now() + timedelta(seconds=delay))
    logger.warning(
        "%s: the link to its page could not be mailed (%s); the sweep tries again in %d s",
        submission.reference, kind, delay, extra=extra,
    )  # fmt: skip
    return "failed"


def _refused_for_good(error: Exception) -> bool:
    """The mail server refused the address itself, for good (5xx, not "try later")."""
    if not isinstance(error, SMTPRecipientsRefused) or not error.recipients:
        return False
    return all(code >= 500 for code, _words in error.recipients.values())
