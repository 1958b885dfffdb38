"""What a person sees of their submission: four plain states, whatever delivery is doing."""

from __future__ import annotations

from ..models import Submission
from ..records import Status

State = Submission.State
# Delivery's states as a person reads them: it is filed, it is received and will be, or a person
# at support has it (rejected or out of time), or it was withdrawn.
PUBLIC = {
    State.FILED: "filed",
    State.RECEIVED: "received",
    State.QUEUED: "received",
    State.SENDING: "received",
    State.UNCERTAIN: "received",
    State.ATTENTION: "attention",
    State.CANCELLED: "cancelled",
}


def status_of(submission: Submission) -> Status:
    return Status(PUBLIC[submission.state], submission.reference, submission.unique_id)
