"""Real servers for the tests, each of its own on a free port in a temporary directory: Redis
and PostgreSQL from Debian's packages. `make test` installs them where it can; where one is
missing its tests are skipped, but under CI (CI=true) they fail, since there they must run."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def postgres_bin() -> Path | None:
    """Debian's PostgreSQL programs (initdb, pg_ctl), the newest installed; None when absent."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port} after {timeout} s")


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (and its key), for a TLS stub API: a day's, made by openssl."""
    cert, key = directory / "api.crt", directory / "api.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
         "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def children(pid: int) -> list[int]:
    """The processes `pid` started (gunicorn's workers under its master, ...)."""
    found = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                           text=True)  # fmt: skip
    return [int(p) for p in found.stdout.split()]


def missing(what: str, hint: str) -> None:
    """Skip a test whose server is missing; under CI, fail it."""
    import pytest

    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing: under CI these tests must run")
    pytest.skip(f"{what} is missing ({hint})")


def need_redis() -> None:
    if not Path(REDIS_SERVER).exists():
        missing("redis-server", "make test installs it where it can")


@contextmanager
def redis_server(directory: Path) -> Iterator[str]:
    """A Redis server of its own on a free port; yields its URL."""
    port = free_port()
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(10)


def _as_postgres_user(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; Debian's package brings a `postgres` account for it.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


class PostgresServer:
    """A PostgreSQL server of its own (a fresh cluster, trust auth on loopback, fsync off: a
    test's data need not survive a crash); `url` names a database whose role may create more.
    `stop()` and `start()` take it away and bring it back, as an outage would."""

    def __init__(self, directory: Path):
        programs = postgres_bin()
        if programs is None:
            raise FileNotFoundError("PostgreSQL is not installed (Debian's package postgresql)")
        self.pg_ctl = str(programs / "pg_ctl")
        self.data = directory / "pgdata"
        directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(directory, "postgres")
        subprocess.run(
            _as_postgres_user([str(programs / "initdb"), "-D", str(self.data), "-U", "portal",
                               "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.port = free_port()
        self.url = f"postgres://portal@127.0.0.1:{self.port}/portal"
        self.start()
        subprocess.run(
            _as_postgres_user([str(programs / "createdb"), "-h", "127.0.0.1", "-p",
                               str(self.port), "-U", "portal", "portal"]),
            check=True,
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -h 127.0.0.1 -k {self.data} -c fsync=off -c full_page_writes=off"
        subprocess.run(
            _as_postgres_user([self.pg_ctl, "-D", str(self.data), "-o", options, "-w", "-l",
                               str(self.data / "server.log"), "start"]),
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def stop(self) -> None:
        subprocess.run(
            _as_postgres_user([self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"]),
            stdout=subprocess.DEVNULL, check=False,
        )  # fmt: skip


def need_postgres() -> None:
    if postgres_bin() is None:
        missing("PostgreSQL", "make test installs Debian's postgresql where it can")


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    # A directory of its own that the postgres account can reach (pytest's are private to root).
    with tempfile.TemporaryDirectory(prefix="portal-pg-") as scratch:
        os.chmod(scratch, 0o755)
        server = PostgresServer(Path(scratch) / "pg")
        try:
            yield server
        finally:
            server.stop()
