"""Mail to named people through the office's SMTP server (TTHC_SMTP_URL): receipts to the
mailbox's senders, and each province's alerts to its contacts. (TTHC_NOTIFY's Apprise URLs
send to fixed addresses; these go to whoever the message is for.)"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from tthc.settings import Settings


@dataclass(frozen=True)
class Smtp:
    """Where mail is sent from: smtp://[user@]host[:port] (STARTTLS when offered) or smtps://."""

    host: str
    port: int
    secure: bool
    user: str | None
    password: str | None = field(repr=False, default=None)
    sender: str = ""


def smtp_from(url: str, password: str | None, sender: str) -> Smtp:
    """TTHC_SMTP_URL, its password (TTHC_SMTP_PASSWORD) and the address mail comes from."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("TTHC_SMTP_URL is smtp://[user@]host[:port] or smtps://…")
    secure = parts.scheme == "smtps"
    return Smtp(parts.hostname, parts.port or (465 if secure else 25), secure,
                unquote(parts.username) if parts.username else None, password, sender)


def smtp_of(settings: Settings, default_sender: str = "") -> Smtp | None:
    """The SMTP server of the settings (TTHC_SMTP_URL; None when unset), sending as TTHC_SMTP_FROM,
    else as `default_sender`, else as the server's user."""
    url = settings.smtp_url
    if not url:
        return None
    sender = settings.smtp_from or default_sender or (unquote(urlsplit(url).username or "") or "tthc@localhost")
    return smtp_from(url, settings.smtp_password, sender)


def letter(to: str, subject: str, body: str, in_reply_to: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["Subject"], message["To"] = subject, to
    if in_reply_to:
        message["In-Reply-To"] = message["References"] = in_reply_to
    message["Message-ID"] = make_msgid(domain="tthc.local")
    message.set_content(body)
    return message


def send(smtp: Smtp, message: EmailMessage) -> None:
    """One message through the SMTP server; raises OSError or smtplib.SMTPException."""
    message["From"] = smtp.sender
    client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=30) if smtp.secure else smtplib.SMTP(smtp.host, smtp.port, timeout=30)
    with client:
        if not smtp.secure:
            client.ehlo()
            if client.has_extn("starttls"):
                client.starttls()
        if smtp.user and smtp.password:
            client.login(smtp.user, smtp.password)
        client.send_message(message)


def mail_provinces(smtp: Smtp, messages: dict[str, tuple[str, str]], contacts: dict[str, frozenset[str]]) -> tuple[list[str], list[str]]:
    """Each (subject, body) to the contacts of its key (a province, or a province's unit); the addresses reached, and the delivery
    errors (never raises: alerts never fail a run)."""
    reached, errors = [], []
    for code, (subject, body) in messages.items():
        for address in sorted(contacts.get(code, ())):
            try:
                send(smtp, letter(address, subject, body))
                reached.append(address)
            except Exception as err:  # noqa: BLE001 - a delivery error is recorded, not raised
                errors.append(f"{address}: not delivered ({type(err).__name__}: {err})")
    return reached, errors
