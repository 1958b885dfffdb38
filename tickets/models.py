"""The portal's records: every submission (written before the API is called), its attachments,
and each staff account's helpdesk user.

Imports: Django and `tickets.lib` only: the data layer knows nothing of HTTP, forms or views."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def new_public_key() -> str:
    return secrets.token_urlsafe(24)


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is the random key: a person's file name never becomes a path.
    return f"attachments/{instance.created_at:%Y/%m}/{instance.key}"


class SubmissionQuerySet(models.QuerySet):
    """The rules that pick submissions, each spelled once."""

    def rejected(self) -> SubmissionQuerySet:
        """Refused by the helpdesk: the person corrects the form, which takes the row back."""
        return self.filter(**REJECTED)

    def made_by(self, nonce: str) -> SubmissionQuerySet:
        """What a rendered form (its token's nonce) made and still stands by: a form sent again
        goes there, unless the helpdesk rejected it (its corrected form takes the row back)."""
        return self.filter(token=nonce).exclude(**REJECTED)

    def waiting(self) -> SubmissionQuerySet:
        """Not filed yet, and delivery will try again by itself: received, queued or uncertain."""
        return self.filter(state__in=WAITING)

    def due(self, now: datetime) -> SubmissionQuerySet:
        """Waiting, and its next attempt's time has come (or none was set)."""
        when = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        return self.waiting().filter(when)

    def stalled(self, before: datetime) -> SubmissionQuerySet:
        """`sending` since before `before`: the attempt died with its process."""
        return self.filter(state=Submission.State.SENDING, attempt_started_at__lt=before)

    def being_sent_by(self, submission: Submission) -> SubmissionQuerySet:
        """The row while it is still this attempt's: `sending`, since the attempt began (the sweep
        may have taken a stalled attempt over meanwhile)."""
        return self.filter(
            pk=submission.pk,
            state=Submission.State.SENDING,
            attempt_started_at=submission.attempt_started_at,
        )


class AttachmentQuerySet(models.QuerySet):
    """The rules that pick attachments, each spelled once."""

    def unsent(self) -> AttachmentQuerySet:
        """Stored files no filed ticket has taken yet (a filed ticket's files are deleted)."""
        return self.filter(submission__isnull=True).exclude(file="")


REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to misread


def new_reference() -> str:
    """What a person quotes about a ticket not yet filed, and what finds it in the helpdesk."""
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(10))
    return f"TP-{code[:5]}-{code[5:]}"


class Submission(models.Model):
    """One ticket a person sent: the outbox row delivery works from, and its whole story."""

    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        FILED = "filed", _("Filed")
        UNCERTAIN = "uncertain", _("Uncertain")
        ATTENTION = "attention", _("Needs attention")
        CANCELLED = "cancelled", _("Cancelled")

    class Error(models.TextChoices):
        UNAVAILABLE = "unavailable", _("API unavailable")
        REJECTED = "rejected", _("Rejected by the API")
        OUTCOME_UNKNOWN = "outcome_unknown", _("No answer from the API")
        EXPIRED = "expired", _("Not filed in time")

    # Identifies the submission in confirmation URLs; the database id never leaves the server.
    public_key = models.CharField(max_length=64, unique=True, default=new_public_key)
    # The nonce of the rendered form's one-time token: a second POST of it finds this row.
    token = models.CharField(max_length=64, unique=True)
    form_slug = models.SlugField(max_length=100)
    audience = models.CharField(max_length=16)
    language = models.CharField(max_length=8, blank=True)
    payload = models.JSONField(default=dict)
    # Put in every ticket the portal files, so an attempt without an answer can be looked up.
    reference = models.CharField(max_length=20, unique=True, default=new_reference)
    state = models.CharField(max_length=16, choices=State.choices, default=State.RECEIVED)
    attempts = models.PositiveIntegerField(default=0)
    # When delivery tries next (queued, uncertain); when the current attempt began (sending).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    api_id = models.BigIntegerField(null=True, blank=True)
    unique_id = models.CharField(max_length=64, blank=True, db_index=True)
    api_response = models.JSONField(null=True, blank=True)
    error_kind = models.CharField(max_length=32, choices=Error.choices, blank=True)
    error_detail = models.TextField(blank=True)
    api_messages = models.JSONField(default=list, blank=True)
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "created_at"]),
            models.Index(fields=["state", "next_attempt_at"]),
        ]

    def __str__(self) -> str:
        return self.unique_id or f"{self.form_slug} {self.get_state_display()}"

    @property
    def user_email(self) -> str:
        return str(self.payload.get("user_email", ""))

    @property
    def rejected(self) -> bool:
        """Whether the helpdesk refused it (the rule of `Submission.objects.rejected()`)."""
        return all(getattr(self, name) == value for name, value in REJECTED.items())


# Not filed yet, and delivery will try again by itself.
WAITING = (Submission.State.RECEIVED, Submission.State.QUEUED, Submission.State.UNCERTAIN)
# A submission the helpdesk refused: it waits for the person's corrected form.
REJECTED = {"state": Submission.State.ATTENTION, "error_kind": Submission.Error.REJECTED}


class Attachment(models.Model):
    """An uploaded file, kept from the POST that brought it until its ticket is filed."""

    key = models.CharField(max_length=64, unique=True, default=new_public_key)
    # The nonce of the rendered form that brought it: a form's files are counted per rendering.
    token = models.CharField(max_length=64, blank=True, db_index=True)
    # The sender's address (hashed): what one address keeps is counted too.
    client = models.CharField(max_length=64, blank=True, db_index=True)
    submission = models.ForeignKey(
        Submission, null=True, blank=True, related_name="attachments", on_delete=models.CASCADE
    )
    file = models.FileField(upload_to=attachment_path, max_length=255)
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class StaffAccount(models.Model):
    """A portal staff account's helpdesk user: the default assignee of what they file."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helpdesk_account"
    )
    helpdesk_user_id = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text=_("The helpdesk's id of this person's staff user; empty: found by email."),
    )
    found_by_email = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("helpdesk account")

    def __str__(self) -> str:
        return f"{self.user} → {self.helpdesk_user_id or '?'}"


class ThrottleHit(models.Model):
    """A ticket counted against one throttle, where there is no Redis: the hits of one bucket
    are pyrate-limiter's sliding-window log (tickets/abuse/buckets.py); the delivery worker's
    sweep deletes them once no window counts them."""

    # Whose count: the limit and its key ("address:<keyed address>", "form:<slug>", "portal").
    bucket = models.CharField(max_length=150)
    # When, in milliseconds since the epoch, as pyrate-limiter stamps its items.
    at = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["bucket", "at"]),  # a bucket's count and its newest hits
            models.Index(fields=["at"]),  # the sweep's, across every bucket
        ]

    def __str__(self) -> str:
        return f"{self.bucket} @ {self.at}"
