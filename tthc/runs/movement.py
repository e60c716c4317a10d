"""A week's movement on the Decision 766 index, said in words (Vietnamese, and English below):
the province's rank and score since the previous national snapshot, the groups that moved most,
and the units that lost most points. The report page and the capture's alert both say these."""

from __future__ import annotations

from typing import Any

GROUPS_SHOWN = 2
UNITS_SHOWN = 3


def _vi(number: float, signed: bool = False) -> str:
    text = f"{number:+,.2f}" if signed else f"{number:,.2f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def _en(number: float, signed: bool = False) -> str:
    return f"{number:+,.2f}" if signed else f"{number:,.2f}"


def _rank_words(change: int | None) -> tuple[str, str]:
    if not change:
        return "giữ hạng", "same rank"
    return (f"lên {change} bậc", f"up {change}") if change > 0 else (f"xuống {-change} bậc", f"down {-change}")


def moved(rows: list[dict[str, Any]]) -> bool:
    """The province's rank or any score changed since the previous snapshot."""
    return any(r.get("rank_change") or r.get("score_change") for r in rows)


def by_province_and_period(rows: list[dict[str, Any]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        grouped.setdefault((r["province_code"], r["period"]), []).append(r)
    return grouped


def movement_lines(movement: list[dict[str, Any]], losses: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """One province's movement in one period at its latest snapshot, as (Vietnamese, English) sentences."""
    total = next((r for r in movement if r["group_code"] == "TOTAL"), None)
    if total is None:
        return []
    vi_rank, en_rank = _rank_words(total["rank_change"])
    lines = [(
        f"Kỳ {total['period']}, ngày {total['snapshot_date']}: hạng {total['rank']}/{total['provinces_ranked']} ({vi_rank}), "
        f"tổng điểm {_vi(total['score'])} ({_vi(total['score_change'] or 0, signed=True)}) so với ảnh chụp trước.",
        f"Period {total['period']}, on {total['snapshot_date']}: rank {total['rank']} of {total['provinces_ranked']} ({en_rank}), "
        f"total {_en(total['score'])} ({_en(total['score_change'] or 0, signed=True)}) since the previous snapshot.",
    )]
    groups = sorted((r for r in movement if r["group_code"] != "TOTAL" and r["score_change"]),
                    key=lambda r: -abs(r["score_change"]))[:GROUPS_SHOWN]
    if groups:
        lines.append((
            "Nhóm thay đổi nhiều nhất: " + "; ".join(f"{r['group_name_vi']} {_vi(r['score_change'], True)}" for r in groups) + ".",
            "Groups that moved most: " + "; ".join(f"{r['group_name_en']} {_en(r['score_change'], True)}" for r in groups) + ".",
        ))
    units = sorted(losses, key=lambda r: -r["points_lost"])[:UNITS_SHOWN]
    if units:
        lines.append((
            "Đơn vị mất nhiều điểm nhất: " + "; ".join(f"{r['unit_name']} −{_vi(r['points_lost'])} ({r['group_code']})" for r in units) + ".",
            "Units that lost most points: " + "; ".join(f"{r['unit_name']} −{_en(r['points_lost'])} ({r['group_code']})" for r in units) + ".",
        ))
    return lines
