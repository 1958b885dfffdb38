"""One log line for every change of a submission's state, named by its reference alone.

`TP-XXXXX-XXXXX received`, `... sending (from queued)`, `... filed as SBX-0001`: what an operator
follows a ticket by, in plain lines or (LOG_FORMAT=json) JSON lines whose `reference`, `state`,
`from_state` and `why` fields a log system can index. Never a person's data: no email, no title,
no API message (those may echo what was typed), only the kind of error.
"""

from __future__ import annotations

import logging

logger = logging.getLogger("tickets.submissions")


def changed(reference: str, state: str, from_state: str = "", why: str = "", **extra) -> None:
    """Log that the submission `reference` is now in `state`."""
    parts = [reference, state]
    if extra.get("unique_id"):
        parts.append(f"as {extra['unique_id']}")
    if from_state:
        parts.append(f"(from {from_state})")
    if why:
        parts.append(f"[{why}]")
    fields = {"reference": reference, "state": state, "from_state": from_state, "why": why}
    logger.info(" ".join(parts), extra={**fields, **extra})
