"""The run report page (the site's run.html, tthc/report/site.py), from a run's log: the run's files,
tests, findings, submissions and indicators, and the Decision 766 index.

Vietnamese first with English labels, Vietnamese number formats ("1.191.036", "33,38 %"),
and one inline SVG bar chart of ratio indicators per province and period.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape
from typing import Any

from tthc.report.charts import Bar, bar_chart
from tthc.report.index766 import index766_section
from tthc.report.vn_format import both, vn_date, vn_int, vn_percent
from tthc.runs.summary import summary_lines

STATUS_VI = {"pass": "Đạt", "warn": "Cảnh báo", "fail": "Không đạt", "error": "Lỗi", "skipped": "Bỏ qua"}
SEVERITY_VI = {"error": "Lỗi", "warn": "Cảnh báo"}
SUBMISSION_VI = {"current": "Đã gửi", "rejected": "Bị từ chối", "missing": "Chưa gửi"}
# Timeliness of a report (marts.submissions): Vietnamese, English, and the cell's colour.
TIMELINESS = {
    "overdue": ("Quá hạn", "overdue", "#d32f2f"),
    "late": ("Gửi muộn", "late", "#ef6c00"),
    "rejected_pending": ("Bị từ chối, chờ gửi lại", "rejected, pending", "#8e24aa"),
    "due_soon": ("Sắp đến hạn", "due soon", "#f9a825"),
    "on_time": ("Đúng hạn", "on time", "#2e7d32"),
    "not_yet_due": ("Chưa đến hạn", "not yet due", "#b0bec5"),
}


def _indicators(record: dict[str, Any]) -> str:
    by_report: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in record.get("indicators", []):
        by_report[(r["province_code"], r["province_name"] or "", r["period"])].append(r)
    if not by_report:
        return "<p>Chưa có chỉ tiêu nào. <span class=\"en\">/ No indicators yet.</span></p>"
    out = []
    for (code, name, period), rows in sorted(by_report.items()):
        out.append(f"<h3>{escape(name)} ({escape(code)}) — {escape(period)}</h3>")
        ratios = [r for r in rows if r["unit"] == "ratio"]
        if ratios:
            out.append(bar_chart([Bar(r["name_vi"], r["name_en"], r["value"], vn_percent(r["value"])) for r in ratios]))
        counts = [r for r in rows if r["unit"] == "count"]
        if counts:
            out.append("<table><tr><th>" + both("Chỉ tiêu", "Indicator") + "</th><th>" + both("Giá trị", "Value") + "</th></tr>")
            out += [
                f'<tr><td>{both(r["name_vi"], r["name_en"])}</td><td class="num">{vn_int(r["value"])}</td></tr>'
                for r in counts
            ]
            out.append("</table>")
        ratio_rows = [r for r in ratios if r["numerator"] is not None or r["denominator"] is not None]
        if ratio_rows:
            out.append("<table><tr><th>" + both("Chỉ tiêu", "Indicator") + "</th><th>" + both("Tử số", "Numerator")
                       + "</th><th>" + both("Mẫu số", "Denominator") + "</th><th>" + both("Tỷ lệ", "Rate") + "</th></tr>")
            out += [
                f'<tr><td>{escape(r["name_vi"])}</td><td class="num">{vn_int(r["numerator"])}</td>'
                f'<td class="num">{vn_int(r["denominator"])}</td><td class="num">{vn_percent(r["value"])}</td></tr>'
                for r in ratio_rows
            ]
            out.append("</table>")
    return "".join(out)


def _tests(record: dict[str, Any]) -> str:
    tests = record.get("tests", [])
    counts = defaultdict(int)
    for t in tests:
        counts[t["status"]] += 1
    cards = "".join(
        f'<span class="card {escape(s)}">{escape(STATUS_VI.get(s, s))} / {escape(s)}: <b>{n}</b></span>'
        for s, n in sorted(counts.items())
    )
    if record.get("build_skipped"):
        return ("<p>Không có dữ liệu mới: không chạy lại dbt. <span class=\"en\">/ Nothing new was loaded: "
                "the dbt build was skipped and the published marts stand.</span></p>")
    errors = "".join(f'<li class="error">{escape(e)}</li>' for e in record.get("build_errors", []))
    not_passed = [t for t in tests if t["status"] != "pass"]
    rows = "".join(
        f'<tr><td class="{escape(t["status"])}">{escape(STATUS_VI.get(t["status"], t["status"]))}</td>'
        f'<td>{escape(t["test_name"])}</td><td>{escape(t["model"] or "")}</td><td class="num">{t["failures"] if t["failures"] is not None else ""}</td></tr>'
        for t in not_passed
    )
    table = (
        "<table><tr><th>" + both("Kết quả", "Status") + "</th><th>" + both("Kiểm thử", "Test") + "</th><th>"
        + both("Bảng", "Model") + "</th><th>" + both("Số dòng lỗi", "Failures") + "</th></tr>" + rows + "</table>"
        if rows else ""
    )
    return f"<p>{cards}</p>" + (f"<ul>{errors}</ul>" if errors else "") + table


def _findings(record: dict[str, Any]) -> str:
    findings = record.get("findings", [])
    if not findings:
        return "<p>Không có phát hiện nào. <span class=\"en\">/ No findings.</span></p>"
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for f in findings:
        groups[(f["province_code"] or "", f["severity"])].append(f)
    out = []
    for (province, severity), rows in sorted(groups.items()):
        out.append(f'<h3>{both("Tỉnh", "Province")} {escape(province)} — '
                   f'<span class="{escape(severity)}">{escape(SEVERITY_VI.get(severity, severity))} / {escape(severity)}</span></h3>')
        out.append("<table><tr><th>" + both("Tệp, dòng", "File, line") + "</th><th>" + both("Nội dung", "Message")
                   + "</th><th>" + both("Mong đợi", "Expected") + "</th><th>" + both("Thực tế", "Actual") + "</th></tr>")
        out += [
            f'<tr><td>{escape(f["source_file"])}{escape(_where(f))}</td>'
            f'<td>{escape(f["message_vi"])}<br><span class="en">{escape(f["message"])}</span></td>'
            f'<td class="num">{escape(_vn_figure(f["expected_value"]))}</td><td class="num">{escape(_vn_figure(f["actual_value"]))}</td></tr>'
            for f in rows
        ]
        out.append("</table>")
    return "".join(out)


def _where(finding: dict) -> str:
    """", Biểu II.06b!G9" for a workbook's cell, ", dòng 9, cột 7" for a CSV file's, ", dòng 9" for a row."""
    cell = finding.get("cell")
    if cell and cell.startswith("line "):
        return ", " + cell.replace("line", "dòng", 1).replace(", column", ", cột", 1)
    if cell:
        return ", " + cell
    return f", dòng {finding['line_number']}" if finding["line_number"] else ""


def _vn_figure(text: str | None) -> str:
    """Whole numbers in findings shown the Vietnamese way; anything else as written."""
    return vn_int(int(text)) if text and text.isdigit() else (text or "")


def _timeliness_matrix(record: dict[str, Any]) -> str:
    """The year's reports at a glance: overdue and late ones listed first, then one matrix per
    dataset, provinces × periods, one coloured cell per report."""
    rows = [s for s in record.get("submissions", []) if s.get("timeliness")]
    if not rows:
        return ""
    out = ['<p class="legend">' + "".join(
        f'<span style="background:{colour}">{escape(vi)} / {escape(en)}</span>' for vi, en, colour in TIMELINESS.values()) + "</p>"]
    items = []
    for timeliness in ("overdue", "late"):  # listed first, the most recently due first, 25 of each at most
        mine = sorted((s for s in rows if s["timeliness"] == timeliness),
                      key=lambda s: (str(s["due_date"]), s["dataset"], s["province_code"]), reverse=True)
        vi, en, _ = TIMELINESS[timeliness]
        items += [
            f'<li><b>{escape(vi)} / {escape(en)}</b>: {escape(s["province_name"])} ({escape(s["province_code"])}) — '
            f'{escape(s["dataset"])} {escape(s["period"])}, {both("hạn", "due")} {escape(vn_date(s["due_date"]))}</li>'
            for s in mine[:25]
        ]
        if len(mine) > 25:
            items.append(f"<li>{escape(vi)} / {escape(en)}: … {len(mine) - 25} {both('báo cáo khác', 'more')}</li>")
    if items:
        out.append("<ul>" + "".join(items) + "</ul>")
    by_dataset: dict[str, dict[tuple[str, str], dict[str, Any]]] = defaultdict(dict)
    for s in rows:
        by_dataset[s["dataset"]][(s["province_code"], s["period"])] = s
    for dataset, cells in sorted(by_dataset.items()):
        periods = sorted({p for _, p in cells})
        provinces = sorted({(code, cells[(code, p)]["province_name"]) for code, p in cells})
        head = "".join(f"<th>{escape(p)}</th>" for p in periods)
        body = []
        for code, name in provinces:
            tds = []
            for period in periods:
                s = cells.get((code, period))
                if s is None:
                    tds.append("<td></td>")
                    continue
                vi, en, colour = TIMELINESS[s["timeliness"]]
                tds.append(f'<td class="t" style="background:{colour}" title="{escape(f"{name} {period}: {vi} / {en}")}">'
                           f'<span class="en" style="color:#fff">{escape(vi[:1])}</span></td>')
            body.append(f"<tr><th>{escape(name)} ({escape(code)})</th>{''.join(tds)}</tr>")
        out.append(f'<h3>{escape(dataset)}</h3><div class="matrix"><table><thead><tr><th></th>{head}</tr></thead>'
                   f'<tbody>{"".join(body)}</tbody></table></div>')
    return "".join(out)


def _submissions(record: dict[str, Any]) -> str:
    groups: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for s in record.get("submissions", []):
        groups[(s["period"], s["dataset"])][s["status"]].append(f'{s["province_name"]} ({s["province_code"]})')
    if not groups:
        return ""
    out = ["<table><tr><th>" + both("Kỳ", "Period") + "</th><th>" + both("Biểu", "Dataset") + "</th>"
           + "".join(f"<th>{both(SUBMISSION_VI[k], k)}</th>" for k in ("current", "rejected", "missing")) + "</tr>"]
    for (period, dataset), by_status in sorted(groups.items()):
        cells = []
        for status in ("current", "rejected", "missing"):
            names = by_status.get(status, [])
            shown = ", ".join(map(escape, names)) if status != "missing" else (
                f"<details><summary>{len(names)}</summary>{', '.join(map(escape, names))}</details>" if names else "0")
            cells.append(f"<td>{shown}</td>")
        out.append(f"<tr><td>{escape(period)}</td><td>{escape(dataset)}</td>{''.join(cells)}</tr>")
    out.append("</table>")
    return "".join(out)


def run_report(record: dict[str, Any]) -> str:
    """The body of the run report page (the site's run.html, tthc/report/site.py)."""
    published = record["published"]
    state = (
        '<span class="ok">Đã công bố / Published</span>' if published
        else '<span class="error">Không công bố (kho dữ liệu giữ nguyên bản trước) / Not published (the previous warehouse stays)</span>'
    )
    files = defaultdict(int)
    for f in record.get("files", []):
        files[f["status"]] += 1
    turned_away = "".join(
        f'<li>{escape(f["path"])} — {escape(f["status"])}: {escape(f["reason"] or "")}</li>'
        for f in record.get("files", []) if f["status"] in ("refused", "rejected")
    )
    return f"""<h1>{both("Kho dữ liệu TTHC — báo cáo lần chạy", "TTHC Warehouse — run report")}</h1>
<p>{both("Lần chạy", "Run")} <code>{escape(record["run_id"])}</code>: {state}</p>
<h2 id="timeliness">{both("Hạn gửi báo cáo năm nay", "This year's reports and their deadlines")}</h2>
{_timeliness_matrix(record)}
<pre class="summary">{escape(chr(10).join(summary_lines(record)))}</pre>
<p>{"".join(f'<span class="card">{escape(k)}: <b>{v}</b></span>' for k, v in sorted(files.items()))}</p>
{f"<ul>{turned_away}</ul>" if turned_away else ""}
<h2 id="indicators">{both("Chỉ tiêu theo tỉnh", "Indicators by province")}</h2>
{_indicators(record)}
<h2 id="tests">{both("Kết quả kiểm thử", "Test results")}</h2>
{_tests(record)}
<h2 id="findings">{both("Phát hiện về chất lượng dữ liệu", "Data quality findings")}</h2>
{_findings(record)}
<h2 id="submissions">{both("Tình hình gửi báo cáo", "Submissions")}</h2>
{_submissions(record)}
<h2 id="index766">{both("Bộ chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766)", "Decision 766 index")}</h2>
{index766_section(record)}
"""
