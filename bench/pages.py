"""Benchmark: the form pages against a bare Django page, and a submission's cost.

Both sites run under the same gunicorn (`-w 2 -k gthread --threads 4`), the portal with
production settings (DEBUG=false, no sandbox, SQLite, no Redis) against a stub API over TLS that
answers every create after a fixed 50 ms. For each page, in 3 interleaved rounds, `wrk -t2 -c8`
with `Connection: close` for a few seconds: requests a second, p50/p99, and the server's CPU per
request (the gunicorn workers' own CPU time, from /proc, over the requests served), and a third
of the full submissions (GET the form, POST it: the answer is the status page) beyond the API's own
time: the 50 ms plus the stub's own work, as a plain client sees it for the same create (measured
first). Then: the memory of each worker after the run (RSS) and the bytes of a first visit of a
form (the page and every asset it names, gzip as a browser asks, headers included). Medians, with
the spread (min-max) of the rounds; every figure with its ratio to the bare page where one
applies.

Run: make bench (needs Debian's wrk: make bench installs it where it can).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import re
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.examples import EXAMPLE_POST  # noqa: E402
from tests.servers import children, free_port, self_signed_certificate, wait_for_port  # noqa: E402
from tests.stub_server import Request, stub_server  # noqa: E402

PYTHON = sys.executable
GUNICORN = ["-w", "2", "-k", "gthread", "--threads", "4", "--timeout", "60"]
API_LATENCY = 0.050
TICK = os.sysconf("SC_CLK_TCK")
TOKEN_RE = re.compile(r'name="form_token" value="([^"]+)"')


# --- The stub API: TLS, 50 ms a create ------------------------------------------------------------
@contextmanager
def tls_api(directory: Path):
    cert, key = self_signed_certificate(directory)
    created = itertools.count(1)

    def answer(request: Request) -> tuple[int, str, bytes]:
        if request.method == "GET":
            body = {"data": [], "pagination": {"total_pages": 1}}
            return 200, "application/json", json.dumps(body).encode()
        time.sleep(API_LATENCY)
        n = next(created)
        # The whole ticket, as the helpdesk's API answers a create.
        now = time.strftime("%Y-%m-%d %H:%M:%S")
        body = {"data": {"id": n, "unique_id": f"BN-{n:05d}", "status_id": "open", "user_id": 1,
                         "date_created": now, "date_updated": now, "title": "Bench"}}  # fmt: skip
        return 201, "application/json", json.dumps(body).encode()

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with stub_server(answer, tls=context, keep_alive=True) as (url, _seen):
        yield f"{url}/api/v2", cert


# --- The two sites --------------------------------------------------------------------------------
def portal_env(directory: Path, api_url: str, cert: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TICKETS_"))}
    env.update(
        ENV_FILE=str(directory / "none.env"),
        DEBUG="false",
        SECRET_KEY="bench-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        SANDBOX_ENABLED="false",
        DATABASE_URL=f"sqlite:///{directory / 'portal.sqlite3'}",
        REDIS_URL="",
        MEDIA_ROOT=str(directory / "media"),
        STATIC_ROOT=str(directory / "static"),
        TICKETS_API_URL=api_url,
        TICKETS_API_EMAIL="bench@example.com",
        TICKETS_API_KEY="bench-key",
        TICKETS_API_RATE_FILE=str(directory / "api-rate.sqlite3"),
        REQUESTS_CA_BUNDLE=str(cert),
        # The benchmark sends from one address, at once: the fill-time trap has tests of its own,
        # and the throttles count as in production (the same four windows) but never refuse.
        TICKETS_MIN_FILL_SECONDS="0",
        TICKETS_THROTTLE_ADDRESS="1000000/h,2000000/d",
        TICKETS_THROTTLE_FORM="1000000/h",
        TICKETS_THROTTLE_PORTAL="1000000/m",
        # Every ticket page after Send reads its posts, as in a minute of fewer new tickets than
        # the conversations' share (30 a minute by default): the submissions here come faster.
        TICKETS_API_FOLLOW_PER_MINUTE="200",
        LOG_LEVEL="WARNING",
    )
    return env


@contextmanager
def gunicorn(app: str, env: dict[str, str], log: Path):
    port = free_port()
    with log.open("w") as out:
        master = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", app, *GUNICORN, "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT, env=env, stdout=out, stderr=out,
        )  # fmt: skip
        try:
            wait_for_port(port, 60)
            yield f"http://127.0.0.1:{port}", master.pid
        finally:
            master.terminate()
            master.wait(30)


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- Measuring ------------------------------------------------------------------------------------
def wrk(url: str, seconds: int) -> dict[str, float]:
    done = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", "-H", "Connection: close", url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    out = done.stdout
    figures = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        "requests": int(re.search(r"(\d+) requests in", out)[1]),
    }
    for share in ("50", "99"):
        value, unit = re.search(rf"\s{share}%\s+([\d.]+)(us|ms|s)", out).groups()
        figures[f"p{share}"] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        sys.exit(f"{url}: {errors[1]} answers were errors:\n{out}")
    return figures


def page_run(url: str, master: int, seconds: int) -> dict[str, float]:
    pids = children(master)
    before = cpu_seconds(pids)
    figures = wrk(url, seconds)
    figures["cpu_ms"] = (cpu_seconds(pids) - before) * 1000 / figures["requests"]
    return figures


def fetch(url: str, gzip: bool = True) -> tuple[int, dict[str, str], bytes, int]:
    """(status, headers, body as sent, bytes on the wire with the status line and headers)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    connection.request("GET", path, headers={"Accept-Encoding": "gzip, br" if gzip else ""})
    answer = connection.getresponse()
    body = answer.read()
    head = len(f"HTTP/1.1 {answer.status} {answer.reason}\r\n") + sum(
        len(f"{k}: {v}\r\n") for k, v in answer.getheaders()
    )
    connection.close()
    return answer.status, dict(answer.getheaders()), body, head + len(body) + 2


def first_visit(base: str, path: str) -> tuple[int, int]:
    """Bytes over the wire for a page and every asset it names, and how many assets."""
    _status, headers, body, wire = fetch(base + path)
    html = body
    if headers.get("Content-Encoding") == "gzip":
        import gzip as gz

        html = gz.decompress(body)
    assets = set(re.findall(rb'(?:href|src)="(/static/[^"]+)"', html))
    total = wire
    for asset in assets:
        total += fetch(base + asset.decode())[3]
    return total, len(assets)


def api_own_time(api_url: str, cert: Path, count: int = 20) -> dict[str, float]:
    """Milliseconds the stub API takes to answer each request a submission makes of it (the
    create, then the ticket page's read of the new ticket's posts), as a plain client with a
    kept connection sees it (the create's fixed 50 ms, the stub's own parsing and TLS): the part
    of a submission that is the API's, not the portal's."""
    import requests

    asks = {
        "create": lambda session: session.post(
            f"{api_url}/tickets/", data=EXAMPLE_POST, verify=str(cert)
        ),
        "posts read": lambda session: session.get(
            f"{api_url}/tickets/1/posts/", params={"page": 1}, verify=str(cert)
        ),
    }
    own = {}
    with requests.Session() as session:
        for name, ask in asks.items():
            times = []
            for _ in range(count + 3):
                started = time.perf_counter()
                # verify= on the call: a session's own is overridden by REQUESTS_CA_BUNDLE.
                ask(session).raise_for_status()
                times.append((time.perf_counter() - started) * 1000)
            own[name] = statistics.median(times[3:])
    return own


def submission_overhead(
    base: str, count: int, api_ms: float
) -> tuple[list[float], dict[str, list[float]]]:
    """Milliseconds beyond the API's own time for each full submission: the form, then the POST
    (its inline attempt waits for the API) and the status page; and each step's own time."""
    overheads, steps = [], {"GET form": [], "POST and its status page": []}
    parts = urllib.parse.urlsplit(base)
    for _ in range(count):
        started = time.perf_counter()
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        connection.request("GET", "/forms/support/")
        page = connection.getresponse().read().decode()
        token = TOKEN_RE.search(page)[1]
        got = time.perf_counter()
        body = urllib.parse.urlencode({**EXAMPLE_POST, "form_token": token})
        connection.request("POST", "/forms/support/", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Origin": base})  # fmt: skip
        answer = connection.getresponse()
        page = answer.read()
        if answer.status == 303:  # accepted: sent to its status page
            connection.request("GET", answer.getheader("Location"))
            answer = connection.getresponse()
            page = answer.read()
        if answer.status != 200 or b"data-ticket-status" not in page:
            sys.exit(f"the submission was not accepted: {answer.status}")
        connection.close()
        done = time.perf_counter()
        overheads.append((done - started) * 1000 - api_ms)
        steps["GET form"].append((got - started) * 1000)
        steps["POST and its status page"].append((done - got) * 1000 - api_ms)
    return overheads, steps


def spread(values: list[float]) -> str:
    return f"{min(values):.1f}-{max(values):.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="each wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--submissions", type=int, default=30)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing (Debian's package wrk; make bench installs it where it can)")
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        directory = Path(tmp)
        api_url, cert = stack.enter_context(tls_api(directory))
        env = portal_env(directory, api_url, cert)
        manage = [PYTHON, "manage.py"]
        for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
            subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True)
        portal, portal_master = stack.enter_context(
            gunicorn("portal.wsgi", env, directory / "portal.log")
        )
        bare_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.bare.settings"}
        bare, bare_master = stack.enter_context(
            gunicorn("bench.bare.wsgi", bare_env, directory / "bare.log")
        )
        pages = {
            "bare Django page (3-field form)": (bare + "/", bare_master),
            "portal /forms/support/": (portal + "/forms/support/", portal_master),
            "portal /embed/support/": (portal + "/embed/support/", portal_master),
        }
        for url, master in pages.values():  # warm up: imports, the schema, template caches
            page_run(url, master, 1)
        api_own = api_own_time(api_url, cert)
        api_ms = sum(api_own.values())
        submission_overhead(portal, 5, api_ms)  # warm up the POST path
        runs: dict[str, list[dict]] = {name: [] for name in pages}
        overheads, steps, round_medians = [], {}, []
        for _ in range(args.rounds):
            for name, (url, master) in pages.items():
                runs[name].append(page_run(url, master, args.seconds))
            # Submissions in every round too: this machine's speed drifts from minute to minute.
            done, took = submission_overhead(
                portal, max(1, args.submissions // args.rounds), api_ms
            )
            overheads += done
            round_medians.append(statistics.median(done))
            for step, times in took.items():
                steps.setdefault(step, []).extend(times)
        memory = {"portal": [rss_mb(p) for p in children(portal_master)],
                  "bare": [rss_mb(p) for p in children(bare_master)]}  # fmt: skip
        visit, assets = first_visit(portal, "/forms/support/")
        bare_visit, _ = first_visit(bare, "/")
        memory_after = [rss_mb(p) for p in children(portal_master)]

    base = statistics.median(r["rps"] for r in runs["bare Django page (3-field form)"])
    print(f"{'page':34} {'req/s':>8} {'spread':>13} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'CPU ms/req':>10}")  # fmt: skip
    for name, results in runs.items():
        rps = [r["rps"] for r in results]
        print(f"{name:34} {statistics.median(rps):8.0f} {spread(rps):>13} "
              f"{statistics.median(rps) / base:6.2f} "
              f"{statistics.median(r['p50'] for r in results):7.1f} "
              f"{statistics.median(r['p99'] for r in results):7.1f} "
              f"{statistics.median(r['cpu_ms'] for r in results):10.1f}")  # fmt: skip
    print(
        f"first visit of /forms/support/: {visit / 1024:.1f} KB over the wire "
        f"({assets} assets; the bare page: {bare_visit / 1024:.1f} KB)"
    )
    own = " and ".join(f"the {name} {ms:.1f}" for name, ms in api_own.items())
    print(
        f"full submission beyond the API's own {api_ms:.1f} ms ({own}, as a plain client sees "
        f"them; the create's fixed {API_LATENCY * 1000:.0f} ms in it): median "
        f"{statistics.median(overheads):.1f} ms (spread {spread(overheads)}, "
        f"{len(overheads)} submissions; each round's median: "
        f"{', '.join(f'{m:.1f}' for m in round_medians)}); beyond the create's alone "
        f"{statistics.median(overheads) + api_own['posts read']:.1f} ms"
    )
    print("  of which: " + ", ".join(
        f"{step} {statistics.median(times):.1f} ms" for step, times in steps.items()
    ) + " (the API's own taken from the POST's step)")  # fmt: skip
    print(
        f"memory per worker after the run: portal {', '.join(f'{m:.0f}' for m in memory_after)}"
        f" MB (after the pages: {', '.join(f'{m:.0f}' for m in memory['portal'])}); bare "
        f"{', '.join(f'{m:.0f}' for m in memory['bare'])} MB"
    )


if __name__ == "__main__":
    main()
