"""Alerts: short messages about a run, in Vietnamese with English below, sent through Apprise to
the URLs in TTHC_NOTIFY (e-mail, webhooks, chat). Sending never fails a run: a delivery error
is logged and kept in the run record, where `tthc results` shows it."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tthc.contract.provinces import named

MAX_ITEMS = 10  # files or findings named in one message; the rest are counted


@dataclass(frozen=True)
class Message:
    title: str
    body: str


def _listed(items: list[str]) -> list[str]:
    shown = [f"- {i}" for i in items[:MAX_ITEMS]]
    if len(items) > MAX_ITEMS:
        shown.append(f"- … và {len(items) - MAX_ITEMS} mục khác / and {len(items) - MAX_ITEMS} more")
    return shown


def _link(report_url: str) -> list[str]:
    """The line that points to the report site (TTHC_REPORT_URL), when it has an address."""
    return [f"Trang báo cáo / Report page: {report_url}/"] if report_url else []


def run_messages(record: dict[str, Any], previous: dict[str, Any] | None, report_url: str = "") -> list[Message]:
    """What a run has to tell: that it failed (and which tests), the files turned away (each with
    its reason), and the error findings the previous run did not have."""
    messages = []
    run = record["run_id"]
    if record.get("error") or not record["published"]:
        failed = [f"{t['test_name']} ({t['model']})" for t in record["tests"] if t["status"] in ("fail", "error")]
        why = [record["error"]] if record.get("error") else []
        messages.append(Message(
            f"TTHC: lần chạy {run} thất bại / run failed",
            "\n".join([
                "Kho dữ liệu chưa được cập nhật; bản đã công bố giữ nguyên.",
                *(["Kiểm thử lỗi:"] + _listed(failed) if failed else []), *why,
                "The warehouse was not updated; the published one stands."
                + (f" Failed tests: {', '.join(failed[:MAX_ITEMS])}." if failed else ""),
                *_link(report_url),
            ]),
        ))
    turned_away = _turned_away(record)
    if turned_away:
        messages.append(Message(
            f"TTHC: {len(turned_away)} tệp bị từ chối / files turned away",
            "\n".join([
                "Các tệp sau không được nạp (lý do kèm theo):",
                *_listed([f"{_province_of(f['path'])}{f['path']} ({f['status']}): {f['reason']}" for f in turned_away]),
                f"{len(turned_away)} file(s) were refused or rejected, each with its reason above.",
                *_link(report_url),
            ]),
        ))
    new_errors = _new_errors(record, previous)
    if new_errors:
        messages.append(Message(
            f"TTHC: {len(new_errors)} lỗi số liệu mới / new error findings",
            "\n".join([
                "Lỗi mới trong báo cáo:",
                *_listed([f"{named(f.get('province_code'))}: {f['source_file']}{', ' + f['cell'] if f.get('cell') else ''}: "
                          f"{f['message_vi']}" for f in new_errors]),
                f"{len(new_errors)} new error finding(s): {new_errors[0]['message']}",
                *_link(report_url),
            ]),
        ))
    return messages


def _turned_away(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in record["files"] if f["status"] in ("refused", "rejected")]


def _new_errors(record: dict[str, Any], previous: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The error findings the previous run did not have."""
    seen = {_finding_key(f) for f in (previous or {}).get("findings", [])}
    return [f for f in record.get("findings", []) if f["severity"] == "error" and _finding_key(f) not in seen]


def province_messages(
    record: dict[str, Any], previous: dict[str, Any] | None, report_url: str = ""
) -> dict[str, Message]:
    """For each province, one message with its own files turned away and its own new error
    findings (its contacts get it: tthc/alerts/mail.py), in Vietnamese with English below."""
    files: dict[str, list[str]] = {}
    for f in _turned_away(record):
        if code := _code_of(f["path"]):
            files.setdefault(code, []).append(f"{f['path']} ({f['status']}): {f['reason']}")
    errors: dict[str, list[str]] = {}
    for f in _new_errors(record, previous):
        if f.get("province_code"):
            place = f"{f['source_file']}{', ' + f['cell'] if f.get('cell') else ''}"
            errors.setdefault(f["province_code"], []).append(f"{place}: {f['message_vi']} / {f['message']}")
    messages = {}
    for code in sorted(set(files) | set(errors)):
        lines = [*(["Tệp không được nạp / Files not taken in:", *_listed(files[code])] if code in files else []),
                 *(["Lỗi số liệu mới / New error findings:", *_listed(errors[code])] if code in errors else []),
                 "Xin sửa và gửi lại báo cáo (bản sửa đổi mới). / Please correct and send the report again (a new revision).",
                 *_link(report_url)]
        messages[code] = Message(f"TTHC {record['run_id']}: {named(code)} — báo cáo cần sửa / reports to correct", "\n".join(lines))
    return messages


def _code_of(path: str) -> str | None:
    """The province code a file's name starts with, when it is a known one."""
    code = path.rsplit("/", 1)[-1][:2]
    return code if code.isdigit() and named(code) != code else None


def _province_of(path: str) -> str:
    """"Quảng Ninh (22): " for a file whose name starts with a known province code, else nothing."""
    code = _code_of(path)
    return f"{named(code)}: " if code else ""


def _finding_key(finding: dict[str, Any]) -> tuple:
    return (finding["source_file"], finding["check_code"], finding["line_number"], finding["column_name"])


@contextmanager
def _apprise_kept_to_itself() -> Iterator[None]:
    """Apprise's own log lines name the URLs, secrets included: for the block they reach no
    handler of ours (terminal, run log); what matters comes back, scrubbed, as delivery errors."""
    apprise_logger = logging.getLogger("apprise")
    propagates = apprise_logger.propagate
    apprise_logger.propagate = False
    try:
        yield
    finally:
        apprise_logger.propagate = propagates


def send(messages: list[Message], urls: Sequence[str]) -> list[str]:
    """Send each message to every URL; return the delivery errors (never raises)."""
    if not messages or not urls:
        return []
    with _apprise_kept_to_itself():
        return _send(messages, urls)


def _send(messages: list[Message], urls: Sequence[str]) -> list[str]:
    try:
        import apprise

        sender = apprise.Apprise()
        errors = [f"not an Apprise URL: {redacted(u)}" for u in urls if not sender.add(u)]
        for message in messages:
            with apprise.LogCapture(level=logging.WARNING) as log:
                sent = sender.notify(title=message.title, body=message.body, body_format=apprise.NotifyFormat.TEXT)
            if not sent:
                why = scrubbed(" ".join(log.getvalue().split()), urls)[:300] or "no reason given"
                errors.append(f"{message.title}: not delivered ({why})")
        return errors
    except Exception as err:  # noqa: BLE001 - sending never fails a run
        return [scrubbed(f"alerts not sent: {type(err).__name__}: {err}", urls)]


def redacted(url: str) -> str:
    """An Apprise URL as its scheme and host only: user names, passwords, tokens and paths never
    leave memory (not in the run record, the page, the Prefect artifact or a log)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return "(not a URL)"
    authority = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    host = authority.rsplit("@", 1)[-1].split(":", 1)[0]
    return f"{scheme}://{host}" if host else f"{scheme}://"


def scrubbed(text: str, urls: Sequence[str]) -> str:
    """`text` with each of `urls`, and each secret part of them (user, password, token, path), replaced."""
    for url in sorted(urls, key=len, reverse=True):
        text = text.replace(url, redacted(url))
        _, _, rest = url.partition("://")
        authority, _, path = rest.partition("/")
        host = redacted(url).partition("://")[2]
        parts = authority.replace("@", ":").split(":") + path.replace("?", "/").replace("&", "/").replace("=", "/").split("/")
        for secret in sorted({p for p in parts if len(p) >= 4 and p != host and not p.isdigit()}, key=len, reverse=True):
            text = text.replace(secret, "…")
    return text


def movement_message(province_code: str, lines: list[tuple[str, str]], report_url: str = "") -> Message:
    """A watched province moved on the Decision 766 index: what changed, in both languages."""
    return Message(
        f"TTHC: {named(province_code)} trên Bộ chỉ số 766 / on the Decision 766 index",
        "\n".join([*(vi for vi, _ in lines), "", *(en for _, en in lines), *_link(report_url)]),
    )


def digest_message(rows: list[dict[str, Any]], as_of: str, report_url: str = "") -> Message | None:
    """The daily digest: overdue and due-soon reports, grouped by dataset and period (latest due
    first), each group naming its provinces. None when nothing is overdue or due soon."""
    groups: dict[tuple[str, str, str, str], list[str]] = {}
    for r in rows:
        key = (r["timeliness"], str(r["due_date"]), r["dataset"], r["period"])
        groups.setdefault(key, []).append(f"{r['province_name']} ({r['province_code']})" if r.get("province_name")
                                          else named(r["province_code"]))
    if not groups:
        return None
    lines = []
    for timeliness, title_vi, title_en in (("overdue", "Quá hạn", "overdue"), ("due_soon", "Sắp đến hạn", "due soon")):
        mine = sorted(((k, v) for k, v in groups.items() if k[0] == timeliness), key=lambda kv: kv[0][1], reverse=True)
        if not mine:
            continue
        reports = sum(len(v) for _, v in mine)
        lines.append(f"{title_vi} / {title_en}: {reports} báo cáo / reports")
        lines += _listed([
            f"{dataset} {period} (hạn / due {due}): {', '.join(sorted(names))}" for (_, due, dataset, period), names in mine
        ])
    counts = {t: sum(len(v) for k, v in groups.items() if k[0] == t) for t in ("overdue", "due_soon")}
    return Message(
        f"TTHC {as_of}: {counts['overdue']} quá hạn, {counts['due_soon']} sắp đến hạn / overdue, due soon",
        "\n".join([*lines, *_link(report_url)]),
    )


def unit_reminders(rows: list[dict[str, Any]], as_of: str, report_url: str = "") -> dict[str, tuple[str, str]]:
    """Each unit's own overdue and due-soon reports (marts.unit_submissions rows with its
    addresses), one letter per unit, keyed "<province>/<unit>"."""
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_unit.setdefault(f"{r['province_code']}/{r['unit_code']}", []).append(r)
    letters = {}
    for key, mine in by_unit.items():
        name = mine[0]["unit_name"]
        lines = [f"{r['dataset']} {r['period']} (hạn / due {r['due_date']}): "
                 f"{'quá hạn / overdue' if r['timeliness'] == 'overdue' else 'sắp đến hạn / due soon'}"
                 for r in sorted(mine, key=lambda r: (str(r["due_date"]), r["dataset"]), reverse=True)]
        letters[key] = (
            f"TTHC {as_of}: {name} — {len(mine)} báo cáo chưa gửi / reports not yet sent",
            "\n".join([
                f"Kính gửi {name},", f"Báo cáo của đơn vị gửi {named(mine[0]['province_code'])} chưa nhận được:",
                f"To {name}: the reports of your unit to {named(mine[0]['province_code'])} not received yet:", "",
                *_listed(lines), *_link(report_url)]),
        )
    return letters
