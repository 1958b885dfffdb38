"""One real HTTP server on 127.0.0.1 for tests that need an API that misbehaves, a canned API or
a host site: `answer(request)` gives (status, content type, body) for each request."""

from __future__ import annotations

import socket
import ssl
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


# (status, content type, body), or None: the connection is reset without an answer.
Answer = Callable[[Request], tuple[int, str, bytes] | None]


@contextmanager
def stub_server(
    answer: Answer, tls: ssl.SSLContext | None = None, keep_alive: bool = False
) -> Iterator[tuple[str, list[Request]]]:
    """Yields the server's base URL ("http://127.0.0.1:PORT", https with `tls`) and the requests
    it has seen. `keep_alive`: HTTP/1.1 connections that stay open, as a real API's do."""
    seen: list[Request] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"
        # Headers and body leave at once: Nagle's wait for an ACK would add 40 ms an exchange,
        # the stub's delay, never the portal's.
        disable_nagle_algorithm = True

        def _handle(self):
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(self.command, self.path, dict(self.headers), self.rfile.read(length))
            seen.append(request)
            answered = answer(request)
            if answered is None:
                # A reset (RST), as a proxy or a crashed server gives: linger 0, then close.
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.close_connection = True
                self.connection.close()
                return
            status, content_type, body = answered
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _handle

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.handle_error = lambda request, address: None  # a reset connection is the point
    if tls:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        scheme = "https" if tls else "http"
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
