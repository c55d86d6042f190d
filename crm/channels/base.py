"""What every channel adapter is: one `send()` that speaks a real protocol and says what came of it.

The message service (crm.messaging) decides *whether* and *when* a message may go (consent, windows,
limits); an adapter only knows *how*. It gets an `Outgoing` (plain data, no model instance, so an
adapter never touches the database) and returns a `Sent` with the provider's id, or raises:

- `TransientSendError`: try again later (network down, 5xx, 429); the job retries 60 s × attempt.
- `PermanentSendError`: the provider refused this message (bad number, template rejected); retrying
  would not help, so the message fails with the provider's words.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field


class SendError(Exception):
    pass


class TransientSendError(SendError):
    pass


class PermanentSendError(SendError):
    pass


@dataclass(frozen=True)
class Outgoing:
    message_id: str          # our Message.pk; sent along as the provider's correlation id where it has one
    channel: str             # MessageChannel value
    to: str                  # E.164 phone for whatsapp/sms, an email address for email, a user id for in_app
    body: str                # the text as rendered (plain text)
    subject: str = ""        # email only
    language: str = "ar"     # the recipient's language: "ar" or "en"
    # WhatsApp approved template: {"name": ..., "language": "ar", "params": [..]}; empty for free text.
    template: dict = field(default_factory=dict)
    unsubscribe_url: str = ""  # email: the link in the body and in List-Unsubscribe
    attachments: tuple = ()  # email: (filename, bytes, mimetype) triples, e.g. the meeting's .ics
    is_first_sms: bool = False  # RULES.md §2: no link in the first SMS to a contact


@dataclass(frozen=True)
class Sent:
    provider_message_id: str
    # True when the provider already confirms delivery (the outbox and in-app channels).
    delivered: bool = False


class Channel(ABC):
    """One way out. `name` is what the UI shows ("WhatsApp Cloud API", "Outbox (not sent)")."""

    name = ""
    #: False for the offline outbox: the thread marks such messages "recorded, not sent".
    really_sends = True

    @abstractmethod
    def send(self, outgoing: Outgoing) -> Sent:
        """Hand the message to the provider; raise TransientSendError or PermanentSendError if it fails."""
