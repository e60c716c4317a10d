"""The report site, written after every run from its record (tthc/runs/runlog.py): static pages that
need no network and no server, linked relatively, so they open from the file system as from
`tthc docs serve`. Vietnamese first with English beside, numbers in Vietnamese formats.

    index.html              overview: provinces × key indicators, latest value, rank and change; sortable
    provinces/<code>.html   one province: each indicator's sparkline over its periods, findings, submissions
    tests.html              tests and findings over the published runs: new, chronic, resolved
    run.html                the last run's report (tthc/report/run_page.py)
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from html import escape
from pathlib import Path
from typing import Any

from tthc.report.charts import sparkline
from tthc.report.run_page import SEVERITY_VI, SUBMISSION_VI, TIMELINESS, run_report
from tthc.report.vn_format import both, vn_date, vn_decimal, vn_int, vn_percent

# The overview's columns, in this order.
KEY_INDICATORS = (
    "dossier_on_time_rate", "dossier_online_intake_rate", "national_portal_integration_rate",
    "online_service_full_rate", "feedback_resolution_rate", "dossiers_received",
)
INTRO_VI = "Giá trị mới nhất của mỗi tỉnh, hạng trong các tỉnh cùng kỳ và thay đổi so với kỳ trước."
INTRO_EN = ("Each province's latest value, its rank among the provinces reporting the same period, "
            "and the change from the previous period.")
HISTORY_VI = {"new": "Mới", "chronic": "Kéo dài", "resolved": "Đã khắc phục", "passing": "Đạt"}
PERIOD_TYPE_VI = {"year": "năm", "half": "6 tháng", "quarter": "quý", "month": "tháng"}

STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,'Segoe UI',Roboto,sans-serif;margin:1.5rem;color:#1d2733;max-width:1200px}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccd}
nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin-bottom:1rem;font-size:.95rem}
.en{color:#5a6777;font-weight:normal;font-size:.85em}
table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #dde;padding:.25rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
td.num{text-align:right;font-variant-numeric:tabular-nums}
th button{all:unset;cursor:pointer;font-weight:600}th button::after{content:" ⇅";color:#9aa5b1}
.ok{color:#1a7f37}.warn{color:#9a6700}.error,.fail{color:#cf222e}
.up{color:#1a7f37}.down{color:#cf222e}.flat{color:#5a6777}
.card{display:inline-block;border:1px solid #dde;border-radius:6px;padding:.5rem 1rem;margin:.25rem}
.matrix{overflow-x:auto;max-width:100%}.matrix td.t{width:1.6rem;height:1.2rem;padding:0}
.legend span{display:inline-block;padding:.1rem .5rem;margin:.15rem;border-radius:4px;color:#fff;font-size:.85em}
.runs{white-space:nowrap}.runs span{display:inline-block;width:.9rem;height:.9rem;margin-right:2px;border-radius:2px;vertical-align:middle}
.runs .pass{background:#2e7d32}.runs .warn{background:#f9a825}.runs .fail,.runs .error{background:#d32f2f}
.runs .skipped{background:#b0bec5}
small{color:#5a6777}
svg{max-width:100%;height:auto}
.matrix th{overflow-wrap:normal;white-space:nowrap}
footer.print{display:none}
@page{size:A4;margin:12mm 10mm 14mm}
@media print{
  body{margin:0;max-width:none;font-size:9.5pt}
  nav,#sort,label[for=sort],th button::after{display:none}
  a{color:inherit;text-decoration:none}
  h2,h3{break-after:avoid}
  table{break-inside:auto}
  tr,td,th{break-inside:avoid}
  thead{display:table-header-group}
  .matrix{overflow:visible}
  .card{break-inside:avoid}
  footer.print{display:block;position:fixed;bottom:0;left:0;right:0;font-size:8pt;color:#5a6777;
    border-top:1px solid #dde;padding-top:2mm;background:#fff}
}
@media (max-width:640px){
  body{margin:.75rem}
  table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
  table.cards thead{display:none}
  table.cards tr{border:1px solid #dde;border-radius:6px;margin:.5rem 0;padding:.25rem .5rem}
  table.cards td{border:none;display:flex;justify-content:space-between;gap:.75rem;padding:.2rem 0;text-align:right}
  table.cards td::before{content:attr(data-label);text-align:left;font-weight:600;flex:1}
  table.cards td.name{display:block;text-align:left;font-size:1.05rem}table.cards td.name::before{content:none}
  pre{white-space:pre-wrap;word-break:break-word}
}
"""
# Sorting the overview: a header button or the select (phones), by each cell's data-sort.
SORT_SCRIPT = """
function sortBy(col, dir){
  const body = document.querySelector('#overview tbody');
  const key = r => r.cells[col].dataset.sort;
  const rows = [...body.rows].sort((a, b) => {
    const x = key(a), y = key(b);
    if (x === '' || y === '') return (x === '') - (y === '');
    const nx = Number(x), ny = Number(y);
    const c = isNaN(nx) || isNaN(ny) ? x.localeCompare(y, 'vi') : nx - ny;
    return dir === 'desc' ? -c : c;
  });
  rows.forEach(r => body.appendChild(r));
  document.querySelector('#sort').value = col + ':' + dir;
}
document.querySelectorAll('#overview th button').forEach((b, i) => b.addEventListener('click', () => {
  const [col, dir] = document.querySelector('#sort').value.split(':');
  sortBy(i, Number(col) === i && dir === 'asc' ? 'desc' : 'asc');
}));
document.querySelector('#sort').addEventListener('change', e => { const [c, d] = e.target.value.split(':'); sortBy(Number(c), d); });
"""


def _page(title: str, body: str, record: dict[str, Any], depth: int = 0, script: str = "") -> str:
    """One page of the site, with the links to the others (relative: `depth` folders down), and
    the footer printed on every page of a printout: the run and the date."""
    up = "../" * depth
    nav = (f'<nav><a href="{up}index.html">{both("Tổng quan", "Overview")}</a>'
           f'<a href="{up}tests.html">{both("Lịch sử kiểm thử", "Test history")}</a>'
           f'<a href="{up}run.html">{both("Lần chạy gần nhất", "Last run")}</a></nav>')
    return (f'<!doctype html>\n<html lang="vi"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>{nav}{_with_headers(body)}{_footer(record)}"
            + (f"<script>{script}</script>" if script else "") + "</body></html>\n")


_HEADER_ROW = re.compile(r"<table([^>]*)><tr>((?:(?!</tr>).)*)</tr>", re.DOTALL)


def _with_headers(body: str) -> str:
    """A table whose first row is all headers gets it as its <thead>, which a printout repeats on
    every page the table runs over."""
    def head(match: re.Match) -> str:
        attributes, cells = match.group(1), match.group(2)
        row = f"<tr>{cells}</tr>"
        return f"<table{attributes}>" + (f"<thead>{row}</thead>" if "<td" not in cells else row)

    return _HEADER_ROW.sub(head, body)


def _footer(record: dict[str, Any]) -> str:
    """What each printed page says at its foot: the run the figures come from, and its date."""
    run = escape(record["run_id"])
    day = vn_date(record["run_id"][:4] + "-" + record["run_id"][4:6] + "-" + record["run_id"][6:8])
    return (f'<footer class="print">Kho dữ liệu TTHC · {both("lần chạy", "run")} {run} · '
            f'{both("ngày", "date")} {day}</footer>')


def _value(row: dict[str, Any]) -> str:
    return vn_percent(row["value"]) if row["unit"] == "ratio" else vn_int(row["value"])


def _change(row: dict[str, Any]) -> str:
    """▲ +1,25 điểm % (against the previous period, else the same period a year before)."""
    for change, against in (("change_from_previous", "previous_period"), ("change_from_year_ago", "year_ago_period")):
        if row.get(change) is None:
            continue
        delta = row[change]
        better = delta > 0 if row["higher_is_better"] else delta < 0
        css, arrow = ("flat", "►") if delta == 0 else (("up" if better else "down"), "▲" if delta > 0 else "▼")
        amount = f"{vn_decimal(delta * 100)} điểm %" if row["unit"] == "ratio" else vn_int(delta)
        sign = "+" if delta > 0 else ""
        return (f'<span class="{css}" title="so với / against {escape(row[against])}">{arrow} {sign}{amount}</span>')
    return ""


def _rank(row: dict[str, Any]) -> str:
    return f'hạng {row["rank"]}/{row["provinces_ranked"]}' if row.get("rank") is not None else ""


def latest_values(trends: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Each province's latest row of each indicator."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for row in trends:  # ordered by period end
        latest[(row["province_code"], row["indicator_code"])] = row
    return latest


def overview(record: dict[str, Any]) -> str:
    trends = record.get("trends", [])
    latest = latest_values(trends)
    names = {r["indicator_code"]: (r["name_vi"], r["name_en"]) for r in trends}
    columns = [code for code in KEY_INDICATORS if code in names]
    provinces = sorted({(r["province_code"], r["province_name"] or "") for r in trends})
    head = [both("Tỉnh", "Province")] + [both(*names[c]) for c in columns]
    options = "".join(
        f'<option value="{i}:{d}">{escape(label)} {"↑" if d == "asc" else "↓"}</option>'
        for i, label in enumerate(["Tỉnh / Province"] + [names[c][0] for c in columns]) for d in ("asc", "desc"))
    rows = []
    for code, name in provinces:
        cells = [f'<td class="name" data-label="Tỉnh" data-sort="{escape(name)}">'
                 f'<a href="provinces/{escape(code)}.html">{escape(name)} ({escape(code)})</a></td>']
        for c in columns:
            row = latest.get((code, c))
            label = escape(names[c][0])
            if row is None or row["value"] is None:
                cells.append(f'<td class="num" data-label="{label}" data-sort="">—</td>')
                continue
            cells.append(
                f'<td class="num" data-label="{label}" data-sort="{row["value"]!r}"><span><b>{_value(row)}</b> '
                f'{_change(row)}<br><small>{escape(_rank(row))} · {escape(row["period"])}</small></span></td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    if not rows:
        table = f"<p>{both('Chưa có chỉ tiêu nào.', 'No indicators yet.')}</p>"
    else:
        table = (f'<p><label>{both("Sắp xếp", "Sort")} <select id="sort">{options}</select></label></p>'
                 f'<table id="overview" class="cards"><thead><tr>'
                 + "".join(f"<th><button>{h}</button></th>" for h in head)
                 + f"</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    others = sorted(_province_names(record).items() - set(provinces))
    other_links = ", ".join(f'<a href="provinces/{escape(c)}.html">{escape(n)} ({escape(c)})</a>' for c, n in others)
    body = (f'<h1>{both("Kho dữ liệu TTHC — tổng quan", "TTHC Warehouse — overview")}</h1>'
            f"<p>{both(INTRO_VI, INTRO_EN)}</p>"
            f"{table}"
            + (f'<h2>{both("Các tỉnh khác", "Other provinces")}</h2><p>{other_links}</p>' if others else "")
            + _held(record.get("held") or []))
    return _page("Tổng quan / Overview — TTHC", body, record, script=SORT_SCRIPT if rows else "")


def _held(held: list[dict[str, Any]]) -> str:
    """The mailbox's attachments waiting in inbox/ for a clerk, each with its sender and why."""
    if not held:
        return ""
    items = "".join(
        f"<li><code>{escape(h['file'])}</code>{' — ' + escape(h['sender']) if h.get('sender') else ''}: "
        f"{escape(h.get('reason_vi') or '?')} / {escape(h.get('reason') or '?')}</li>" for h in held)
    where = both("Trong thư mục inbox/ cạnh thư mục báo cáo: lưu bằng `tthc add` hoặc xóa.",
                 "In the inbox/ folder beside the raw directory: file them with `tthc add`, or delete them.")
    return f'<h2>{both("Tệp đính kèm đang giữ lại", "Attachments held")} ({len(held)})</h2><p>{where}</p><ul>{items}</ul>'


def _province_names(record: dict[str, Any]) -> dict[str, str]:
    names = {}
    for key in ("submissions", "trends"):
        for r in record.get(key, []):
            names[r["province_code"]] = r.get("province_name") or names.get(r["province_code"], "")
    for f in record.get("findings", []):
        if f["province_code"]:
            names.setdefault(f["province_code"], "")
    return names


def province_page(record: dict[str, Any], code: str, name: str) -> str:
    series: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in record.get("trends", []):
        if row["province_code"] == code:
            series[(row["indicator_code"], row["period_type"] or "")].append(row)
    rows = []
    for (_, period_type), points in sorted(series.items(), key=lambda kv: (kv[1][0]["unit"] != "ratio", kv[0])):
        last = points[-1]
        periods = f'{points[0]["period"]} → {last["period"]}' if len(points) > 1 else last["period"]
        rows.append(
            f'<tr><td class="name">{both(last["name_vi"], last["name_en"])}<br>'
            f'<small>{escape(PERIOD_TYPE_VI.get(period_type, period_type))} · {escape(periods)}</small></td>'
            f'<td data-label="Diễn biến">{sparkline([p["value"] for p in points], aria_label=last["indicator_code"])}</td>'
            f'<td class="num" data-label="Mới nhất"><b>{_value(last)}</b> {_change(last)}</td>'
            f'<td class="num" data-label="Hạng">{escape(_rank(last))}</td>'
            f'<td class="num" data-label="Trung vị các tỉnh">{_value({**last, "value": last["peer_median"]})}</td></tr>')
    indicators = (
        '<table class="cards"><thead><tr>' + "".join(
            f"<th>{both(vi, en)}</th>" for vi, en in (("Chỉ tiêu", "Indicator"), ("Diễn biến", "Trend"),
                                                     ("Mới nhất", "Latest"), ("Hạng", "Rank"),
                                                     ("Trung vị các tỉnh", "Peers' median")))
        + f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        if rows else f"<p>{both('Chưa có chỉ tiêu nào.', 'No indicators yet.')}</p>")
    findings = [f for f in record.get("findings", []) if f["province_code"] == code]
    finding_rows = "".join(
        f'<tr><td class="{escape(f["severity"])}" data-label="Mức">{escape(SEVERITY_VI.get(f["severity"], f["severity"]))}</td>'
        f'<td data-label="Tệp">{escape(f["source_file"])}{escape(", " + f["cell"] if f.get("cell") else "")}</td>'
        f'<td data-label="Nội dung">{escape(f["message_vi"])}<br><span class="en">{escape(f["message"])}</span></td></tr>'
        for f in findings)
    submissions = [s for s in record.get("submissions", []) if s["province_code"] == code]
    submission_rows = "".join(
        f'<tr><td data-label="Kỳ">{escape(s["period"])}</td><td data-label="Biểu">{escape(s["dataset"])}</td>'
        f'<td data-label="Tình trạng">{both(SUBMISSION_VI.get(s["status"], s["status"]), s["status"])}</td>'
        f'<td data-label="Hạn">{escape(vn_date(s["due_date"]))}</td>'
        f'<td data-label="Đúng hạn">{_timeliness(s.get("timeliness"))}</td></tr>'
        for s in submissions)
    body = (
        f"<h1>{escape(name)} ({escape(code)})</h1>"
        f'<h2>{both("Chỉ tiêu qua các kỳ", "Indicators over the periods")}</h2>{indicators}'
        f'<h2>{both("Phát hiện về chất lượng dữ liệu", "Data quality findings")} ({len(findings)})</h2>'
        + (f'<table class="cards"><thead><tr><th>{both("Mức", "Severity")}</th><th>{both("Tệp", "File")}</th>'
           f'<th>{both("Nội dung", "Message")}</th></tr></thead><tbody>{finding_rows}</tbody></table>'
           if findings else f"<p>{both('Không có phát hiện nào.', 'No findings.')}</p>")
        + f'<h2>{both("Báo cáo năm nay", "This year’s reports")}</h2>'
        + (f'<table class="cards"><thead><tr><th>{both("Kỳ", "Period")}</th><th>{both("Biểu", "Dataset")}</th>'
           f'<th>{both("Tình trạng", "Status")}</th><th>{both("Hạn", "Due")}</th><th>{both("Đúng hạn", "Timeliness")}</th>'
           f"</tr></thead><tbody>{submission_rows}</tbody></table>"
           if submissions else f"<p>{both('Không có báo cáo nào đến hạn.', 'No reports expected.')}</p>")
        + units_section(record, code))
    return _page(f"{name} ({code}) — TTHC", body, record, depth=1)


COMPARISON_VI = {"match": "Khớp", "mismatch": "Lệch", "not_in_submitted": "Báo cáo tỉnh bỏ trống",
                 "not_in_compiled": "Đơn vị không báo cáo"}


def units_section(record: dict[str, Any], code: str) -> str:
    """Per period its units reported (contract §1.6): units × datasets, each cell coloured by its
    timeliness, the coverage of each compiled report, and the compiled figures against the
    province's own report where it sent one. Empty for a province without unit reports."""
    rows = [r for r in record.get("unit_submissions", []) if r["province_code"] == code]
    if not rows:
        return ""
    compared = [r for r in record.get("compiled_vs_submitted", []) if r["province_code"] == code]
    out = [f'<h2>{both("Báo cáo của các đơn vị", "Units’ reports")}</h2>']
    for period in sorted({r["period"] for r in rows}, reverse=True):
        mine = [r for r in rows if r["period"] == period]
        datasets = sorted({r["dataset"] for r in mine})
        units = sorted({(r["level"], r["unit_code"], r["unit_name"]) for r in mine},
                       key=lambda u: (("province", "district", "commune").index(u[0]), u[1]))
        cell = {(r["unit_code"], r["dataset"]): r for r in mine}
        coverage = {r["dataset"]: r for r in mine}
        head = "".join(f"<th>{escape(d)}</th>" for d in datasets)
        body = "".join(
            f'<tr><td class="name">{escape(name)} <small>({escape(unit)})</small></td>'
            + "".join(f'<td data-label="{escape(d)}">{_unit_cell(cell.get((unit, d)))}</td>' for d in datasets)
            + "</tr>"
            for _, unit, name in units)
        totals = "".join(
            f'<td class="num">{coverage[d]["units_in"] or 0}/{coverage[d]["units_expected"] or len(units)}</td>'
            for d in datasets)
        out.append(
            f"<h3>{both('Kỳ', 'Period')} {escape(period)}</h3>"
            f'<table class="units"><thead><tr><th>{both("Đơn vị", "Unit")}</th>{head}</tr></thead><tbody>{body}'
            f'<tr><td><b>{both("Đã gửi / dự kiến", "In / expected")}</b></td>{totals}</tr></tbody></table>')
        differences = [r for r in compared if r["period"] == period]
        if differences:
            out.append(
                f'<table class="cards"><thead><tr><th>{both("Biểu", "Dataset")}</th><th>{both("Cột", "Column")}</th>'
                f'<th>{both("Báo cáo của tỉnh", "Province’s report")}</th><th>{both("Tổng hợp từ đơn vị", "Compiled")}</th>'
                f'<th>{both("So sánh", "Comparison")}</th></tr></thead><tbody>'
                + "".join(
                    f'<tr><td>{escape(r["dataset"])}</td><td>{escape(r["column_name"])}</td>'
                    f'<td class="num">{vn_int(r["submitted_value"])}</td><td class="num">{vn_int(r["compiled_value"])}</td>'
                    f'<td class="{"error" if r["status"] != "match" else ""}">'
                    f'{both(COMPARISON_VI[r["status"]], r["status"])}</td></tr>'
                    for r in differences)
                + "</tbody></table>")
    return "".join(out)


def _unit_cell(row: dict[str, Any] | None) -> str:
    if row is None:
        return ""
    status = both(SUBMISSION_VI.get(row["status"], row["status"]), row["status"])
    return f"{_timeliness(row.get('timeliness'))}<br><small>{status}</small>" if row.get("timeliness") else status


def _timeliness(timeliness: str | None) -> str:
    if not timeliness:
        return ""
    vi, en, colour = TIMELINESS[timeliness]
    return f'<span style="color:{colour}">■</span> {both(vi, en)}'


def tests_page(record: dict[str, Any]) -> str:
    tests = record.get("test_history", [])

    def squares(recent: str | None) -> str:
        return '<span class="runs">' + "".join(
            f'<span class="{escape(s)}" title="{escape(s)}"></span>' for s in (recent or "").split()) + "</span>"

    def test_row(t: dict[str, Any]) -> str:
        status = t["history_status"]
        since = escape(t["failing_since_run_id"] or "") if status != "resolved" else ""
        return (f'<tr><td class="{"error" if status in ("new", "chronic") else "ok"}" data-label="Tình trạng">'
                f'{both(HISTORY_VI[status], status)}</td><td data-label="Kiểm thử">{escape(t["test_name"])}'
                f'<br><small>{escape(t["model"] or "")} · {escape(t["severity"] or "")}</small></td>'
                f'<td data-label="Các lần chạy">{squares(t["recent_statuses"])}</td>'
                f'<td data-label="Từ lần chạy"><small>{since}</small></td></tr>')

    head = ('<table class="cards"><thead><tr>' + "".join(
        f"<th>{both(vi, en)}</th>" for vi, en in (("Tình trạng", "Status"), ("Kiểm thử", "Test"),
                                                 ("Các lần chạy, cũ trước", "Runs, oldest first"),
                                                 ("Lỗi từ lần chạy", "Failing since run"))) + "</tr></thead><tbody>")
    failing = [t for t in tests if t["history_status"] != "passing"]
    passing = [t for t in tests if t["history_status"] == "passing"]
    findings = record.get("finding_history", [])
    finding_rows = "".join(
        f'<tr><td data-label="Tình trạng">{both(HISTORY_VI[f["history_status"]], f["history_status"])}</td>'
        f'<td class="{escape(f["severity"])}" data-label="Mức">{escape(SEVERITY_VI.get(f["severity"], f["severity"]))}</td>'
        f'<td data-label="Tệp">{escape(f["source_file"] or "")}{escape(_line(f["line_number"]))}'
        f'<br><small>{escape(f["message"])}</small></td>'
        f'<td data-label="Xuất hiện">{escape(vn_date(f["first_seen_at"]))}</td>'
        f'<td data-label="Số lần chạy" class="num">{f["runs_held"] or ""}</td></tr>'
        for f in findings)
    body = (
        f'<h1>{both("Lịch sử kiểm thử và phát hiện", "Test and finding history")}</h1>'
        f'<h2>{both("Kiểm thử chưa đạt hoặc vừa khắc phục", "Tests failing or just resolved")} ({len(failing)})</h2>'
        + (head + "".join(map(test_row, failing)) + "</tbody></table>" if failing
           else f"<p>{both('Mọi kiểm thử đều đạt.', 'Every test passes.')}</p>")
        + f'<details><summary>{both("Kiểm thử đạt", "Passing tests")} ({len(passing)})</summary>'
        + head + "".join(map(test_row, passing)) + "</tbody></table></details>"
        + f'<h2>{both("Phát hiện qua các lần chạy", "Findings over the runs")} ({len(findings)})</h2>'
        + (f'<table class="cards"><thead><tr><th>{both("Tình trạng", "Status")}</th><th>{both("Mức", "Severity")}</th>'
           f'<th>{both("Tệp, nội dung", "File, message")}</th><th>{both("Xuất hiện", "Appeared")}</th>'
           f'<th>{both("Số lần chạy", "Runs")}</th></tr></thead><tbody>{finding_rows}</tbody></table>'
           if findings else f"<p>{both('Không có phát hiện nào.', 'No findings.')}</p>"))
    return _page("Lịch sử kiểm thử / Test history — TTHC", body, record)


def _line(line_number: int | None) -> str:
    return f", dòng {line_number}" if line_number else ""


def write_site(record: dict[str, Any], directory: Path) -> list[str]:
    """Write the pages whose content changed (each atomically: a reader never sees half a page); a
    page that shows what it showed before is left as it is, with the footer of the run that last
    changed it. Returns the pages written, relative to `directory`."""
    pages = {"index.html": overview(record), "tests.html": tests_page(record),
             "run.html": _page(f"Lần chạy {record['run_id']} / TTHC run report", run_report(record), record)}
    for code, name in _province_names(record).items():
        pages[f"provinces/{code}.html"] = province_page(record, code, name)
    written = [relative for relative, html in pages.items() if _changed(directory / relative, html)]
    for relative in written:
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(pages[relative], encoding="utf-8")
        os.replace(tmp, target)
    return written


_FOOTER = re.compile(r'<footer class="print">.*?</footer>', re.DOTALL)


def _changed(page: Path, html: str) -> bool:
    """Whether `html` shows something other than the page on disk (the footer, which names the
    run, aside)."""
    try:
        before = page.read_text(encoding="utf-8")
    except FileNotFoundError:
        return True
    return _FOOTER.sub("", before) != _FOOTER.sub("", html)
