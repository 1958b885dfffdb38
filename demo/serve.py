"""A sample support site for `make demo`: it embeds two portal forms with one script tag each.

It plays the host site's server too: it signs a `ctx` for its signed-in customer with the secret
it shares with the portal (EMBED_CONTEXT_SECRET), as README's Python example shows.
"""

import argparse
import base64
import hashlib
import hmac
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGE = Path(__file__).with_name("index.html")


def sign_context(data: dict, secret: str) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    signature = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}.{signature}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--portal", default="http://localhost:8000")
    parser.add_argument("--secret", default="")
    args = parser.parse_args()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path not in ("/", "/index.html"):
                self.send_error(404)
                return
            customer = {
                "exp": int(time.time()) + 3600,
                "email": "ada@example.com",
                "cf_96": "A-1815",
            }
            ctx = sign_context(customer, args.secret) if args.secret else ""
            body = PAGE.read_text().replace("{{PORTAL}}", args.portal).replace("{{CTX}}", ctx)
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    print(f"Sample support site: http://127.0.0.1:{args.port}/ (embeds {args.portal})", flush=True)
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
