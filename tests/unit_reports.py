"""Units' reports for tests (contract §1.6): figures that satisfy every identity of the forms (so
a finding means the reader or the compiler erred), written as a unit writes them.

Figures are built from their parts, in the contract's words (domain.md): received = resolved +
pending, each total the sum of its parts, and no ratio above one.
"""

from __future__ import annotations

import csv
import io
import random

# One header label per column, as units write them (contract §1.4), per form dataset.
LABELS = {
    "dossier_results": {
        "received_total": "Tổng số hồ sơ tiếp nhận", "received_online": "Tiếp nhận trực tuyến",
        "received_offline": "Trực tiếp và qua bưu chính", "carried_over": "Từ kỳ trước",
        "resolved_total": "Đã giải quyết - Tổng số", "resolved_early": "Trước hạn", "resolved_on_time": "Đúng hạn",
        "resolved_late": "Giải quyết quá hạn", "pending_total": "Đang giải quyết: Tổng số",
        "pending_in_time": "Trong hạn", "pending_late": "Số hồ sơ đang giải quyết (Quá hạn)",
    },
    "procedure_inventory": {
        f"{group}_{level}": f"{title} - {label}"
        for group, title in (("procedures", "Tổng số TTHC"), ("one_stop", "Một cửa"), ("internal_process", "Quy trình nội bộ"))
        for level, label in (("total", "Tổng số"), ("province", "Cấp tỉnh"), ("district", "Cấp huyện"), ("commune", "Cấp xã"))
    },
    "online_services": {
        "services_total": "Tổng số DVCTT", "services_partial": "Một phần", "services_full": "Toàn trình",
        "integration_eligible": "Số DVCTT phải tích hợp", "integrated_national": "Tích hợp lên Cổng DVCQG",
    },
    "feedback": {
        "received_total": "Tổng số PAKN tiếp nhận", "about_regulations": "Về quy định hành chính",
        "about_conduct": "Về hành vi hành chính", "resolved": "Đã xử lý", "pending": "Đang xử lý", "published": "Đã công khai",
    },
    "procedure_control": {
        "announcement_decisions": "Số quyết định công bố", "procedures_announced": "Số TTHC được công bố",
        "legal_documents": "Số văn bản QPPL có quy định TTHC", "units_inspected": "Số đơn vị được kiểm tra",
    },
}
DATASETS = tuple(LABELS)


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total])]


def figures(dataset: str, rng: random.Random, scale: int = 500) -> dict[str, int]:
    """One row's figures, every identity of the dataset holding."""
    if dataset == "dossier_results":
        early, on_time, late = (rng.randint(0, scale) for _ in range(3))
        in_time, overdue = rng.randint(0, scale // 5), rng.randint(0, scale // 10)
        received = early + on_time + late + in_time + overdue
        online, offline, carried = _split(rng, received, 3)
        return {"received_total": received, "received_online": online, "received_offline": offline, "carried_over": carried,
                "resolved_total": early + on_time + late, "resolved_early": early, "resolved_on_time": on_time,
                "resolved_late": late, "pending_total": in_time + overdue, "pending_in_time": in_time, "pending_late": overdue}
    if dataset == "procedure_inventory":
        out = {}
        procedures = [rng.randint(1, scale) for _ in range(3)]
        for group, share in (("procedures", 1.0), ("one_stop", 0.9), ("internal_process", 0.7)):
            by_level = [int(n * share) for n in procedures]
            out |= {f"{group}_total": sum(by_level), f"{group}_province": by_level[0], f"{group}_district": by_level[1],
                    f"{group}_commune": by_level[2]}
        return out
    if dataset == "online_services":
        partial, full = rng.randint(0, scale), rng.randint(0, scale)
        return {"services_total": partial + full + rng.randint(0, scale), "services_partial": partial, "services_full": full,
                "integration_eligible": partial + full, "integrated_national": rng.randint(0, partial + full)}
    if dataset == "feedback":
        regulations, conduct = rng.randint(0, scale // 10), rng.randint(0, scale // 10)
        received = regulations + conduct
        resolved = rng.randint(0, received)
        return {"received_total": received, "about_regulations": regulations, "about_conduct": conduct,
                "resolved": resolved, "pending": received - resolved, "published": rng.randint(0, resolved)}
    return {c: rng.randint(0, scale // 10) for c in LABELS[dataset]}


def unit_report_csv(dataset: str, rows: list[tuple[str, dict[str, int]]], total: bool = True) -> bytes:
    """A unit's report: its breakdown rows (sector, or commune for a district), and its total row
    unless `total` is false (its figure is then their sum)."""
    columns = list(LABELS[dataset])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Lĩnh vực", *(LABELS[dataset][c] for c in columns)])
    for label, values in rows:
        writer.writerow([label, *(values[c] for c in columns)])
    if total:
        writer.writerow(["Tổng cộng", *(sum(v[c] for _, v in rows) for c in columns)])
    return out.getvalue().encode("utf-8")
