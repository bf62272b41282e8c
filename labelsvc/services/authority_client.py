"""A site's HTTP client of its serial authority: JSON over stdlib http.client.

Every way the authority cannot be had (refused connection, DNS, timeout, a proxy's HTML
error page) is one :class:`~labelsvc.domain.errors.Unavailable` ``authority-unreachable``,
so callers say so in one line and labelling from existing leases goes on; a refused token
is ``authority-token-refused``. Any other problem answer is returned to the caller to read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from http.client import HTTPConnection, HTTPException, HTTPSConnection
from typing import Any
from urllib.parse import urlencode, urlsplit

from labelsvc import __version__
from labelsvc.domain.errors import Forbidden, InvalidInput, Unavailable

API = "/api/v1"


@dataclass(frozen=True)
class Answer:
    """The authority's status and JSON body."""

    status: int
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class AuthorityClient:
    """Talks to ``base_url`` (``http(s)://host:port``) as a site, with its bearer token."""

    base_url: str
    token: str
    timeout: float = 10.0

    def get(self, path: str, **query: Any) -> Answer:
        """GET ``/api/v1<path>?query``."""
        shown = {k: v for k, v in query.items() if v is not None}
        return self.call("GET", path + (f"?{urlencode(shown)}" if shown else ""))

    def post(self, path: str, body: dict[str, Any]) -> Answer:
        """POST a JSON body to ``/api/v1<path>``."""
        return self.call("POST", path, body)

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Answer:
        """One exchange; unreachable and token refusals raise, other answers return."""
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidInput("authority-url-invalid",
                               f"{self.base_url!r} is not an http:// or https:// URL.")  # fmt: skip
        kind = HTTPSConnection if parts.scheme == "https" else HTTPConnection
        conn = kind(parts.hostname, parts.port, timeout=self.timeout)
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json",
                   "User-Agent": f"labelsvc/{__version__}"}  # fmt: skip
        if data is not None:
            headers["Content-Type"] = "application/json"
        try:
            conn.request(method, parts.path.rstrip("/") + API + path, data, headers)
            response = conn.getresponse()
            raw = response.read()
        except (OSError, HTTPException) as exc:  # TimeoutError is an OSError
            raise self._unreachable(f"{type(exc).__name__}: {exc}") from exc
        finally:
            conn.close()
        try:
            answer = Answer(response.status, json.loads(raw) if raw else {})
        except ValueError as exc:
            raise self._unreachable(f"HTTP {response.status}, not JSON") from exc
        if answer.status in (401, 403) and answer.body.get("code") not in _OWN_REFUSALS:
            raise Forbidden(
                "authority-token-refused",
                f"The authority at {self.base_url} refused this site's token "
                f"({answer.body.get('detail', answer.status)}); link again with the token "
                "'labelsvc authority site add' printed.",
            )
        return answer

    def _unreachable(self, why: str) -> Unavailable:
        return Unavailable(
            "authority-unreachable",
            f"authority-unreachable: {self.base_url} cannot be reached ({why}); labelling goes on "
            "from this site's leases, and it is asked again later.",
            authority=self.base_url,
        )


# 403 answers about the request, not the token (the token is a site's and was accepted)
_OWN_REFUSALS = {"lease-not-yours", "site-not-yours"}
