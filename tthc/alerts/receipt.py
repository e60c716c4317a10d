"""The receipt a sender gets for a letter taken in from the mailbox: each attachment filed as what,
or held and why; after the run, the files refused or rejected with their reasons and the error
findings on them (file, sheet, cell). In Vietnamese, with English below."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage

from tthc.alerts.mail import letter as mail
from tthc.contract.provinces import named
from tthc.ingest.ledger import Recorded


@dataclass(frozen=True)
class AfterRun:
    """What the run made of the files a letter brought: path → (status, reason), path → findings."""

    run_id: str | None
    published: bool
    statuses: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    findings: dict[str, list[str]] = field(default_factory=dict)  # "Biểu!G9: message" per error finding


def _filed_line(file: str, path: str | None, dataset: str | None, province: str | None, period: str | None) -> tuple[str, str]:
    what = f"{dataset}, {named(province)}, {period}"
    return f"- {file}: đã lưu thành {path} ({what})", f"- {file}: filed as {path} ({what})"


def receipt(letter: Recorded, after: AfterRun | None, mailbox: str) -> EmailMessage:
    """The reply to one letter."""
    vi: list[str] = [f"Văn phòng đã nhận thư \"{letter.subject or ''}\" với {len(letter.attachments)} tệp đính kèm:"]
    en: list[str] = [f"The office received your letter \"{letter.subject or ''}\" with {len(letter.attachments)} attachment(s):"]
    for a in letter.attachments:
        if a.status == "filed":
            line_vi, line_en = _filed_line(a.file, a.path, a.dataset, a.province_code, a.period)
        elif a.status == "duplicate":
            line_vi, line_en = (f"- {a.file}: trùng với {a.path} đã có, không ghi lại",
                                f"- {a.file}: the same as {a.path}, already there; nothing written")
        else:
            line_vi, line_en = f"- {a.file}: giữ lại: {a.reason_vi}", f"- {a.file}: held: {a.reason}"
        vi.append(line_vi)
        en.append(line_en)
    filed = [a.path for a in letter.attachments if a.status == "filed" and a.path]
    if filed and after is not None:
        vi.append(f"Sau lần nạp {after.run_id}:" if after.published else f"Lần nạp {after.run_id} chưa công bố kho dữ liệu:")
        en.append(f"After run {after.run_id}:" if after.published else f"Run {after.run_id} did not publish the warehouse:")
        for path in filed:
            status, reason = after.statuses.get(path, ("loaded", None))
            if status in ("refused", "rejected"):
                vi.append(f"- {path}: bị {'từ chối' if status == 'refused' else 'loại'} ({status}): {reason}")
                en.append(f"- {path}: {status}: {reason}")
            else:
                vi.append(f"- {path}: đã nạp ({status})")
                en.append(f"- {path}: {status}")
            for finding in after.findings.get(path, []):
                vi.append(f"  lỗi: {finding}")
                en.append(f"  error: {finding}")
    elif filed:
        vi.append("Các tệp đã lưu sẽ được nạp ở lần chạy kế tiếp.")
        en.append("The files filed are loaded by the next run.")
    return mail(letter.sender, f"Re: {letter.subject or ''} — TTHC: đã nhận / received",
                "\n".join([*vi, "", "---", "", *en, "", f"({mailbox})"]), in_reply_to=letter.message_id)
