"""TicketsClient: the only code in the portal that speaks HTTP to the tickets API.

Answers are turned into return values (the `data` of the envelope) or the typed exceptions of
errors.py. A POST is never sent twice: the only retry is for a connection that could not be made
at all.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError
from urllib3.util.retry import Retry

from portal import __version__

from ..lib.values import as_int, as_list
from .errors import (
    ApiBadAnswer,
    ApiError,
    ApiOutcomeUnknown,
    ApiRejected,
    ApiUnavailable,
    ListCutShort,
    is_ban,
    messages_of,
)
from .governor import INTERACTIVE, get_governor
from .pacing import Pacer

logger = logging.getLogger(__name__)

USER_AGENT = f"ticket-portal/{__version__} python-requests/{requests.__version__}"
# Connection attempts only: urllib3 retries a connect error before anything was sent.
# read=False re-raises a read error at once, so a sent POST is never repeated.
CONNECT_RETRIES = Retry(
    total=None, connect=2, read=False, redirect=0, status=0, other=0, backoff_factor=0.3,
    allowed_methods=None, raise_on_status=False,
)  # fmt: skip


MAX_PAGES = 1000  # a pagination that never ends is a broken answer, not a reason to loop
POST_PAGES = 20  # 600 posts: a conversation longer than that is read no further


def _no_auth(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """An auth hook that adds no credentials: it stands in for the session's."""
    return request


# Errors raised before anything was sent: a bad URL or header in the configuration.
NOT_SENT = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidHeader,
)


def _last_page(pagination: Any, first_size: int, size: int) -> int:
    if not isinstance(pagination, Mapping):
        return 1
    total_pages = as_int(pagination.get("total_pages"))
    if total_pages:
        return total_pages
    total, per_page = as_int(pagination.get("total")), as_int(pagination.get("per_page"))
    if total is not None and per_page:
        return max(1, -(-total // per_page))
    # No word on the end: go on while pages come full.
    return MAX_PAGES if size >= first_size else 1


@dataclass(frozen=True)
class Upload:
    """A file to send: its name, content type and an open binary stream."""

    name: str
    content_type: str
    stream: IO[bytes]


def flatten(value: Any, prefix: str) -> Iterator[tuple[str, str]]:
    """Bracket-style form keys for a nested value: custom_fields[100][1]=198, tags[0]=x."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from flatten(item, f"{prefix}[{key}]")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from flatten(item, f"{prefix}[{index}]")
    elif isinstance(value, bool):
        yield prefix, "1" if value else "0"
    elif value is None:
        yield prefix, ""
    else:
        yield prefix, str(value)


class TicketsClient:
    """A client for one API account. Thread-safe for the portal's use (one session a client)."""

    def __init__(
        self,
        base_url: str,
        email: str,
        api_key: str,
        connect_timeout: float = 3.05,
        read_timeout: float = 20.0,
        pacer: Pacer | None = None,
        governed: bool = True,
        purpose: str = INTERACTIVE,
        wait: float = 0,
    ):
        """`governed`: every request takes a permit of the rate governor first, for `purpose`
        (interactive or background), waiting up to `wait` seconds for one."""
        self.base_url = base_url.rstrip("/") + "/"
        self.pacer = pacer
        self.governed = governed
        self.purpose = purpose
        self.wait = wait
        self.timeout = (connect_timeout, read_timeout)
        self.session = requests.Session()
        self.session.auth = (email, api_key)
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        adapter = HTTPAdapter(max_retries=CONNECT_RETRIES)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        # The environment's proxy (HTTPS_PROXY, NO_PROXY) and CA bundle (REQUESTS_CA_BUNDLE) for
        # the API's address, read once: requests would read and parse them at every request.
        self.session.proxies.update(requests.utils.get_environ_proxies(self.base_url))
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        self.session.verify = bundle or True
        self.session.trust_env = False

    def __repr__(self) -> str:  # never shows the key
        return f"<TicketsClient {self.base_url}>"

    @classmethod
    def from_settings(cls, pacer: Pacer | None = None, **options: Any) -> TicketsClient:
        return cls(
            settings.TICKETS_API_URL,
            settings.TICKETS_API_EMAIL,
            settings.TICKETS_API_KEY,
            settings.TICKETS_API_CONNECT_TIMEOUT,
            settings.TICKETS_API_READ_TIMEOUT,
            pacer,
            **options,
        )

    # --- The API's operations -------------------------------------------------------------------
    def create_ticket(self, payload: Mapping[str, Any], files: Iterable[Upload] = ()) -> dict:
        """POST /tickets/: JSON, or multipart with `files[N]` when there are files."""
        files = list(files)
        if not files:
            return self._request("POST", "tickets/", json=payload)
        form = [pair for key, value in payload.items() for pair in flatten(value, key)]
        parts = [
            (f"files[{i}]", (f.name, f.stream, f.content_type or "application/octet-stream"))
            for i, f in enumerate(files)
        ]
        return self._request("POST", "tickets/", data=form, files=parts)

    def get_ticket(self, ticket_id: int | str) -> dict:
        return self._request("GET", f"tickets/{ticket_id}/")

    def ticket_posts(self, ticket_id: int | str) -> list[Any]:
        """GET /tickets/{id}/posts/: the ticket's public conversation, every page, as the API
        gives it (helpdesk/posts.py reads it). Never the comments: those are the agents'."""
        return self.get_all(f"tickets/{ticket_id}/posts/", max_pages=POST_PAGES, whole=True)

    def add_post(
        self, ticket_id: int | str, text: str, user_id: int | None, files: Iterable[Upload] = ()
    ) -> dict:
        """POST /tickets/{id}/posts/: a post on the ticket, the client's when `user_id` is
        theirs; multipart with `files[N]` when there are files."""
        body: dict[str, Any] = {"text": text}
        if user_id:
            body["user_id"] = user_id
        files = list(files)
        if not files:
            return self._request("POST", f"tickets/{ticket_id}/posts/", json=body)
        form = [pair for key, value in body.items() for pair in flatten(value, key)]
        parts = [
            (f"files[{i}]", (f.name, f.stream, f.content_type or "application/octet-stream"))
            for i, f in enumerate(files)
        ]
        return self._request("POST", f"tickets/{ticket_id}/posts/", data=form, files=parts)

    def open_file(self, url: str) -> requests.Response:
        """A file of a post, as a streamed response the caller closes. The account's credentials
        go only to the API's own origin: a file elsewhere is fetched without them."""
        if url.startswith("/"):
            url = urljoin(self.base_url, url)
        same_origin = urlsplit(url)[:2] == urlsplit(self.base_url)[:2]
        governor = get_governor() if self.governed else None
        if governor:
            governor.take(self.purpose, self.wait)
        try:
            response = self.session.get(
                url,
                timeout=self.timeout,
                stream=True,
                allow_redirects=False,
                auth=None if same_origin else _no_auth,
            )
        except requests.RequestException as exc:
            logger.warning("A post's file: %s", type(exc).__name__)
            raise ApiUnavailable("the helpdesk did not give the file") from None
        if response.status_code != 200:
            response.close()
            logger.warning("A post's file answered %s", response.status_code)
            raise ApiUnavailable(f"the helpdesk answered {response.status_code} for the file")
        return response

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET any API path; returns the envelope's `data`."""
        return self._request("GET", path.lstrip("/"), params)

    def get_all(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        max_pages: int | None = None,
        whole: bool = False,
    ) -> list[Any]:
        """Every item of a paginated list, page by page; data keyed by id or a plain list.

        The last page is known from `total_pages`, else from `total` and `per_page`, else it is
        the first page shorter than the first one (an answer without pagination is one page).
        Past `max_pages` the items read so far are returned, unless the list must be `whole`:
        then ListCutShort.
        """
        items: list[Any] = []
        first_size = None
        for page in range(1, (max_pages or MAX_PAGES) + 1):
            body = self._request("GET", path.lstrip("/"), {**(params or {}), "page": page}, True)
            data = as_list(body["data"]) if body["data"] is not None else None
            if data is None:
                raise ApiBadAnswer(f"{path} page {page}: data is neither a list nor an object")
            if page > 1 and data and data == items[-len(data) :]:
                raise ApiBadAnswer(f"{path}: page {page} repeats the page before it")
            items.extend(data)
            first_size = first_size or len(data)
            if not data or page >= _last_page(body.get("pagination"), first_size, len(data)):
                return items
        if max_pages and whole:
            raise ListCutShort(f"{path}: more than {max_pages} pages")
        if max_pages:
            logger.warning("%s: read the first %s pages only", path, max_pages)
            return items
        raise ApiBadAnswer(f"{path}: more than {MAX_PAGES} pages")

    # --- One exchange -----------------------------------------------------------------------------
    def _request(
        self, method: str, path: str, params=None, envelope: bool = False, **kwargs: Any
    ) -> Any:
        """One exchange; the envelope's `data`, or the whole envelope when asked."""
        url = self.base_url + path
        if self.pacer:
            self.pacer.before()
        governor = get_governor() if self.governed else None
        if governor:
            governor.take(self.purpose, self.wait)
        try:
            # A redirect would turn a POST into a GET of somewhere else: never follow one.
            response = self.session.request(
                method, url, params=params, timeout=self.timeout, allow_redirects=False, **kwargs
            )
        except requests.RequestException as exc:
            logger.warning("API %s %s: %s", method, path, type(exc).__name__)
            raise self._transport_error(exc) from None
        if self.pacer:
            self.pacer.after(response)
        if governor:
            headers = response.headers
            self._tell(
                governor.note_answer,
                as_int(headers.get("X-Rate-Limit")),
                as_int(headers.get("X-Rate-Limit-Remaining")),
            )
        body = self._read(method, path, response)
        return body if envelope else body["data"]

    @staticmethod
    def _tell(note, *args) -> None:
        """Tell the governor what the API said; its store failing must not turn an answer (a
        filed ticket) into an error: the next take() reports the store."""
        try:
            note(*args)
        except Exception as error:
            logger.error("The rate governor could not note the answer: %s", type(error).__name__)

    def _transport_error(self, exc: requests.RequestException) -> ApiError:
        """Sort a failed exchange by whether the request may have reached the API."""
        if isinstance(exc, requests.ConnectTimeout):
            return ApiUnavailable("the API did not accept a connection in time")
        if isinstance(exc, requests.ReadTimeout):
            return ApiOutcomeUnknown(f"no answer within {self.timeout[1]:g} seconds")
        if isinstance(exc, requests.exceptions.SSLError):
            return ApiUnavailable("the secure connection to the API failed")
        if isinstance(exc, NOT_SENT):
            return ApiUnavailable(f"the request could not be made ({type(exc).__name__})")
        # A connection that was never made (refused, unknown host) wraps NewConnectionError;
        # anything else broke after the request may have been sent.
        reason = exc.args[0] if exc.args else None
        reason = getattr(reason, "reason", reason)
        if isinstance(exc, requests.ConnectionError) and isinstance(reason, NewConnectionError):
            return ApiUnavailable("the API could not be reached")
        return ApiOutcomeUnknown("the connection broke before an answer came")

    def _read(self, method: str, path: str, response: requests.Response) -> Any:
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        said_all = messages_of(body)
        # An `s-` code is a success in the errors list (a delete answers s-204): only the rest fail.
        messages = [m for m in said_all if not m.code.lower().startswith("s-")]
        if 200 <= status < 300 and not messages:
            if said_all and isinstance(body, Mapping):
                return {"data": None, **body}
            if not isinstance(body, Mapping) or "data" not in body:
                logger.warning("API %s %s: %s without a data envelope", method, path, status)
                raise ApiOutcomeUnknown(f"the API answered {status} with no data", status=status)
            return body
        # The codes and fields alone: an API message may quote what a person typed.
        said = [f"{m.code or '?'}({m.field})" if m.field else m.code or "?" for m in messages]
        logger.warning("API %s %s answered %s: %s", method, path, status, said)
        if status >= 500 and method == "POST" and status != 503:
            # A server error or a gateway's timeout after the request arrived: it may have been
            # carried out. Only 503 says the request was not taken on.
            raise ApiOutcomeUnknown(f"the API answered {status}", messages, status)
        if self.governed and is_ban(messages):
            self._tell(lambda: get_governor().note_ban())
        elif self.governed and status == 429:
            self._tell(lambda: get_governor().note_too_many())
        if status >= 500 or status == 429 or is_ban(messages):
            raise ApiUnavailable(f"the API answered {status}", messages, status)
        if status in (401, 403):
            # The portal's own account is refused: a configuration problem, not the person's.
            logger.error(
                "API %s %s: the portal's API account is refused (%s)", method, path, status
            )
            raise ApiUnavailable(
                f"the API refused the portal's account ({status})", messages, status
            )
        if 200 <= status < 300:  # a success status with an errors list: the API said no
            raise ApiRejected("the API refused the request", messages, status)
        if 300 <= status < 400:
            raise ApiUnavailable(f"the API answered a redirect ({status})", messages, status)
        raise ApiRejected(f"the API answered {status}", messages, status)


def background_wait() -> float:
    """How long background work (a delivery, the schema sync) waits for the governor's permit
    before it is put off (TICKETS_API_BACKGROUND_WAIT)."""
    return settings.TICKETS_API_BACKGROUND_WAIT


_clients: dict[tuple, TicketsClient] = {}
_clients_lock = threading.Lock()


def get_client(purpose: str = INTERACTIVE, wait: float = 0) -> TicketsClient:
    """The client for the configured account, for a purpose (interactive or background) and the
    longest wait for the governor's permit: one per configuration (one connection pool)."""
    key = (
        settings.TICKETS_API_URL,
        settings.TICKETS_API_EMAIL,
        settings.TICKETS_API_KEY,
        settings.TICKETS_API_CONNECT_TIMEOUT,
        settings.TICKETS_API_READ_TIMEOUT,
        purpose,
        wait,
    )
    client = _clients.get(key)
    if client is None:
        with _clients_lock:
            client = _clients.setdefault(key, TicketsClient(*key[:5], purpose=purpose, wait=wait))
    return client


def close_clients() -> None:
    """Close every client's pooled connections (tests, and a worker that stops)."""
    with _clients_lock:
        for client in _clients.values():
            client.session.close()
