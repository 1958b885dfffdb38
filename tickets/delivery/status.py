"""What a person sees of their submission: four plain states, whatever delivery is doing."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Submission

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


@dataclass(frozen=True)
class Status:
    state: str
    reference: str
    unique_id: str

    @property
    def final(self) -> bool:
        """Nothing will change without a person: the page stops asking."""
        return self.state != "received"

    def as_json(self) -> dict:
        return {
            "state": self.state,
            "reference": self.reference,
            "uniqueId": self.unique_id,
            "final": self.final,
        }


def status_of(submission: Submission) -> Status:
    return Status(PUBLIC[submission.state], submission.reference, submission.unique_id)
