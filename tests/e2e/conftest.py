"""End-to-end tests share the session's Prefect server, in process and in every subprocess."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _session_prefect_server(prefect_server: str) -> str:
    return prefect_server
