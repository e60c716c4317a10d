"""A writer of reports in random allowed layouts, encodings and number formats, for property tests.

It shares no code with the reader (tthc.ingest): its labels, number formats and encodings are
written here again, from the contract, on purpose.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass

from hypothesis import strategies as st

COLUMNS = [
    "received_total", "received_online", "received_offline", "carried_over",
    "resolved_total", "resolved_early", "resolved_on_time", "resolved_late",
    "pending_total", "pending_in_time", "pending_late",
]
ONE_ROW_LABELS = {
    "received_total": ["Tổng số hồ sơ tiếp nhận", "Số hồ sơ nhận giải quyết: Tổng số"],
    "received_online": ["Trực tuyến", "Tiếp nhận trực tuyến"],
    "received_offline": ["Trực tiếp, dịch vụ bưu chính", "Trực tiếp và qua bưu chính"],
    "carried_over": ["Từ kỳ trước", "Tồn kỳ trước", "Kỳ trước chuyển sang"],
    "resolved_total": ["Số hồ sơ đã giải quyết: Tổng số", "Đã giải quyết - Tổng số"],
    "resolved_early": ["Trước hạn"],
    "resolved_on_time": ["Đúng hạn"],
    "resolved_late": ["Giải quyết quá hạn", "Trễ hạn", "Số hồ sơ đã giải quyết (Quá hạn)"],
    "pending_total": ["Số hồ sơ đang giải quyết - Tổng số", "Đang giải quyết: Tổng số"],
    "pending_in_time": ["Trong hạn"],
    "pending_late": ["Số hồ sơ đang giải quyết (Quá hạn)"],
}
GROUPS = {
    "received": ("Số hồ sơ nhận giải quyết", {"received_total": "Tổng số", "received_online": "Trực tuyến",
                 "received_offline": "Trực tiếp, dịch vụ bưu chính", "carried_over": "Từ kỳ trước"}),
    "resolved": ("Số hồ sơ đã giải quyết", {"resolved_total": "Tổng số", "resolved_early": "Trước hạn",
                 "resolved_on_time": "Đúng hạn", "resolved_late": "Quá hạn"}),
    "pending": ("Số hồ sơ đang giải quyết", {"pending_total": "Tổng số", "pending_in_time": "Trong hạn",
                "pending_late": "Quá hạn"}),
}
UNITS = ["Sở Tư pháp", "Sở Y tế", "Sở Xây dựng", "Huyện Tiên Yên", "Thành phố Hạ Long", "Xã Quảng Đức",
         "Ban Quản lý khu kinh tế", "Sở Giáo dục và Đào tạo", "Thị xã Quảng Yên", "Sở Tài nguyên và Môi trường"]
# Level rows as offices write them: plain, upper-case, or after a numbering prefix.
LEVEL_ROWS = {
    "province": ["Cấp tỉnh", "A. CẤP TỈNH", "I. Sở, ban, ngành", "1) Cấp tỉnh", "UBND CẤP TỈNH"],
    "district": ["Cấp huyện", "B. CẤP HUYỆN", "II - UBND cấp huyện", "2) cấp huyện"],
    "commune": ["Cấp xã", "C. CẤP XÃ", "III. UBND cấp xã", "(c) Cấp xã"],
}
SIGNATURE_LINES = [
    "Quảng Ninh, ngày 20 tháng 12 năm 2022", "HẢI PHÒNG, NGÀY 05 THÁNG 01 NĂM 2023", "KT. GIÁM ĐỐC",
    "PHÓ GIÁM ĐỐC", "Người lập biểu", "(Ký, ghi rõ họ tên)", "Nguyễn Văn An", "Trần Thị Bình",
]
TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def strip_diacritics(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def encode(text: str, encoding: str) -> bytes:
    if encoding == "cp1258":  # old Excel: precomposed vowels, tone marks as combining characters
        out = []
        for ch in text:
            parts = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in parts if c in TONE_MARKS)
            out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS)) + tones)
        return "".join(out).encode("cp1258")
    if encoding == "utf-8-nfd":
        return unicodedata.normalize("NFD", text).encode("utf-8")
    return text.encode(encoding)


def write_count(value: int, sep: str, dash_for_zero: bool) -> str:
    if value == 0 and dash_for_zero:
        return "-"
    digits = str(value)
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return sep.join(groups)


@st.composite
def consistent_figures(draw) -> dict[str, int]:
    """One row's figures, with no part above its whole (else the report is rightly rejected)."""
    count = st.integers(0, 3_000_000)
    received = draw(count)
    resolved = draw(st.integers(0, received))
    early = draw(st.integers(0, resolved))
    on_time = draw(st.integers(0, resolved - early))
    late = draw(st.integers(0, resolved - early - on_time))
    return {
        "received_total": received, "received_online": draw(count), "received_offline": draw(count),
        "carried_over": draw(count), "resolved_total": resolved, "resolved_early": early,
        "resolved_on_time": on_time, "resolved_late": late, "pending_total": draw(count),
        "pending_in_time": draw(count), "pending_late": draw(count),
    }


@dataclass
class Report:
    columns: list[str]
    units: list[str]
    figures: list[dict[str, int]]
    total: dict[str, int] | None
    levels: list[str | None]  # the level each unit's row was written under, or None
    data: bytes


@st.composite
def reports(draw) -> Report:
    columns = ["received_total"] + draw(st.lists(st.sampled_from(COLUMNS[1:]), unique=True, max_size=10))
    columns.sort(key=COLUMNS.index)
    units = draw(st.lists(st.sampled_from(UNITS), min_size=1, max_size=5, unique=True))
    figures = [{c: v for c, v in draw(consistent_figures()).items() if c in columns} for _ in units]
    total_at = draw(st.sampled_from(["none", "first", "last"]))
    total = {c: sum(f[c] for f in figures) for c in columns} if total_at != "none" else None
    header_style = draw(st.sampled_from(["canonical", "labels", "merged"]))
    no_diacritics = draw(st.booleans()) and header_style != "canonical"
    with_stt = draw(st.booleans())
    sep = draw(st.sampled_from([".", ",", " ", "\u00a0", ""]))
    dash = draw(st.booleans())
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258", "utf-8-nfd"]))
    title_rows = draw(st.integers(0, 3))
    total_label = draw(st.sampled_from(["Tổng cộng", "TỔNG SỐ", "Cộng", "Tong cong"]))

    lead = (["STT"] if with_stt else []) + [draw(st.sampled_from(["Đơn vị", "Tên đơn vị", "Lĩnh vực"]))]
    if header_style == "canonical":
        header = [lead[:-1] + ["unit"] + columns]
    elif header_style == "labels":
        header = [lead + [draw(st.sampled_from(ONE_ROW_LABELS[c])) for c in columns]]
    else:
        top, bottom = list(lead), [""] * len(lead)
        for group_label, leaves in GROUPS.values():
            mine = [c for c in columns if c in leaves]
            for i, c in enumerate(mine):
                top.append(group_label if i == 0 else "")
                bottom.append(leaves[c])
        header = [top, bottom]
    if no_diacritics:
        header = [[strip_diacritics(h) for h in row] for row in header]
    width = len(header[0])

    lines: list[list[str]] = [["Biểu số II.06b/VPCP/KSTT"] + [""] * (width - 1)] * title_rows
    lines += header
    column_numbers = [f"({j + 1})" if draw(st.booleans()) else str(j + 1) for j in range(width)]
    with_numbers = draw(st.booleans())
    if with_numbers:
        lines.append(column_numbers)

    def row(label: str, values: dict[str, int], number: str = "") -> list[str]:
        return ([number] if with_stt else []) + [label] + [write_count(values[c], sep, dash) for c in columns]

    def text_row(label: str, at: int = len(lead) - 1) -> list[str]:
        return [label if j == at else "" for j in range(width)]

    # Units in up to three consecutive sections, each under a level row ("A. CẤP TỈNH").
    levels: list[str | None] = [None] * len(units)
    body = [row(u, f, str(i + 1)) for i, (u, f) in enumerate(zip(units, figures))]
    if draw(st.booleans()):
        sections = draw(st.lists(st.sampled_from(sorted(LEVEL_ROWS)), min_size=1, max_size=3, unique=True))
        starts = sorted(draw(st.lists(st.integers(1, len(units) - 1), max_size=len(sections) - 1, unique=True))) if len(units) > 1 else []
        starts = [0, *starts]
        for k, begin in reversed(list(enumerate(starts))):
            level = sections[k % len(sections)]
            for i in range(begin, starts[k + 1] if k + 1 < len(starts) else len(units)):
                levels[i] = level
            body.insert(begin, text_row(draw(st.sampled_from(LEVEL_ROWS[level]))))
    if total is not None:
        body.insert(0 if total_at == "first" else len(body), row(total_label, total))
    # The header (and its column numbers, when written) repeated at a page break.
    if draw(st.booleans()):
        at = draw(st.integers(1, len(body)))
        body[at:at] = header + ([column_numbers] if with_numbers else [])
    for i in sorted(draw(st.lists(st.integers(0, len(body)), max_size=2)), reverse=True):
        body.insert(i, [""] * width)
    lines += body
    if draw(st.booleans()):
        lines.append(["Ghi chú: số liệu tạm tính"] + [""] * (width - 1))
    # A signature block, its lines in any column, count columns included.
    for line in draw(st.lists(st.sampled_from(SIGNATURE_LINES), max_size=4)):
        lines.append(text_row(line, draw(st.integers(0, width - 1))))

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n" if draw(st.booleans()) else "\n").writerows(lines)
    return Report(columns, units, figures, total, levels, encode(buffer.getvalue(), encoding))


def read_count(text: str) -> int:
    text = text.strip()
    return 0 if text == "-" else int(text.replace(".", "").replace(",", "").replace(" ", "").replace("\u00a0", ""))
