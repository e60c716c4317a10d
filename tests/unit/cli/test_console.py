"""The terminal of a run: a Prefect server answering at the local default address is used."""

from __future__ import annotations

import http.server
import os
import threading

import pytest

from tthc.cli.console import LOCAL_PREFECT_API, use_local_prefect_server


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the http.server name)
        self.send_response(200 if self.path == "/api/health" else 404)
        self.end_headers()
        self.wfile.write(b"true")

    def log_message(self, *args) -> None:
        pass


def test_a_server_at_the_local_default_address_is_used_when_none_is_set(monkeypatch):
    try:
        server = http.server.HTTPServer(("127.0.0.1", 4200), _Health)
    except OSError:
        pytest.skip("port 4200 is taken here (a Prefect server of one's own?)")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
        assert use_local_prefect_server() is None  # one set by the user wins
        monkeypatch.delenv("PREFECT_API_URL")
        assert use_local_prefect_server() == LOCAL_PREFECT_API == "http://127.0.0.1:4200/api"
        assert os.environ["PREFECT_API_URL"] == LOCAL_PREFECT_API
    finally:
        server.shutdown()
        server.server_close()
    monkeypatch.delenv("PREFECT_API_URL")
    assert use_local_prefect_server() is None  # nothing answers: a temporary server, as before
