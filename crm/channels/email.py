"""Email over SMTP, through Django's mail machinery, with the tenant's own mail server.

Every email is a text part and an HTML part (the same words; Arabic right to left), ends with an
unsubscribe link (RULES.md §2) and carries the one-click `List-Unsubscribe` headers mail providers ask
bulk senders for. The `Message-ID` is made from our message id, so the provider id is ours and a bounce
or reply can be matched to the message without asking the server.
"""
from __future__ import annotations

import smtplib
from email import encoders
from email.mime.base import MIMEBase
from email.utils import formataddr

from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import SafeMIMEText
from django.utils import translation
from django.utils.html import escape, format_html, linebreaks
from django.utils.translation import gettext, gettext_lazy as _

from crm.channels.base import Channel, Outgoing, PermanentSendError, Sent, TransientSendError

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
DEFAULT_TIMEOUT_SECONDS = 20


class EmailChannel(Channel):
    name = _("SMTP")

    def __init__(self, config: dict, *, host: str):
        """`config` is `Tenant.settings["channels"]["email"]`; `host` the tenant's host name, the right
        half of every Message-ID."""
        self.config = config
        self.host = host

    def send(self, outgoing: Outgoing) -> Sent:
        message_id = f"<{outgoing.message_id}@{self.host}>"
        email = self.build(outgoing, message_id=message_id)
        try:
            email.send(fail_silently=False)
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError) as error:
            raise TransientSendError(_describe(error)) from error
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _text in error.recipients.values()]
            text = "; ".join(f"{address}: {_describe_reply(code, reply)}"
                             for address, (code, reply) in error.recipients.items())
            raise (PermanentSendError if codes and min(codes) >= 500 else TransientSendError)(text) from error
        except smtplib.SMTPResponseException as error:
            # sender refused, data refused, login refused: 5xx will not change on a retry, 4xx may
            raise (PermanentSendError if error.smtp_code >= 500 else TransientSendError)(
                _describe_reply(error.smtp_code, error.smtp_error)) from error
        except smtplib.SMTPNotSupportedError as error:
            # e.g. use_tls set but the server offers no STARTTLS: the settings need fixing first
            raise PermanentSendError(str(error)) from error
        except (TimeoutError, smtplib.SMTPException, OSError) as error:
            raise TransientSendError(_describe(error)) from error
        return Sent(provider_message_id=message_id)

    def build(self, outgoing: Outgoing, *, message_id: str) -> EmailMultiAlternatives:
        config = self.config
        headers = {"Message-ID": message_id}
        if outgoing.unsubscribe_url:
            headers["List-Unsubscribe"] = f"<{outgoing.unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        from_email = formataddr((config.get("from_name") or "", config["from_email"]))
        email = EmailMultiAlternatives(
            subject=outgoing.subject, body=self.text_body(outgoing), from_email=from_email,
            to=[outgoing.to], headers=headers, connection=self.connection())
        email.encoding = "utf-8"
        email.attach_alternative(self.html_body(outgoing), "text/html")
        for filename, content, mimetype in outgoing.attachments:
            email.attach(_attachment(filename, content, mimetype))
        return email

    def connection(self):
        config = self.config
        use_ssl = _flag(config.get("use_ssl"))
        use_tls = _flag(config.get("use_tls")) and not use_ssl
        port = config.get("port") or (465 if use_ssl else 587 if use_tls else 25)
        return get_connection(
            backend=SMTP_BACKEND, fail_silently=False, host=config["host"], port=int(port),
            username=config.get("username") or "", password=config.get("password") or "",
            use_tls=use_tls, use_ssl=use_ssl, timeout=float(config.get("timeout") or DEFAULT_TIMEOUT_SECONDS))

    @staticmethod
    def text_body(outgoing: Outgoing) -> str:
        if not outgoing.unsubscribe_url:
            return outgoing.body
        with translation.override(outgoing.language):
            foot = gettext("To stop receiving these emails, open: %(url)s") % {"url": outgoing.unsubscribe_url}
        return f"{outgoing.body.rstrip()}\n\n-- \n{foot}\n"

    @staticmethod
    def html_body(outgoing: Outgoing) -> str:
        language = outgoing.language if outgoing.language in ("ar", "en") else "ar"
        direction = "rtl" if language == "ar" else "ltr"
        foot = ""
        if outgoing.unsubscribe_url:
            with translation.override(language):
                foot = format_html(
                    '<hr><p style="font-size:small;color:#666">{} <a href="{}">{}</a></p>',
                    gettext("Don't want these emails?"), outgoing.unsubscribe_url, gettext("Unsubscribe"))
        return (f'<!DOCTYPE html>\n<html lang="{language}" dir="{direction}">\n'
                f'<head><meta charset="utf-8"><title>{escape(outgoing.subject)}</title></head>\n'
                f'<body dir="{direction}" style="text-align:{"right" if direction == "rtl" else "left"}">\n'
                f"{linebreaks(escape(outgoing.body))}\n{foot}\n</body>\n</html>\n")


def _attachment(filename: str, content, mimetype: str):
    """A MIME part for one attachment. Built here rather than by `EmailMessage.attach(name, content,
    type)` so a type with parameters (an invitation is `text/calendar; method=REQUEST`) keeps them."""
    mimetype = mimetype or "application/octet-stream"
    main, _slash, rest = mimetype.partition("/")
    subtype, *params = [part.strip() for part in rest.split(";")]
    if main == "text":
        text = content.decode("utf-8") if isinstance(content, bytes) else content
        part = SafeMIMEText(text, subtype, "utf-8")
    else:
        part = MIMEBase(main, subtype)
        part.set_payload(content.encode("utf-8") if isinstance(content, str) else content)
        encoders.encode_base64(part)
    for param in params:
        key, _eq, value = param.partition("=")
        if key:
            part.set_param(key.strip(), value.strip().strip('"'))
    part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", filename)
                    if not filename.isascii() else filename)
    return part


def _flag(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _describe_reply(code: int, reply) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {text}".strip()


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
