"""Small real servers for the channel protocols, started in this process on free ports.

The adapters are tested against these the way they talk to the real providers: SMTP over a socket, JSON
and form posts over HTTP. Each fixture yields a server object with `.host`, `.port` (and `.url`),
`.received` (what reached it), knobs to make it fail, `.settings` (the channel's part of
`Tenant.settings["channels"]`, pointing at this server; `.channels` the whole dict) and
`.configure(tenant)` to point a tenant at it (a plain UPDATE, rolled back with the test; a test that
commits must put the settings back itself).

    from tests.servers import smtp_server, sms_server, whatsapp_server  # noqa: F401  (pytest fixtures)

    def test_something(in_tenant_a, whatsapp_server):
        whatsapp_server.configure(in_tenant_a)
        whatsapp_server.fail_next(2)                      # two HTTP 500s, then accepted
        whatsapp_server.reject_next("(#131026) Message undeliverable", code=131026)
        whatsapp_server.after_answer = lambda body: ...   # runs once the answer has left
"""
from __future__ import annotations

from abc import ABC, abstractmethod
import email
import email.policy
import hashlib
import hmac
import itertools
import json
import logging
import socket
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from django.db import connection

LOCALHOST = "127.0.0.1"
# aiosmtpd logs every session at INFO and a deprecation of its own at WARNING: noise in test output.
logging.getLogger("mail.log").setLevel(logging.ERROR)
# Provider ids unique across every server of a test run (Message.provider_message_id is unique).
_provider_ids = itertools.count(1)


def unused_port() -> int:
    """A port with nothing listening on it (for "the server is down")."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCALHOST, 0))
        return sock.getsockname()[1]


def sign_webhook(body: bytes, app_secret: str) -> str:
    """The `X-Hub-Signature-256` header Meta puts on a webhook body, signed with an app's secret."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def point_tenant_at(tenant, channel: str, settings: dict) -> None:
    from dealix.tenancy.models import Tenant

    merged = dict(tenant.settings or {})
    merged["channels"] = {**(merged.get("channels") or {}), channel: dict(settings)}
    Tenant.objects.filter(pk=tenant.pk).update(settings=merged)
    tenant.settings = merged
    current = getattr(connection, "tenant", None)
    if current is not None and current is not tenant and getattr(current, "pk", None) == tenant.pk:
        current.settings = merged


class _Configurable(ABC):
    """What every imitation offers a test to point a tenant at it."""

    channel = ""

    @property
    @abstractmethod
    def settings(self) -> dict:
        """The channel settings (`Tenant.settings["channels"][channel]`) that point at this server."""

    @property
    def channels(self) -> dict:
        """`Tenant.settings["channels"]` for a tenant that uses only this server."""
        return {self.channel: self.settings}

    def configure(self, tenant) -> None:
        point_tenant_at(tenant, self.channel, self.settings)


# --- SMTP --------------------------------------------------------------------------------------------

@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list
    data: bytes  # the message exactly as it came over the wire

    def parsed(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


class SmtpServer(_Configurable):
    """aiosmtpd on a free port, with a login (no TLS: it is loopback) and per-recipient refusals.
    AUTH is offered, not demanded (aiosmtpd warns about demanding it without TLS); `.logins` says
    whether the client logged in, and a wrong password is refused with 535."""

    channel = "email"

    def __init__(self, *, username: str = "dealix", password: str = "smtp-secret"):
        self.host = LOCALHOST
        self.port = unused_port()
        self.username, self.password = username, password
        self.received: list[ReceivedMail] = []
        self.logins: list[str] = []
        self.refusals: dict[str, str] = {}
        self._controller = Controller(
            _SmtpHandler(self), hostname=self.host, port=self.port, authenticator=self._authenticate,
            auth_require_tls=False)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def refuse(self, address: str, code: int = 550, text: str = "5.1.1 Mailbox unavailable") -> None:
        """Answer RCPT TO:<address> with `code` (550: permanent, 450: try later)."""
        self.refusals[address.lower()] = f"{code} {text}"

    def messages(self) -> list[email.message.EmailMessage]:
        return [mail.parsed() for mail in self.received]

    @property
    def settings(self) -> dict:
        return {"host": self.host, "port": self.port, "username": self.username, "password": self.password,
                "use_tls": False, "use_ssl": False, "from_email": "sales@tenant-a.test",
                "from_name": "شركة الأفق"}

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == self.username
              and auth_data.password.decode() == self.password)
        if ok:
            self.logins.append(self.username)
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    def start(self):
        self._controller.start()
        return self

    def stop(self):
        self._controller.stop()


class _SmtpHandler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = self.server.refusals.get(address.lower())
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.server.received.append(ReceivedMail(
            mail_from=envelope.mail_from, rcpt_tos=list(envelope.rcpt_tos),
            data=envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"


# --- HTTP providers ----------------------------------------------------------------------------------

@dataclass
class ReceivedRequest:
    path: str
    headers: dict
    body: bytes
    data: dict = field(default_factory=dict)  # the JSON body, or the form's fields


class _HttpImitation(_Configurable):
    """A ThreadingHTTPServer on a free port whose POSTs go to `self.answer(request) -> (status, dict)`.
    Knobs shared by the providers: `fail_next(n, status)` and `after_answer`, a hook called with the
    request's data after a successful answer has been sent and flushed (the provider "accepted")."""

    def __init__(self):
        self.received: list[ReceivedRequest] = []
        self.after_answer = None
        self._failures: list[int] = []
        self._lock = threading.Lock()
        imitation = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = ReceivedRequest(path=self.path, headers=dict(self.headers.items()),
                                          body=self.rfile.read(length))
                status, answer = imitation._handle(request)
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                self.wfile.flush()
                if status < 400 and imitation.after_answer is not None:
                    imitation.after_answer(request.data)

            def log_message(self, format, *args):  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer((LOCALHOST, 0), Handler)
        self._server.daemon_threads = True
        self.host, self.port = self._server.server_address[:2]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        """Answer the next `count` requests with `status` (500, 503, 429…) before accepting again."""
        with self._lock:
            self._failures.extend([status] * count)

    def _handle(self, request: ReceivedRequest) -> tuple[int, dict]:
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            return failure, self.failure_answer(failure)
        return self.answer(request)

    def failure_answer(self, status: int) -> dict:
        return {"error": {"message": "Service temporarily unavailable", "code": 2}}

    @abstractmethod
    def answer(self, request: ReceivedRequest) -> tuple[int, dict]:
        """The provider's answer to an accepted request: (HTTP status, JSON body)."""

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()


class WhatsAppServer(_HttpImitation):
    """Meta's Cloud API, as far as sending goes: `POST /v21.0/<phone_number_id>/messages` with the bearer
    token, answered like Meta (`messages[0].id` = "wamid.<n>"), with Meta's error shape on failure."""

    channel = "whatsapp"
    version = "v21.0"

    def __init__(self):
        super().__init__()
        self.phone_number_id = "106540352242922"
        self.access_token = "EAAtest-access-token"
        self.app_secret = "whatsapp-app-secret"
        self.verify_token = "verify-me-please"
        self._rejections: list[tuple[int, dict]] = []

    @property
    def bodies(self) -> list[dict]:
        """The JSON bodies received, in order."""
        return [request.data for request in self.received]

    def reject_next(self, message: str, *, code: int = 100, status: int = 400, details: str = "") -> None:
        """Refuse the next request as Meta does (e.g. 131026 undeliverable, 132001 template missing)."""
        error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf123"}
        if details:
            error["error_data"] = {"messaging_product": "whatsapp", "details": details}
        with self._lock:
            self._rejections.append((status, {"error": error}))

    @property
    def settings(self) -> dict:
        return {"api_base": f"{self.url}/{self.version}", "phone_number_id": self.phone_number_id,
                "access_token": self.access_token, "app_secret": self.app_secret,
                "verify_token": self.verify_token}

    def sign(self, body: bytes) -> str:
        """The `X-Hub-Signature-256` header Meta puts on a webhook with this body for this app."""
        return sign_webhook(body, self.app_secret)

    def failure_answer(self, status: int) -> dict:
        return {"error": {"message": "Service temporarily unavailable. Please retry your request.",
                          "type": "OAuthException", "code": 2, "fbtrace_id": "AbCdEf123"}}

    def answer(self, request: ReceivedRequest) -> tuple[int, dict]:
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            return 401, {"error": {"message": "Invalid OAuth access token - Cannot parse access token",
                                   "type": "OAuthException", "code": 190, "fbtrace_id": "AbCdEf123"}}
        if request.path != f"/{self.version}/{self.phone_number_id}/messages":
            return 400, {"error": {"message": f"Unsupported post request. Object with ID '{request.path}' "
                                              "does not exist", "type": "GraphMethodException", "code": 100}}
        try:
            request.data = json.loads(request.body.decode("utf-8"))
        except ValueError:
            return 400, {"error": {"message": "(#100) Invalid JSON", "type": "OAuthException", "code": 100}}
        self.received.append(request)
        with self._lock:
            rejection = self._rejections.pop(0) if self._rejections else None
        if rejection is not None:
            return rejection
        data = request.data
        kind = data.get("type")
        if data.get("messaging_product") != "whatsapp" or not data.get("to") or kind not in data:
            return 400, {"error": {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100}}
        to = str(data["to"])
        return 200, {"messaging_product": "whatsapp",
                     "contacts": [{"input": to, "wa_id": to.lstrip("+")}],
                     "messages": [{"id": f"wamid.{next(_provider_ids)}"}]}


class SmsServer(_HttpImitation):
    """A Unifonic-style SMS API: `POST /rest/SMS/messages`, form-encoded UTF-8, JSON answer."""

    channel = "sms"
    path = "/rest/SMS/messages"

    def __init__(self):
        super().__init__()
        self.app_sid = "unifonic-app-sid"
        self.sender_id = "TenantA"
        self._rejections: list[tuple[int, dict]] = []

    @property
    def forms(self) -> list[dict]:
        """The form fields received, in order (one value per field)."""
        return [request.data for request in self.received]

    def reject_next(self, message: str, *, error_code: str = "ER-10", status: int = 200) -> None:
        with self._lock:
            self._rejections.append((status, {"success": False, "message": message, "errorCode": error_code,
                                              "data": None}))

    @property
    def settings(self) -> dict:
        return {"api_url": f"{self.url}{self.path}", "app_sid": self.app_sid, "sender_id": self.sender_id}

    def failure_answer(self, status: int) -> dict:
        return {"success": False, "message": "Internal server error", "errorCode": "ER-500", "data": None}

    def answer(self, request: ReceivedRequest) -> tuple[int, dict]:
        if request.path != self.path:
            return 404, {"success": False, "message": "Not found", "errorCode": "ER-404", "data": None}
        try:
            # form-encoded bodies are ASCII; anything else is a client that did not encode its UTF-8
            fields = urllib.parse.parse_qs(request.body.decode("ascii"), encoding="utf-8", errors="strict",
                                           keep_blank_values=True)
        except (UnicodeDecodeError, ValueError):
            return 400, {"success": False, "message": "Malformed form body", "errorCode": "ER-02", "data": None}
        request.data = {key: values[0] for key, values in fields.items()}
        if request.data.get("AppSid") != self.app_sid:
            return 401, {"success": False, "message": "Wrong AppSid", "errorCode": "ER-01", "data": None}
        self.received.append(request)
        with self._lock:
            rejection = self._rejections.pop(0) if self._rejections else None
        if rejection is not None:
            return rejection
        if not request.data.get("Recipient", "").isdigit() or not request.data.get("Body"):
            return 200, {"success": False, "message": "Invalid recipient or empty body", "errorCode": "ER-03",
                         "data": None}
        return 200, {"success": True, "message": "", "errorCode": "ER-00", "data": {
            "MessageID": next(_provider_ids), "CorrelationID": request.data.get("CorrelationID", ""),
            "Status": "Queued", "NumberOfUnits": 1, "Recipient": request.data["Recipient"]}}


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def whatsapp_server():
    server = WhatsAppServer().start()
    yield server
    server.stop()


@pytest.fixture
def sms_server():
    server = SmsServer().start()
    yield server
    server.stop()
