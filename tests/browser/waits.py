"""Waiting for a condition on a portal page.

Playwright's `wait_for_function` polls by `eval()` inside the page, which the portal's
Content-Security-Policy (`script-src 'self'`) refuses once the first check is false: the wait
then fails at once instead of waiting. These helpers evaluate from outside (DevTools), which no
page policy governs, and poll until the condition holds.
"""

from __future__ import annotations

import time

from playwright.sync_api import Error as PlaywrightError

POLL_SECONDS = 0.05


def wait_until(target, expression: str, timeout_ms: int = 30_000):
    """Evaluate `expression` in `target` (a page or frame) until it is truthy; return its value.
    A navigation meanwhile (the page's context destroyed under the evaluation) is waited out."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        try:
            value = target.evaluate(expression)
        except PlaywrightError as error:
            if "context was destroyed" not in str(error) and "navigat" not in str(error):
                raise
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true after {timeout_ms} ms: {expression}")
        time.sleep(POLL_SECONDS)
