"""The worker's tasks (Django's tasks API through django-tasks; its database backend by default).

The submission table is the outbox and the truth; a task is only a nudge. `deliver` makes the
attempt that is due on one submission; `post_reply` the one due on a reply; `sweep` runs every
SWEEP_EVERY seconds, re-queues what is due but has no task (a lost task, a worker that died
mid-attempt), keeps the followed conversations fresh and schedules itself again, so a lost task
never loses a ticket or a reply. `mail_link` mails a customer the link to their ticket's page once
it is filed (mailing.py); the sweep tries again what a lost task or a failed try left.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from ..abuse import throttles
from ..helpdesk.client import background_wait
from ..knowledge import sync as articles
from ..models import REPLY_WAITING, WAITING, Reply, Submission
from . import attempts, conversations, mailing, replies, retention, storage

logger = logging.getLogger(__name__)
State = Submission.State
SWEEP_EVERY = 30  # seconds
# A task that should have run this long ago and did not is taken for lost.
LOST_AFTER = timedelta(seconds=90)


@task()
def deliver(pk: int) -> str:
    """The attempt due on one submission; then its next one is scheduled, if it needs one."""
    # A worker waits for the rate governor's permit rather than failing.
    submission = attempts.deliver(pk, wait=background_wait())
    if submission is not None:
        schedule(submission)
        return submission.state
    return "not due"


def schedule(submission: Submission) -> None:
    """Queue the next attempt of a submission that is waiting for one, once the row is saved;
    for one just filed, the mail with its page's link, if one is wanted."""
    if submission.state == State.FILED and submission.link_mail_due_at is not None:
        pk = submission.pk
        transaction.on_commit(lambda: mail_link.enqueue(pk))
        return
    if submission.state not in WAITING:
        return
    run_after = submission.next_attempt_at or timezone.now()
    pk = submission.pk
    transaction.on_commit(lambda: deliver.using(run_after=run_after).enqueue(pk))


@task()
def post_reply(pk: int) -> str:
    """The attempt due on one reply; then its next one is scheduled, if it needs one."""
    reply = replies.deliver(pk, wait=background_wait())
    if reply is not None:
        schedule_reply(reply)
        return reply.state
    return "not due"


def schedule_reply(reply: Reply) -> None:
    """Queue the next attempt of a reply that is waiting for one, once the row is saved."""
    if reply.state not in REPLY_WAITING:
        return
    run_after = reply.next_attempt_at or timezone.now()
    pk = reply.pk
    transaction.on_commit(lambda: post_reply.using(run_after=run_after).enqueue(pk))


@task()
def mail_link(pk: int) -> str:
    """Mail a filed submission's customer the link to its page, once (delivery/mailing.py)."""
    return mailing.send_link(pk)


@task(priority=50)
def sweep() -> int:
    """Recover what a dead worker or a lost task left; returns how many it re-queued."""
    now = timezone.now()
    count = 0
    try:
        for stalled in attempts.take_over_stalled(now - lease()):
            schedule(stalled)
        count = _requeue_forgotten(now)
        replies.take_over_stalled(now - lease())
        for pk in replies.forgotten(now - LOST_AFTER):
            post_reply.enqueue(pk)
            count += 1
        # Links to tickets' pages not mailed yet: a lost task, a failed try, a dead worker's.
        _mail_forgotten(now)
        # The conversations people follow on their pages: what changed, once a minute.
        conversations.keep_fresh(wait=background_wait())
        # What people sent, past TICKETS_KEEP_CONTENT_DAYS once settled: erased, a batch a sweep.
        retention.erase_expired(now)
        # The knowledge base's public articles, when suggested: what changed, now and then.
        articles.keep_in_step(wait=background_wait())
        # Uploads of forms abandoned after an error: a few at a time, so a sweep stays short.
        storage.purge_abandoned(timedelta(seconds=settings.TICKETS_UPLOADS_KEEP_SECONDS), 200)
        DBTaskResult.objects.successful().filter(finished_at__lt=now - timedelta(days=1)).delete()
        # Throttle hits in the database outlive their windows until deleted (Redis expires them).
        throttles.sweep()
    finally:
        # Whatever happened, the sweep comes back (first among what is due: see its priority).
        sweep.using(run_after=now + timedelta(seconds=SWEEP_EVERY)).enqueue()
    if count:
        logger.warning("Sweep: re-queued %s submission(s)", count)
    return count


def lease() -> timedelta:
    """The longest a live attempt can be `sending`: two waits for the governor's permit, a
    look-up of up to three pages and the create, each with its connection retries and read."""
    exchange = 3 * settings.TICKETS_API_CONNECT_TIMEOUT + settings.TICKETS_API_READ_TIMEOUT
    return timedelta(seconds=2 * background_wait() + 4 * exchange + 60)


def _requeue_forgotten(now) -> int:
    forgotten = Submission.objects.waiting().filter(
        next_attempt_at__lt=now - LOST_AFTER
    ) | Submission.objects.filter(
        state=State.RECEIVED, next_attempt_at__isnull=True, created_at__lt=now - LOST_AFTER
    )
    count = 0
    for submission in forgotten:
        # Due again from now: the next sweep leaves it to this task for LOST_AFTER.
        Submission.objects.filter(pk=submission.pk).update(next_attempt_at=now)
        deliver.enqueue(submission.pk)
        count += 1
    return count


def _mail_forgotten(now) -> int:
    """Queue the mail of each link due for longer than a task takes to start (a few at a time:
    a sweep stays short)."""
    if not mailing.is_on():
        return 0
    forgotten = Submission.objects.link_mail_due(now - LOST_AFTER)
    due = list(forgotten.values_list("pk", flat=True)[:100])
    for pk in due:
        mail_link.enqueue(pk)
    if due:
        logger.info("Sweep: queued the mail of %s link(s) to tickets' pages", len(due))
    return len(due)


def sweep_is_scheduled() -> bool:
    """A sweep is waiting to run, or running now (one left RUNNING by a killed worker does not
    count once it is older than a lease)."""
    sweeps = DBTaskResult.objects.filter(task_path=f"{__name__}.sweep")
    return (
        sweeps.filter(status="READY").exists()
        or sweeps.filter(status="RUNNING", started_at__gt=timezone.now() - lease()).exists()
    )


def last_sweep():
    """When the sweep last finished: a worker that runs tasks is alive."""
    return (
        DBTaskResult.objects.successful()
        .filter(task_path=f"{__name__}.sweep")
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
