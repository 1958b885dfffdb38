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

    def link_mail_due(self, now: datetime) -> SubmissionQuerySet:
        """Filed, the link to its page not mailed yet, and a try of that mail due by `now` (a
        mail is wanted once `link_mail_due_at` is set), with tries left."""
        return self.filter(
            state=Submission.State.FILED,
            link_mailed_at__isnull=True,
            link_mail_due_at__lte=now,
            link_mail_attempts__lt=LINK_MAIL_TRIES,
        )

    def content_expired(self, before: datetime) -> SubmissionQuerySet:
        """Settled before `before` (filed, or cancelled) and still holding what the person sent,
        with nothing left to do with it (its link mailed, its replies posted)."""
        settled = Q(state=Submission.State.FILED, sent_at__lt=before) | Q(
            state=Submission.State.CANCELLED, updated_at__lt=before
        )
        unsent_replies = Reply.objects.filter(state__in=(*REPLY_WAITING, Reply.State.SENDING))
        return self.filter(
            settled, content_erased_at__isnull=True, link_mail_due_at__isnull=True
        ).exclude(pk__in=unsent_replies.values("submission"))

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
        """Stored files no filed ticket or reply has taken yet (a filed one's files are deleted)."""
        return self.filter(submission__isnull=True, reply__isnull=True).exclude(file="")


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
    # The link to the customer's page, mailed to them once it is filed (delivery/mailing.py):
    # when a try is due (set as it is filed, when mail is on; a try in progress holds it a lease
    # ahead; cleared once mailed or given up), how many tries were made, and when the mail
    # server took it (never mailed again after that).
    link_mail_due_at = models.DateTimeField(null=True, blank=True)
    link_mail_attempts = models.PositiveSmallIntegerField(default=0)
    link_mailed_at = models.DateTimeField(null=True, blank=True)
    # The consent box the person ticked, if the form has one: its version and when.
    consent_version = models.CharField(max_length=64, blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    # When what the person sent (the payload, the API's answer, replies) was erased: the row
    # stays, with what its page and staff need (retention, or the person's erasure).
    content_erased_at = models.DateTimeField(null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("view_content", "Can view what a person sent")]
        indexes = [
            models.Index(fields=["state", "created_at"]),
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["link_mail_due_at"]),
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


# Tries of the mail with a page's link before it is given up.
LINK_MAIL_TRIES = 5
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
    reply = models.ForeignKey(
        "Reply", null=True, blank=True, related_name="attachments", on_delete=models.CASCADE
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


class ConversationQuerySet(models.QuerySet):
    """The rules that pick conversations, each spelled once."""

    def followed(self, since: datetime) -> ConversationQuerySet:
        """Looked at since `since`, and not closed: the worker keeps these fresh."""
        return self.filter(viewed_at__gte=since).exclude(status_id__in=CLOSED_STATUSES)


# The helpdesk's status of a closed ticket: no reply is taken, the page fades after a while.
CLOSED_STATUSES = ("closed",)


class Conversation(models.Model):
    """What the helpdesk shows a filed ticket's client, as last read: its status and its public
    posts (never the agents' internal comments). The page shows it without asking the API while
    it is fresh; the worker keeps the followed ones fresh."""

    submission = models.OneToOneField(
        Submission, related_name="conversation", on_delete=models.CASCADE
    )
    status_id = models.CharField(max_length=64, blank=True)
    # The helpdesk's id of the ticket's client: their posts are "you", a reply is posted as them.
    client_id = models.BigIntegerField(null=True, blank=True)
    # The ticket's posts as the API gave them, read tolerantly (helpdesk/posts.py), oldest first.
    posts = models.JSONField(default=list, blank=True)
    # The ticket's date_updated as the helpdesk wrote it: a change means there is more to read.
    updated = models.CharField(max_length=32, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    viewed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["viewed_at"])]

    def __str__(self) -> str:
        return f"{self.submission} ({self.status_id or '?'})"

    @property
    def closed(self) -> bool:
        return self.status_id in CLOSED_STATUSES


class ReplyQuerySet(models.QuerySet):
    """The rules that pick replies, each spelled once."""

    def waiting(self) -> ReplyQuerySet:
        """Not posted yet, and delivery will try again by itself."""
        return self.filter(state__in=REPLY_WAITING)

    def due(self, now: datetime) -> ReplyQuerySet:
        when = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        return self.waiting().filter(when)

    def stalled(self, before: datetime) -> ReplyQuerySet:
        return self.filter(state=Reply.State.SENDING, attempt_started_at__lt=before)


class Reply(models.Model):
    """A person's answer on their ticket's page: kept with its files before anything is sent,
    then posted to the ticket exactly once (delivery/replies.py)."""

    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        UNCERTAIN = "uncertain", _("Uncertain")
        ATTENTION = "attention", _("Needs attention")

    submission = models.ForeignKey(Submission, related_name="replies", on_delete=models.CASCADE)
    # The nonce of the rendered reply box: a double click or a resend finds this reply.
    token = models.CharField(max_length=64, unique=True)
    text = models.TextField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.RECEIVED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    post_id = models.BigIntegerField(null=True, blank=True)
    # An attempt may have posted it (no answer came): the ticket's posts are looked through
    # before it is posted again.
    maybe_posted = models.BooleanField(default=False)
    error_detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = ReplyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = _("replies")

    def __str__(self) -> str:
        return f"{self.submission} reply {self.pk} ({self.state})"


REPLY_WAITING = (Reply.State.RECEIVED, Reply.State.UNCERTAIN)


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


class Article(models.Model):
    """A public article of the helpdesk's knowledge base, as the portal keeps it to suggest
    (tickets/knowledge/): its titles and bodies per language, kept in step by the worker."""

    id = models.PositiveBigIntegerField(primary_key=True)  # the helpdesk's own id
    category_id = models.PositiveBigIntegerField(default=0)
    title = models.JSONField(default=dict)  # {"en": ..., "ru": ..., "uk": ...}
    body = models.JSONField(default=dict)  # the helpdesk's HTML per language (sanitised when shown)
    updated = models.CharField(max_length=32, blank=True)  # the helpdesk's date_updated
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return next(iter(self.title.values()), str(self.id)) if self.title else str(self.id)


class ArticleCount(models.Model):
    """How suggestions did on one form in one week: counts only, nothing of any person."""

    form_slug = models.SlugField(max_length=100)
    week = models.DateField(help_text=_("The Monday of the week."))
    shown = models.PositiveIntegerField(default=0)  # suggestions shown (a list with any)
    opened = models.PositiveIntegerField(default=0)  # an article opened from a suggestion
    answered = models.PositiveIntegerField(default=0)  # "This answered my question"
    # ... and yet a ticket came from the same form page afterwards: not a deflection.
    answered_then_filed = models.PositiveIntegerField(default=0)
    filed_after_opening = models.PositiveIntegerField(default=0)  # tickets filed after opening one

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["form_slug", "week"], name="one_count_per_form_week")
        ]
        ordering = ["-week", "form_slug"]
        verbose_name = _("article suggestions of a week")
        verbose_name_plural = _("article suggestions by week")

    def __str__(self) -> str:
        return f"{self.form_slug} {self.week}"

    @property
    def deflected(self) -> int:
        """Questions answered by an article, with no ticket from that form page after all."""
        return max(0, self.answered - self.answered_then_filed)
