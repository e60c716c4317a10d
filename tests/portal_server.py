"""A server on loopback that answers like the national portal's reporting API, from the shipped
captures (raw/index766/): it checks the method, path and payload, pages its lists by the page
size asked, and can be told to fail (502, a timeout, an HTML page, `code` not OK, a short page)."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

SHIPPED = Path(__file__).resolve().parent.parent / "raw" / "index766"
PHU_THO = "019d2be3-6a88-732b-8b17-b68020c8553a"  # rootDepartmentId of Phú Thọ (H44, official code 25)
PERIOD_KEYS = {"year": {"year"}, "quarter": {"year", "quarter"}, "month": {"year", "month"}}


def answers() -> dict[str, bytes]:
    """group → the shipped capture's bytes, as the portal sent them."""
    found = {}
    for path in SHIPPED.glob("*.json"):
        scope, _, group, _ = path.stem.split("_")
        found[group] = path.read_bytes()
    return found


@dataclass
class Portal:
    """What the server does: its failures to come (group → list of 'fail502', 'timeout', 'html',
    'not_ok', 'short'), and every request it saw (path, payload)."""

    failures: dict[str, list[str]] = field(default_factory=dict)
    always_failing: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    edits: dict[str, list[tuple[bytes, bytes]]] = field(default_factory=dict)  # group → (old, new) in its answer
    seen: list[tuple[str, dict]] = field(default_factory=list)
    url: str = ""


def _check(group: str, payload: dict) -> str | None:
    """Why a payload is not one the portal's pages send, or None."""
    if group == "service-results":
        kind = payload.get("timeType")
        if kind not in PERIOD_KEYS or payload.get("departmentType") != "ADMINISTRATIVE_UNIT":
            return "national: timeType and departmentType"
        return None if PERIOD_KEYS[kind] <= payload.keys() else "national: period fields"
    if payload.get("rootDepartmentId") != PHU_THO or not isinstance(payload.get("pageSize"), int):
        return "rootDepartmentId and pageSize"
    if group == "handling-satisfaction":
        return None if {"fromDate", "toDate"} <= payload.keys() and "timeType" not in payload else "fromDate/toDate"
    kind = payload.get("timeType")
    return None if kind in PERIOD_KEYS and PERIOD_KEYS[kind] <= payload.keys() else "timeType and its fields"


def _handler(portal: Portal, bodies: dict[str, bytes]) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the http.server name)
            payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            group = self.path.rsplit("/", 1)[-1]
            portal.seen.append((self.path, payload))
            time.sleep(portal.delay_s)
            if not self.path.startswith("/api/v1/reporting/evaluation/") or group not in bodies:
                return self._send(404, b'{"code":"NOT_FOUND"}')
            if (why := _check(group, payload)) is not None:
                return self._send(400, json.dumps({"code": "BAD_REQUEST", "message": why}).encode())
            planned = portal.failures.get(group) or []
            failure = planned.pop(0) if planned else portal.always_failing.get(group)
            if failure == "fail502":
                return self._send(502, b"<html>Bad Gateway</html>", "text/html")
            if failure == "timeout":
                time.sleep(3)
                return self._send(504, b"")
            if failure == "html":
                return self._send(200, b"<!doctype html><html><body>Dang nhap / Log in</body></html>", "text/html")
            if failure == "not_ok":
                return self._send(201, b'{"code":"UNAUTHORIZED","message":"token","data":null}')
            body = bodies[group]
            for old, new in portal.edits.get(group, []):
                body = body.replace(old, new)
            doc = json.loads(body)
            paging = doc["data"].get("pagination")
            size = payload.get("pageSize", 0)
            if paging is not None and (failure == "short" or size < paging["total"]):
                shown = doc["data"]["evaluation"][: min(size, paging["total"] - 1) if failure == "short" else size]
                doc["data"]["evaluation"] = shown
                doc["data"]["pagination"] = {**paging, "pageSize": size, "totalPages": -(-paging["total"] // max(size, 1))}
                body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
            self._send(201, body)

        def _send(self, status: int, body: bytes, kind: str = "application/json; charset=utf-8") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client is gone: a capture killed half-way, or one that timed out on purpose

        def log_message(self, *args) -> None:
            pass

    return Handler


@contextmanager
def running_portal() -> Iterator[Portal]:
    """The server on a free loopback port for the block; `portal.url` is its base URL."""
    portal = Portal()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(portal, answers()))
    portal.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield portal
    finally:
        server.shutdown()
        server.server_close()
