"""The test suite on PostgreSQL and Redis: `python tests/on_postgres.py [pytest arguments]`.

Starts a PostgreSQL server and a Redis server of their own (tests/servers.py), points the portal
at them (DATABASE_URL, REDIS_URL) and runs pytest; stops both after. `make test` runs the
integration and delivery tests this way, beside the whole suite on SQLite. Where either server is
missing it says so and passes, except under CI, where it fails.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.servers import REDIS_SERVER, postgres_bin, postgres_server, redis_server


def main(arguments: list[str]) -> int:
    absent = [name for name, there in (("PostgreSQL", postgres_bin()),
                                       ("redis-server", Path(REDIS_SERVER).exists())) if not there]  # fmt: skip
    if absent:
        print(f"On PostgreSQL + Redis: not run, {' and '.join(absent)} missing.")
        return 1 if os.environ.get("CI") == "true" else 0
    with (
        tempfile.TemporaryDirectory(prefix="portal-redis-") as scratch,
        postgres_server() as database,
        redis_server(Path(scratch)) as redis,
    ):
        env = {**os.environ, "DATABASE_URL": database.url, "REDIS_URL": redis}
        with subprocess.Popen([sys.executable, "-m", "pytest", *arguments], env=env) as tests:
            # make test runs this beside the main suite and stops it with TERM: its pytest is
            # interrupted as by Ctrl-C (it tears its fixtures down), then the servers stop.
            signal.signal(signal.SIGTERM, lambda *_: tests.send_signal(signal.SIGINT))
            return tests.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
