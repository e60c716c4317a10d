"""End-to-end tests share the session's Prefect server, in process and in every subprocess, and
start the loopback servers they talk to."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email.policy import default as default_policy

import pytest


@pytest.fixture(scope="session", autouse=True)
def _session_prefect_server(prefect_server: str) -> str:
    return prefect_server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def smtp_server() -> Iterator[tuple[int, list[email.message.EmailMessage]]]:
    """A real SMTP server on loopback (aiosmtpd): its port, and the messages it received."""
    from aiosmtpd.controller import Controller

    received: list[email.message.EmailMessage] = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            received.append(email.message_from_bytes(envelope.content, policy=default_policy))
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port, received
    controller.stop()
