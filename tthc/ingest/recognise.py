"""What a report file says about itself, for a file that arrives under any name (an e-mail
attachment): its dataset from its header, its province from its title block (or its sender),
its period from its title block (or its name). Each finding is a clue that says where it was
read; what cannot be told, or is told two ways, is a problem that says why. Nothing is guessed."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath

from openpyxl.utils import get_column_letter

from tthc.contract.datasets import Contract
from tthc.contract.labels import normalize_label
from tthc.contract.periods import period_bounds
from tthc.contract.provinces import code_valid_on, province_names
from tthc.ingest.decode import TextRow, read_csv_rows
from tthc.ingest.discover import NATIONAL_SCOPE
from tthc.ingest.header import HeaderError
from tthc.ingest.index766 import ShapeError, parse_snapshot, portal_codes, snapshot_groups
from tthc.ingest.layout import header_start, lay_out
from tthc.ingest.workbook import read_xls, read_xlsx

# Columns every form has: they say nothing about which form it is.
_SHARED_COLUMNS = frozenset({"unit", "level"})
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}

# On normalised text (tthc.contract.labels.normalize_label: no diacritics, no punctuation, lowercase).
_AUTHORITY = re.compile(r"\b(?:van phong\s+)?(?:ubnd|uy ban nhan dan)\s+(?:tinh|thanh pho|tp)\s+(?P<name>.+)$")
_QUARTER = re.compile(r"\b(?:quy|q)\s*(?P<q>iv|i{1,3}|[1-4])\b(?:\s+(?:nam\s+)?(?P<year>\d{4})\b)?")
_HALF = re.compile(r"\b6\s+thang\s+(?P<half>dau|cuoi)\s+nam(?:\s+(?P<year>\d{4})\b)?")
_MONTH = re.compile(r"\b(?:thang|t)\s*(?P<month>\d{1,2})\s+(?:nam\s+)?(?P<year>\d{4})\b")
_YEAR = re.compile(r"\bnam\s+(?P<year>\d{4})\b")
_DATES = re.compile(
    r"\btu ngay\s+(?P<d1>\d{1,2})\s+(?P<m1>\d{1,2})\s+(?P<y1>\d{4})\s+den ngay\s+(?P<d2>\d{1,2})\s+(?P<m2>\d{1,2})\s+(?P<y2>\d{4})"
)
_CANONICAL = re.compile(r"\b(?P<year>\d{4})\s+(?P<part>h[12]|q[1-4]|0[1-9]|1[0-2])\b")


@dataclass(frozen=True)
class Clue:
    """One thing read from the file: what it says, its value, where, and the text as written."""

    what: str  # dataset | province | period
    value: str
    where: str  # "Biểu 06!A3", "line 4", "the file's name", "the sender"
    text: str


@dataclass(frozen=True)
class Problem:
    """Why something could not be told: in Vietnamese, and in English."""

    vi: str
    en: str


@dataclass(frozen=True)
class Recognised:
    """A file's dataset, province and period where each could be told, with the clues read and
    the problems met; `problems` empty means the three are known."""

    dataset: str | None
    province: str | None
    period: str | None
    clues: tuple[Clue, ...] = ()
    problems: tuple[Problem, ...] = field(default_factory=tuple)
    snapshot_group: str | None = None  # a 766 capture's group (transparency, dvc-progress-tree…)
    captured_on: date | None = None  # and the day it was captured


@dataclass(frozen=True)
class _Cell:
    text: str
    where: str
    line: int  # the row's line (sheet row) number
    column: int  # from 0


def recognise(
    data: bytes, name: str, contract: Contract, sender: str | None = None,
    contacts: Mapping[str, frozenset[str]] | None = None,
) -> Recognised:
    """The dataset, province and period of a form file (.csv, .xlsx, .xls) from its content,
    then its name and its sender (`contacts`: province code → addresses)."""
    clues: list[Clue] = []
    problems: list[Problem] = []
    try:
        rows, sheet = _rows(data, name, contract)
    except (HeaderError, ValueError) as err:
        return Recognised(None, None, None, (), (Problem(f"không đọc được bảng: {err}", f"the table cannot be read: {err}"),))
    dataset = _dataset(rows, sheet, contract, clues, problems)
    start = header_start(rows, contract.datasets[dataset], contract) if dataset else None
    title = [cell for row in rows[: start if start is not None else 15] for cell in _cells(row, sheet)]
    period = _period(title, name, clues, problems)
    province = _province(title, period, sender, contacts or {}, clues, problems)
    return Recognised(dataset, province, period, tuple(clues), tuple(problems))


def recognise_capture(data: bytes, name: str) -> Recognised:
    """A capture of the portal's 766 index (.json): its group from the answer's shape, its scope
    from the province it evaluates (00 for the national file), its period and capture date from
    the file's name (the portal's answer carries neither)."""
    clues: list[Clue] = []
    problems: list[Problem] = []
    try:
        payload = json.loads(data.decode("utf-8-sig"))
        body = payload["data"]
        group = _capture_group(body)
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        return Recognised(None, None, None, (), (Problem(f"không phải câu trả lời của Cổng DVCQG: {err}",
                                                         f"not an answer of the national portal: {err}"),))
    if group is None:
        return Recognised(None, None, None, (), (Problem("không nhận ra nhóm chỉ số 766 từ cấu trúc tệp JSON",
                                                         "no group of the 766 index has this JSON's shape"),))
    shape = snapshot_groups()[group].shape
    try:
        parse_snapshot(data, shape)
    except ShapeError as err:
        return Recognised("index766", None, None, (), (Problem(f"tệp {group} không đúng cấu trúc: {err}",
                                                               f"the {group} file is not the portal's shape: {err}"),),
                          snapshot_group=group)
    clues.append(Clue("dataset", f"index766 {group}", "data", f"the answer's shape ({shape})"))
    stem = normalize_label(PurePath(name).stem)
    captured = _date_in(stem)
    if captured is None:
        problems.append(Problem("ngày lấy số liệu: tên tệp không ghi ngày (YYYY-MM-DD)",
                                "capture date: the file's name gives no date (YYYY-MM-DD)"))
    else:
        clues.append(Clue("captured", captured.isoformat(), "the file's name", PurePath(name).name))
        stem = _DAY.sub(" ", stem)
    period = _period_in_words(stem) or _canonical_period(stem) or ((m := _BARE_YEAR.search(stem)) and m[1])
    if period and not period.startswith("?") and not period.endswith(("H1", "H2")):
        clues.append(Clue("period", period, "the file's name", PurePath(name).name))
    else:
        period = None
        problems.append(Problem("kỳ: tên tệp không ghi kỳ của chỉ số (năm, quý hoặc tháng); câu trả lời của Cổng không mang kỳ",
                                "period: the file's name gives no year, quarter or month, and the portal's answer does not carry one"))
    scope = _capture_scope(body, shape, captured, clues, problems)
    return Recognised("index766", scope, period, tuple(clues), tuple(problems), snapshot_group=group, captured_on=captured)


_DAY = re.compile(r"\b(\d{4}) (\d{2}) (\d{2})\b")
_BARE_YEAR = re.compile(r"\b(20\d{2})\b")
# The metric a list group's rows always hold, which names the group.
_LIST_METRICS = {"PUBLISH_ON_TIME": "transparency", "DOSSIER_RECEIVING_SATISFACTION": "handling-satisfaction",
                 "ORIGINAL_RESULT_AVAILABLE": "dossier-digitized"}


def _date_in(text: str) -> date | None:
    m = _DAY.search(text)
    try:
        return date(int(m[1]), int(m[2]), int(m[3])) if m else None
    except ValueError:
        return None


def _capture_group(body: dict) -> str | None:
    """The group whose shape the answer's `data` has (seed/index766/README.md)."""
    if "radar" in body and "evaluation" in body:
        return "service-results"
    if isinstance(parent := body.get("parent"), dict):
        if "channelTotalSum" in parent or "onlineServiceTotal" in parent:
            return "provide-online-tree"
        if "totalDossierOnlinePaymentSuccess" in parent:
            return "formality-online-payment-tree"
        if "totalReceived" in parent:
            return "dvc-progress-tree"
    rows = body.get("evaluation") or []
    codes = {m.get("code") for row in rows[:1] for m in row.get("metrics") or []}
    return next((group for code, group in _LIST_METRICS.items() if code in codes), None)


def _capture_scope(body: dict, shape: str, captured: date | None, clues: list[Clue], problems: list[Problem]) -> str | None:
    """00 for the national file; else the official code of the province the tree's root row is."""
    if shape == "national":
        clues.append(Clue("province", NATIONAL_SCOPE, "data.evaluation", "every province (the national file)"))
        return NATIONAL_SCOPE
    at = "data.parent" if shape == "tree" else "data.overview"
    root = body.get("parent" if shape == "tree" else "overview") or {}
    by_portal = {row["portal_code"]: row["province_code"] for row in portal_codes()}
    code = by_portal.get(root.get("departmentCode") or "")
    text = root.get("departmentCode") or ""
    if code is None and (m := _AUTHORITY.search(normalize_label(root.get("departmentName") or ""))):
        code, text = _province_code(m["name"], captured), root.get("departmentName") or ""
    if code is None:
        problems.append(Problem(f"tỉnh: dòng gốc {at} không cho biết tỉnh nào", f"province: the root row {at} names no province"))
        return None
    clues.append(Clue("province", code, at, text))
    return code


def _rows(data: bytes, name: str, contract: Contract) -> tuple[list[TextRow], str | None]:
    """The rows of the file (of a workbook: the one sheet with a form's header) and the sheet's name."""
    ext = PurePath(name).suffix.lower().lstrip(".")
    forms = [dataset for dataset in contract.datasets.values()]

    def is_form(rows: list[TextRow]) -> bool:
        return any(header_start(rows, dataset, contract) is not None for dataset in forms)

    if ext in ("xlsx", "xls"):
        book = (read_xlsx if ext == "xlsx" else read_xls)(data, is_form)
        return book.rows, book.sheet
    if ext == "csv":
        return read_csv_rows(data)[0], None
    raise ValueError(f'extension ".{ext}" is not one of .csv, .xlsx, .xls')


def _cells(row: TextRow, sheet: str | None) -> Iterable[_Cell]:
    """The row's filled cells, each once (a merged title spreads its text over the merge)."""
    seen: set[str] = set()
    for index, text in enumerate(row.cells):
        if text.strip() and text not in seen:
            seen.add(text)
            where = f"{sheet}!{get_column_letter(index + 1)}{row.line_number}" if sheet else f"line {row.line_number}"
            yield _Cell(text.strip(), where, row.line_number, index)


def _dataset(
    rows: list[TextRow], sheet: str | None, contract: Contract, clues: list[Clue], problems: list[Problem]
) -> str | None:
    """The form whose columns the header names the most of (shared columns aside)."""
    scores: dict[str, int] = {}
    header_at: dict[str, int] = {}
    for name in sorted(contract.datasets):
        try:
            table = lay_out(rows, contract.datasets[name], contract)
        except HeaderError:
            continue
        scores[name] = len(set(table.columns.values()) - _SHARED_COLUMNS)
        header_at[name] = header_start(rows, contract.datasets[name], contract) or 0
    best = max(scores.values(), default=0)
    winners = sorted(name for name, score in scores.items() if score == best and score > 0)
    if len(winners) == 1:
        row = rows[header_at[winners[0]]]
        where = f"{sheet}!{row.line_number}:{row.line_number}" if sheet else f"line {row.line_number}"
        clues.append(Clue("dataset", winners[0], where, " | ".join(c for c in row.cells if c.strip())[:200]))
        return winners[0]
    if winners:
        problems.append(Problem(f"biểu mẫu: tiêu đề cột khớp với nhiều bộ dữ liệu ({', '.join(winners)})",
                                f"dataset: the header fits several datasets ({', '.join(winners)})"))
    else:
        problems.append(Problem("biểu mẫu: không có dòng tiêu đề cột nào của các biểu đã biết",
                                "dataset: no header row of a known form"))
    return None


def _period(title: list[_Cell], name: str, clues: list[Clue], problems: list[Problem]) -> str | None:
    """The period the title block names (in words, or by its cut-off dates), else the file's name."""
    said = [c for c in title if "ky bao cao" in normalize_label(c.text)] or title
    found: list[tuple[str, _Cell]] = []
    for cell in said:
        text = normalize_label(cell.text)
        words = _period_in_words(text)
        if words is not None and words.startswith("?"):
            problems.append(Problem(f"kỳ báo cáo: {_vi(cell.where)} ghi '{cell.text}' mà không có năm",
                                    f"period: {cell.where} says '{cell.text}' with no year"))
            return None
        dates = _period_of_dates(text)
        if dates == "?":
            problems.append(Problem(
                f"kỳ báo cáo: ngày ở {_vi(cell.where)} ('{cell.text}') không phải khoảng của một kỳ báo cáo (chốt số liệu ngày 15)",
                f"period: the dates at {cell.where} ('{cell.text}') are not a reporting period's window (cut-off on the 15th)"))
            return None
        for value in {v for v in (words, dates) if v is not None}:
            found.append((value, cell))
    values = sorted({v for v, _ in found})
    for value, cell in found:
        clues.append(Clue("period", value, cell.where, cell.text))
    if len(values) > 1:
        problems.append(Problem(f"kỳ báo cáo: tiêu đề ghi nhiều kỳ khác nhau ({', '.join(values)})",
                                f"period: the title names different periods ({', '.join(values)})"))
        return None
    if values:
        return values[0]
    stem = normalize_label(PurePath(name).stem)
    from_name = _period_in_words(stem) or _canonical_period(stem)
    if from_name and not from_name.startswith("?"):
        clues.append(Clue("period", from_name, "the file's name", PurePath(name).name))
        return from_name
    problems.append(Problem("kỳ báo cáo: tiêu đề và tên tệp đều không ghi kỳ báo cáo",
                            "period: neither the title nor the file's name says the period"))
    return None


def _period_in_words(text: str) -> str | None:
    """"quy iii nam 2021" → 2021-Q3, "6 thang dau nam 2021" → 2021-H1, "thang 8 nam 2021" →
    2021-08, "nam 2020" → 2020; "?Q3" when a part is named with no year; None when nothing is."""
    if m := _HALF.search(text):
        part = "H1" if m["half"] == "dau" else "H2"
        return f"{m['year']}-{part}" if m["year"] else f"?{part}"
    if m := _QUARTER.search(text):
        q = _ROMAN.get(m["q"]) or int(m["q"])
        return f"{m['year']}-Q{q}" if m["year"] else f"?Q{q}"
    if (m := _MONTH.search(text)) and 1 <= int(m["month"]) <= 12:
        return f"{m['year']}-{int(m['month']):02d}"
    if m := _YEAR.search(text):
        return m["year"]
    return None


def _period_of_dates(text: str) -> str | None:
    """The period whose cut-off window is "từ ngày d/m/yyyy đến ngày d/m/yyyy"; "?" when the
    dates are no period's window; None when the text gives no dates."""
    m = _DATES.search(text)
    if not m:
        return None
    try:
        start = date(int(m["y1"]), int(m["m1"]), int(m["d1"]))
        end = date(int(m["y2"]), int(m["m2"]), int(m["d2"]))
    except ValueError:
        return "?"
    year = end.year
    candidates = [str(year), f"{year}-H1", f"{year}-H2", *(f"{year}-Q{q}" for q in range(1, 5)),
                  *(f"{year}-{month:02d}" for month in range(1, 13))]
    return next((p for p in candidates if period_bounds(p) == (start, end)), "?")


def _canonical_period(text: str) -> str | None:
    """A period written as the warehouse writes it, in a file name: "2021 q3" (from 2021-Q3)."""
    m = _CANONICAL.search(text)
    return f"{m['year']}-{m['part'].upper()}" if m else None


def _province(
    title: list[_Cell], period: str | None, sender: str | None, contacts: Mapping[str, frozenset[str]],
    clues: list[Clue], problems: list[Problem],
) -> str | None:
    """The province the title block's authority line names ("UBND TỈNH QUẢNG NINH"), valid at the
    period's end; else the one whose contacts hold the sender's address. Two that disagree: none."""
    day = period_bounds(period)[1] if period else None
    named: dict[str, _Cell] = {}
    for cell in [*title, *_two_line(title)]:
        m = _AUTHORITY.search(normalize_label(cell.text))
        if m and (code := _province_code(m["name"], day)):
            named.setdefault(code, cell)
        elif m and day is not None and _province_code(m["name"], None):
            problems.append(Problem(
                f"tỉnh: {_vi(cell.where)} ghi '{cell.text}', không phải một tỉnh vào ngày {day:%d/%m/%Y}, cuối kỳ {period}",
                f"province: {cell.where} says '{cell.text}', which was not a province on {day:%d/%m/%Y}, the end of period {period}"))
            return None
    for code, cell in named.items():
        clues.append(Clue("province", code, cell.where, cell.text))
    by_sender = sorted(code for code, addresses in contacts.items() if sender and sender.strip().lower() in addresses)
    for code in by_sender:
        clues.append(Clue("province", code, "the sender", sender or ""))
    codes = sorted(set(named) | set(by_sender))
    if len(codes) == 1:
        return codes[0]
    if codes:
        problems.append(Problem(
            f"tỉnh: các dấu hiệu không thống nhất ({', '.join(_named_by(c, clues, _vi) for c in codes)})",
            f"province: the clues disagree ({', '.join(_named_by(c, clues, str) for c in codes)})"))
    else:
        problems.append(Problem("tỉnh: tiêu đề không ghi UBND tỉnh/thành phố nào, và người gửi không có trong danh bạ",
                                "province: the title names no provincial People's Committee, and the sender is not in the contacts"))
    return None


def _two_line(title: list[_Cell]) -> list[_Cell]:
    """Each title cell with the one right under it, read as one: "ỦY BAN NHÂN DÂN" over "TỈNH QUẢNG NINH"."""
    below = {(c.line, c.column): c for c in title}
    return [
        _Cell(f"{c.text} {under.text}", f"{c.where} + {under.where}", c.line, c.column)
        for c in title if (under := below.get((c.line + 1, c.column))) is not None
    ]


def _named_by(code: str, clues: list[Clue], words: Callable[[str], str]) -> str:
    clue = next(c for c in clues if c.what == "province" and c.value == code)
    return f"{code} ({words(clue.where)}: '{clue.text}')"


def _vi(where: str) -> str:
    """Where a clue was read, in Vietnamese ("line 4" → "dòng 4")."""
    return {"the sender": "người gửi", "the file's name": "tên tệp"}.get(where) or where.replace("line ", "dòng ")


def _province_code(name: str, day: date | None) -> str | None:
    """The code of the province called `name` (normalised, after "tỉnh"/"thành phố") on `day`
    (any day when unknown, if the name is unambiguous); the longest name that fits wins."""
    names = province_names()
    matches: list[tuple[int, str]] = []
    for code, full in names.items():
        key = normalize_label(full).removeprefix("thanh pho ").removeprefix("tinh ")
        if (name == key or name.startswith(key + " ")) and (day is None or code_valid_on(code, day)):
            matches.append((len(key), code))
    if not matches:
        return None
    longest = max(length for length, _ in matches)
    codes = {code for length, code in matches if length == longest}
    if len(codes) > 1 and day is None:  # a name both before and after the merger, under two codes
        return None
    return min(codes)

