"""Benchmark: submissions accepted per second while the helpdesk's API is down.

The production stack on this machine (2 gunicorn workers with 4 threads, 2 delivery workers, one
SQLite database; tests/stack.py), the API URL pointing at a closed port. N people load the form
(for its token), then send it, 16 at a time; every POST must be accepted (a status page). The
figure is accepted POSTs a second (the form loads are not timed). Run: make bench
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.examples import EXAMPLE_POST
from tests.stack import ACCEPTED, form_token, free_port, portal_stack, post, states, submit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    down = f"http://127.0.0.1:{free_port()}/api/v2"  # nothing listens there
    with tempfile.TemporaryDirectory() as tmp, portal_stack(Path(tmp), down) as portal:
        for _ in range(20):  # warm up: the workers import, the schema loads, the API is found down
            submit(portal, EXAMPLE_POST)
        with ThreadPoolExecutor(args.concurrency) as pool:
            tokens = list(pool.map(lambda _: form_token(portal), range(args.submissions)))
            started = time.monotonic()
            codes = list(pool.map(lambda token: post(portal, EXAMPLE_POST, token), tokens))
            elapsed = time.monotonic() - started
        kept = states(Path(tmp))
    accepted = codes.count(ACCEPTED)
    print(f"API down: {accepted}/{len(codes)} accepted in {elapsed:.1f} s "
          f"= {accepted / elapsed:.0f} submissions/s ({args.concurrency} at a time)")  # fmt: skip
    print(f"kept: {kept}")
    if accepted != len(codes):
        sys.exit("not every submission was accepted")


if __name__ == "__main__":
    main()
