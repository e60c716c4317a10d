"""The report page's Decision 766 section: one block per province with snapshots, in inline SVG.

Per province: its group scores against their maxima (bars), its rank and score over the national
snapshots (a line), the ten weakest units of each group with the metric that loses them most
points, and the portal's progress figures against the reports'. Read from the run log's
index766_* rows (tthc/runs/runlog.py).
"""

from __future__ import annotations

from collections import defaultdict
from html import escape
from typing import Any

from tthc.report.charts import Bar, bar_chart
from tthc.report.vn_format import both, vn_date, vn_decimal, vn_int
from tthc.runs.movement import by_province_and_period, movement_lines

LEVEL_VI = {"department": "Sở, ngành", "commune": "Xã, phường"}
COMPARISON_VI = {
    "comparable_match": ("Khớp", "same definition, equal"),
    "comparable_mismatch": ("Lệch", "same definition, different"),
    "different_definition": ("Khác định nghĩa", "different definitions"),
}


def _group_bars(groups: list[dict[str, Any]]) -> str:
    """Each group's score against its maximum, one bar each."""
    bars = []
    for g in groups:
        share = g["score"] / g["max_score"] if g["max_score"] and g["score"] is not None else None
        label = f'{vn_decimal(g["score"])} / {vn_decimal(g["max_score"], 0)}'
        bars.append(Bar(g["name_vi"], f'{g["name_en"]} · {g["group_code"]}', share, label))
    return bar_chart(bars, label_width=300, bar_width=300, aria_label="group scores")


def _rank_line(ranks: list[dict[str, Any]]) -> str:
    """Rank (1 at the top) over the national snapshots, each point labelled with rank and score."""
    width, height, pad = 560, 150, 40
    worst = max(r["provinces_ranked"] for r in ranks)
    step = (width - 2 * pad) / max(1, len(ranks) - 1)
    points = [(pad + i * step, 20 + (r["rank"] - 1) / max(1, worst - 1) * (height - 60)) for i, r in enumerate(ranks)]
    parts = [f'<svg role="img" aria-label="rank over snapshots" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f'<line x1="{pad}" y1="20" x2="{width - pad}" y2="20" stroke="#dde"/>',
             '<text x="2" y="24" font-size="10" fill="#5a6777">1</text>',
             f'<text x="2" y="{height - 36}" font-size="10" fill="#5a6777">{worst}</text>']
    if len(points) > 1:
        parts.append('<polyline fill="none" stroke="#2f6fb3" stroke-width="2" points="'
                     + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
    for (x, y), r in zip(points, ranks):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#2f6fb3"/>')
        parts.append(f'<text x="{x:.1f}" y="{y - 8:.1f}" font-size="11" text-anchor="middle">'
                     f'{r["rank"]}/{r["provinces_ranked"]} · {vn_decimal(r["score"])}</text>')
        parts.append(f'<text x="{x:.1f}" y="{height - 8}" font-size="10" text-anchor="middle" fill="#5a6777">'
                     f'{escape(vn_date(r["snapshot_date"]))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _weakest(units: list[dict[str, Any]], names: dict[str, str]) -> str:
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for u in units:
        by_group[u["group_code"]].append(u)
    out = []
    for group, rows in by_group.items():  # in the index's order (tthc/runs/runlog.py)
        out.append(f"<details><summary>{escape(names.get(group, group))} ({escape(group)}), "
                   f"{both('ảnh chụp', 'snapshot')} {vn_date(rows[0]['snapshot_date'])}</summary><table><tr>"
                   f"<th>{both('Đơn vị', 'Unit')}</th><th>{both('Cấp', 'Level')}</th><th>{both('Điểm', 'Score')}</th>"
                   f"<th>{both('Chỉ tiêu mất điểm nhiều nhất', 'Metric losing most points')}</th></tr>")
        for u in rows:
            worst = (f'{escape(u["worst_metric_name"] or u["worst_metric"])} <span class="en">({escape(u["worst_metric"])}, '
                     f'−{vn_decimal(u["points_lost"])})</span>') if u["worst_metric"] else "—"
            out.append(f'<tr><td>{escape(u["unit_code"] or "")} {escape(u["unit_name"])}</td>'
                       f'<td>{escape(LEVEL_VI.get(u["unit_level"], u["unit_level"]))}</td>'
                       f'<td class="num">{vn_decimal(u["score"])} / {vn_decimal(u["max_score"], 0)}</td><td>{worst}</td></tr>')
        out.append("</table></details>")
    return "".join(out)


def _versus(rows: list[dict[str, Any]]) -> str:
    out = [f"<table><tr><th>{both('Kỳ', 'Period')}</th><th>{both('Nguồn báo cáo', 'Report source')}</th>"
           f"<th>{both('Cổng DVCQG', 'Portal')}</th><th>{both('Báo cáo', 'Report')}</th><th>{both('Đánh giá', 'Status')}</th></tr>"]
    for r in rows:
        vi, en = COMPARISON_VI[r["status"]]
        out.append(
            f'<tr><td>{escape(r["period"])}</td><td>{escape(r["report_source"])}</td>'
            f'<td class="num">{vn_decimal(r["portal_ratio"])} % <span class="en">({vn_int(r["portal_on_time"])} / '
            f'{vn_int(r["portal_received"])}; {vn_date(r["portal_period_start"])}–{vn_date(r["snapshot_date"])})</span><br>'
            f'<span class="en">{escape(r["portal_definition"])}</span></td>'
            f'<td class="num">{vn_decimal(r["report_ratio"])} % <span class="en">({vn_date(r["report_period_start"])}–'
            f'{vn_date(r["report_period_end"])})</span><br><span class="en">{escape(r["report_definition"])}</span></td>'
            f"<td>{both(vi, en)}</td></tr>")
    out.append("</table>")
    return "".join(out)


def _movement(record: dict[str, Any], code: str) -> str:
    """The province's movement in words, one paragraph per period (tthc/runs/movement.py)."""
    losses = by_province_and_period(record.get("index766_unit_losses", []))
    out = []
    for (province, period), rows in sorted(by_province_and_period(record.get("index766_movement", [])).items()):
        if province == code:
            out += [f'<p>{escape(vi)}<br><span class="en">{escape(en)}</span></p>'
                    for vi, en in movement_lines(rows, losses.get((province, period), []))]
    return "".join(out)


def index766_section(record: dict[str, Any]) -> str:
    """One block per province that has index snapshots; a sentence when none is loaded."""
    groups, ranks, weakest, versus = (defaultdict(list) for _ in range(4))
    for key, into in (("index766_groups", groups), ("index766_ranks", ranks), ("index766_weakest", weakest),
                      ("index766_vs_reports", versus)):
        for r in record.get(key, []):
            into[r["province_code"]].append(r)
    provinces = sorted(set(groups) | set(ranks) | set(weakest))
    if not provinces:
        return f"<p>{both('Chưa có ảnh chụp Bộ chỉ số nào.', 'No index snapshot is loaded.')}</p>"
    names = {g["group_code"]: g["name_vi"] for rows in groups.values() for g in rows}
    out = [f'<p class="en">{escape("Kỳ của Cổng là kỳ theo lịch (2026 = từ đầu năm đến ngày chụp), khác kỳ chốt số liệu của báo cáo.")}'
           " / The portal's periods are calendar periods (2026 = the year to date at capture), not the forms' cut-off windows.</p>"]
    for code in provinces:
        name = next((r["unit_name"] for r in ranks[code]), "")
        out.append(f'<section class="index766" id="index766-{escape(code)}"><h3>{escape(code)} {escape(name)}</h3>')
        if said := _movement(record, code):
            out.append(f"<h4>{both('Thay đổi so với ảnh chụp trước', 'Change since the previous snapshot')}</h4>{said}")
        if groups[code]:
            out.append(f"<h4>{both('Điểm theo nhóm', 'Score by group')}</h4>{_group_bars(groups[code])}")
        if ranks[code]:
            out.append(f"<h4>{both('Xếp hạng và tổng điểm qua các lần chụp', 'Rank and total over snapshots')}</h4>"
                       f"{_rank_line(ranks[code])}")
        if weakest[code]:
            out.append(f"<h4>{both('10 đơn vị điểm thấp nhất mỗi nhóm', 'Ten lowest units per group')}</h4>"
                       f"{_weakest(weakest[code], names)}")
        if versus[code]:
            out.append(f"<h4>{both('So với báo cáo định kỳ', 'Against the periodic reports')}</h4>{_versus(versus[code])}")
        out.append("</section>")
    return "".join(out)
