"""What a customer's ticket page shows once the ticket is filed: its status, its public
conversation, the files in it and a box to reply (the box's POST is customer._reply); a file of
the conversation, fetched from the helpdesk on the server and streamed.

The key in the address is the only access (no account, no cookie), as on the status page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from django.conf import settings
from django.http import Http404, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ..delivery import conversations
from ..forms.reply import ReplyForm
from ..helpdesk.client import get_client
from ..helpdesk.errors import ApiError
from ..helpdesk.governor import FOLLOWING
from ..lib.html import agent_html
from ..models import Conversation, Submission
from ..schema.service import get_schema

logger = logging.getLogger(__name__)
FILE_CHUNK = 64 * 1024


@dataclass(frozen=True)
class PostShown:
    """One post of the conversation, as the page shows it."""

    id: int
    mine: bool
    author: str
    at: datetime
    html: SafeString
    files: tuple[tuple[int, str], ...]  # (number in the conversation, name)


@dataclass(frozen=True)
class ReplyShown:
    """A reply the person sent that the conversation does not show yet."""

    text: str
    at: datetime
    state: str
    files: tuple[str, ...]


def status_name(status_id: str) -> str:
    """The helpdesk's name of a status in the person's language, else the portal's words."""
    for reference in get_schema().references.get("statuses", ()):
        if str(reference.id) == status_id and (name := reference.name.get()):
            return name
    words = {"open": _("Open"), "process": _("In progress"), "closed": _("Closed")}
    return words.get(status_id, status_id)


def posts_shown(conversation: Conversation) -> list[PostShown]:
    """The conversation oldest first: who wrote, when, the text made safe, the files by number."""
    shown, number = [], 0
    image, earlier = _("Image not shown"), _("Earlier messages")
    for post in conversation.posts:
        mine = bool(conversation.client_id) and post["user_id"] == conversation.client_id
        files = []
        for item in post["files"]:
            number += 1
            files.append((number, item["name"]))
        shown.append(
            PostShown(
                id=post["id"],
                mine=mine,
                author=_("You") if mine else _agent(post.get("agent", "")),
                at=datetime.fromisoformat(post["at"]),
                html=agent_html(post["text"], image, earlier),
                files=tuple(files),
            )
        )
    return shown


def _agent(name: str) -> str:
    return _("Support (%(name)s)") % {"name": name} if name else _("Support")


def replies_pending(submission: Submission, conversation: Conversation) -> list[ReplyShown]:
    """The person's replies that the conversation as read does not hold yet."""
    posted = {p["id"] for p in conversation.posts}
    return [
        ReplyShown(r.text, r.created_at, r.state, tuple(a.name for a in r.attachments.all()))
        for r in submission.replies.prefetch_related("attachments")
        if r.post_id not in posted
    ]


def conversation_context(
    submission: Submission,
    reply_form: ReplyForm | None = None,
    embed: bool = False,
    read: bool = True,
) -> dict:
    """What the page shows of a filed ticket beyond its status (nothing before it is filed).
    `read`: the API may be asked when what is kept is not fresh (not for an open page's own
    updates, static/js/conversation.js: the worker keeps those fresh)."""
    conversation = conversations.for_page(submission, read)
    if conversation is None:
        return {}
    faded = conversation.closed_at is not None and timezone.now() - conversation.closed_at > (
        timedelta(days=settings.TICKETS_PAGE_CLOSED_DAYS)
    )
    route = "tickets:embed_reply" if embed else "tickets:reply"
    context = {
        "conversation": conversation,
        "ticket_status": status_name(conversation.status_id) if conversation.status_id else "",
        "faded": faded,
        "as_of": conversation.read_at,
        "stale": not conversation.read_at
        or timezone.now() - conversation.read_at > timedelta(seconds=60),
    }
    if faded:
        return context
    context["posts"] = posts_shown(conversation)
    context["pending"] = replies_pending(submission, conversation)
    context["reply_url"] = reverse(route, kwargs={"key": submission.public_key})
    if reply_form is not None:  # sent and refused: shown again with what was typed
        context["reply_form"] = reply_form
    elif not conversation.closed:
        context["reply_form"] = ReplyForm(reference=submission.reference)
    return context


def is_closed(submission: Submission) -> bool:
    """Whether the helpdesk has closed the ticket, as last read."""
    conversation = Conversation.objects.filter(submission=submission).first()
    return bool(conversation and conversation.closed)


def file_response(submission: Submission, number: int) -> StreamingHttpResponse:
    """The `number`th file of the ticket's conversation, fetched from the helpdesk on the server
    (its credentials never reach the browser) and streamed as a download, up to the size cap."""
    conversation = Conversation.objects.filter(submission=submission).first()
    files = [f for post in (conversation.posts if conversation else ()) for f in post["files"]]
    if not 1 <= number <= len(files):
        raise Http404(_("There is no such file."))
    chosen = files[number - 1]
    try:
        upstream = get_client(FOLLOWING, 5).open_file(chosen["url"])
    except ApiError as error:
        logger.warning("A file of ticket %s could not be fetched: %s", submission.api_id, error)
        raise Http404(_("The helpdesk cannot give this file just now.")) from None
    limit = int(settings.TICKETS_MAX_FILE_MB * 1024 * 1024) * 4

    def chunks():
        sent = 0
        try:
            for chunk in upstream.iter_content(FILE_CHUNK):
                sent += len(chunk)
                if sent > limit:
                    logger.warning("A file of ticket %s is over the cap", submission.api_id)
                    return
                yield chunk
        finally:
            upstream.close()

    response = StreamingHttpResponse(chunks(), content_type="application/octet-stream")
    name = chosen["name"].replace('"', "").replace("\\", "") or "file"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name, safe='')}"
    response["X-Content-Type-Options"] = "nosniff"
    if (length := upstream.headers.get("Content-Length", "")).isdigit() and int(length) <= limit:
        response["Content-Length"] = length
    return response
