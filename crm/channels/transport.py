"""One HTTP POST for the adapters that speak HTTPS (WhatsApp, SMS), on the standard library alone.

Network trouble (refused, reset, timed out, DNS) is a `TransientSendError`; any HTTP answer, success or
not, comes back as (status, body) for the adapter to read in its provider's terms.
"""
from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request

from crm.channels.base import TransientSendError

DEFAULT_TIMEOUT_SECONDS = 15
USER_AGENT = "Dealix/1.0"


def post(url: str, *, data: bytes, headers: dict, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"User-Agent": USER_AGENT, **headers})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()
    except (TimeoutError, urllib.error.URLError, http.client.HTTPException, OSError) as error:
        reason = getattr(error, "reason", error)
        raise TransientSendError(f"{url}: {reason}") from error


def json_or_empty(body: bytes) -> dict:
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
