"""`tthc capture766`: the Decision 766 index captured from the national portal, as offices did by hand.

The requests are those the portal's own pages make (seed/index766/province_H44/manifest.m0.json):
`POST <portal>/api/v1/reporting/evaluation/<group>` with the period and the province's root
department, and `…/service-results` for the national file. A plain HTTP client is enough: the
portal's reporting API answers JSON to a POST without a session (the public capture projects
differ only in how they reach the front page, which these endpoints do not need); the headers
and the base URL stay configurable (TTHC_PORTAL_URL, TTHC_PORTAL_HEADERS as JSON).

Each answer is saved byte-exact under contract §1.5's name, written atomically; a list the
portal cut short is asked again with a page size that holds every unit, and never written short.
"""

from __future__ import annotations

import calendar
import json
import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

PUBLIC_PORTAL = "https://dichvucong.gov.vn"
NATIONAL_GROUP = "service-results"
NATIONAL_SCOPE = "00"
# The page size each group's page asks for (the manifest); raised when a list holds more units.
FIRST_PAGE_SIZE = {"dvc-progress-tree": 100, "formality-online-payment-tree": 100}
DEFAULT_PAGE_SIZE = 200
# handling-satisfaction is asked by dates, the others by timeType and its numbers.
BY_DATES = ("handling-satisfaction",)
DEFAULT_HEADERS = {"Content-Type": "application/json", "Accept": "application/json",
                   "User-Agent": "tthc-warehouse (capture766)"}
_PERIOD = re.compile(r"(?P<year>\d{4})(?:-Q(?P<quarter>[1-4])|-(?P<month>0[1-9]|1[0-2]))?")


class CaptureError(RuntimeError):
    """One request could not be captured; the message names it, in Vietnamese and English."""


@dataclass(frozen=True)
class Request:
    """One capture: where it is posted, with what, and the contract name it is saved under."""

    scope: str  # the province's official code, or 00 for the national file
    period: str  # 2026, 2026-Q3 or 2026-08: the portal's calendar period
    group: str  # the file group of contract §1.5 (transparency, …, service-results)
    payload: dict[str, Any] = field(hash=False)

    @property
    def path(self) -> str:
        return f"/api/v1/reporting/evaluation/{self.group}"

    def file_name(self, captured_on: date) -> str:
        return f"{self.scope}_{self.period}_{self.group}_{captured_on.isoformat()}.json"

    def describe(self) -> str:
        return f"POST {self.path} {json.dumps(self.payload, ensure_ascii=False, sort_keys=True)}"


def period_fields(period: str, by_dates: bool) -> dict[str, Any]:
    """The payload fields of a period: timeType and its numbers, or fromDate and toDate."""
    match = _PERIOD.fullmatch(period)
    if match is None:
        raise ValueError(f"period {period!r} is not YYYY, YYYY-Qn or YYYY-MM")
    year = int(match["year"])
    if match["quarter"]:
        quarter = int(match["quarter"])
        first, last = date(year, 3 * quarter - 2, 1), date(year, 3 * quarter, calendar.monthrange(year, 3 * quarter)[1])
        fields: dict[str, Any] = {"timeType": "quarter", "year": year, "quarter": quarter}
    elif match["month"]:
        month = int(match["month"])
        first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        fields = {"timeType": "month", "year": year, "month": month}
    else:
        first, last = date(year, 1, 1), date(year, 12, 31)
        fields = {"timeType": "year", "year": year}
    return {"fromDate": first.isoformat(), "toDate": last.isoformat()} if by_dates else fields


def current_periods(day: date, kinds: list[str]) -> list[str]:
    """`year`, `quarter`, `month` on `day` as the portal's periods; explicit periods stay as given."""
    named = {"year": f"{day.year}", "quarter": f"{day.year}-Q{(day.month - 1) // 3 + 1}", "month": f"{day:%Y-%m}"}
    return [named.get(kind, kind) for kind in kinds]


def national_request(period: str) -> Request:
    return Request(NATIONAL_SCOPE, period, NATIONAL_GROUP,
                   {**period_fields(period, by_dates=False), "departmentType": "ADMINISTRATIVE_UNIT"})


def province_requests(scope: str, root_department_id: str, period: str, groups: list[str]) -> list[Request]:
    """The province's group files for `period`, with the manifest's payloads."""
    return [
        Request(scope, period, group, {
            **period_fields(period, by_dates=group in BY_DATES), "rootDepartmentId": root_department_id,
            "currentPage": 1, "pageSize": FIRST_PAGE_SIZE.get(group, DEFAULT_PAGE_SIZE),
        })
        for group in groups
    ]


@dataclass(frozen=True)
class Portal:
    """How the portal is reached: base URL, headers, a timeout, a polite pace, retries with backoff."""

    base_url: str = PUBLIC_PORTAL
    headers: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_HEADERS))
    timeout_s: float = 60.0
    pace_s: float = 1.0  # between requests
    retries: int = 3  # more attempts after a timeout or a 5xx answer
    backoff_s: float = 2.0  # doubled at each retry

    def post(self, request: Request, payload: dict[str, Any], sleep: Callable[[float], None] = time.sleep) -> bytes:
        """The portal's answer to one POST, as sent; CaptureError when it cannot be had."""
        body = json.dumps(payload).encode("utf-8")
        for attempt in range(self.retries + 1):
            http = urllib.request.Request(self.base_url.rstrip("/") + request.path, data=body, method="POST",
                                          headers=self.headers)
            try:
                with urllib.request.urlopen(http, timeout=self.timeout_s) as answer:
                    return answer.read()
            except urllib.error.HTTPError as err:
                if err.code < 500 or attempt == self.retries:
                    raise _failed(request, f"HTTP {err.code}") from err
            except (TimeoutError, urllib.error.URLError, ConnectionError) as err:
                if attempt == self.retries:
                    raise _failed(request, f"không trả lời / no answer ({err})") from err
            sleep(self.backoff_s * 2 ** attempt)
        raise AssertionError("unreachable")


def _failed(request: Request, why: str) -> CaptureError:
    return CaptureError(f"cổng dịch vụ công không trả {request.group} ({request.scope}, {request.period}): {why} / "
                        f"the portal did not answer {request.describe()}: {why}")


def _units(data: dict[str, Any]) -> int:
    return len(data.get("evaluation") or data.get("children") or [])


def capture(portal: Portal, request: Request, sleep: Callable[[float], None] = time.sleep) -> bytes:
    """The answer to `request`, whole: its JSON envelope checked, a paged list asked again with a
    page size that holds every unit. CaptureError (naming the request) otherwise."""
    payload = dict(request.payload)
    for _ in range(3):
        body = portal.post(request, payload, sleep)
        try:
            doc = json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            start = body[:80].decode("utf-8", errors="replace").strip()
            raise _failed(request, f"không phải JSON / not the portal's JSON ({start!r}…)") from None
        if not isinstance(doc, dict) or doc.get("code") != "OK" or not isinstance(doc.get("data"), dict):
            code = doc.get("code") if isinstance(doc, dict) else type(doc).__name__
            raise _failed(request, f"code {code!r}, không phải OK / not OK")
        paging = doc["data"].get("pagination")
        total = paging.get("total") if isinstance(paging, dict) else None
        if not isinstance(total, int) or _units(doc["data"]) >= total:
            return body
        payload = {**payload, "pageSize": total, "currentPage": 1}  # one page for every unit
    raise _failed(request, f"danh sách vẫn thiếu đơn vị / the list is still cut short ({total} units)")


def save(raw_dir: Path, request: Request, body: bytes, captured_on: date) -> Path | None:
    """Write the answer under its contract name, atomically; None when it is byte-identical to
    the latest earlier capture of the same scope, period and group (nothing new to load)."""
    folder = raw_dir / "index766"
    folder.mkdir(parents=True, exist_ok=True)
    earlier = sorted(folder.glob(f"{request.scope}_{request.period}_{request.group}_*.json"))
    if earlier and earlier[-1].read_bytes() == body:
        return None
    target = folder / request.file_name(captured_on)
    tmp = folder / f".{target.name}.part"  # never under a contract name: a run never reads half a capture
    try:
        tmp.write_bytes(body)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def remove_unfinished(raw_dir: Path) -> list[Path]:
    """Remove what a killed capture left (a hidden .part file), before capturing again."""
    left = sorted((raw_dir / "index766").glob(".*.json.part"))
    for path in left:
        path.unlink(missing_ok=True)
    return left


def portal_from(base_url: str | None, headers_json: str | None, pace_s: str | None = None) -> Portal:
    """The portal the settings name (TTHC_PORTAL_URL, TTHC_PORTAL_HEADERS as a JSON object,
    TTHC_PORTAL_PACE_S seconds between requests)."""
    headers = {**DEFAULT_HEADERS, **(json.loads(headers_json) if headers_json else {})}
    return Portal(base_url=base_url or PUBLIC_PORTAL, headers=headers, pace_s=float(pace_s) if pace_s else 1.0)
