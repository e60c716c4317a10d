"""`tthc demo-data`: synthetic record-level dossier exports, clearly marked (synthetic = true).

Reproducible from a seed (every random choice is a hash of seed and row, so the same files come
out whatever the thread count), with seasonal monthly volume, channels, levels, due dates and
early / on-time / late / pending / returned / withdrawn outcomes; optionally calibrated so that a
year's totals are exactly a province's reported ones (Quảng Ninh 2020: 1,191,036 received;
506,606 early; 616,726 on time; 2,887 late). Files are written by DuckDB, never row by row.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from pathlib import Path

import duckdb

# Relative monthly volume: a dip around Tết (January–February), a rise towards the year's end.
SEASON = [0.85, 0.7, 1.0, 1.0, 1.05, 1.05, 1.0, 1.0, 1.0, 1.05, 1.1, 1.2]


@dataclass(frozen=True)
class Calibration:
    """A year's reported totals the generated records must add up to exactly."""

    received: int
    early: int
    on_time: int
    late: int

    def __post_init__(self) -> None:
        if min(self.received, self.early, self.on_time, self.late) < 0 or self.early + self.on_time + self.late > self.received:
            raise ValueError("calibration needs early + on time + late <= received, all >= 0")


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights`, exactly (largest remainder)."""
    scale = sum(weights)
    shares = [total * w / scale for w in weights]
    out = [int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: shares[i] - out[i], reverse=True)
    for i in by_remainder[: total - sum(out)]:
        out[i] += 1
    return out


def month_plan(year_total: Calibration, months: list[int]) -> dict[int, Calibration]:
    """Each month's counts; they add up to the year's exactly."""
    weights = [SEASON[m - 1] for m in months]
    received = apportion(year_total.received, weights)
    early = apportion(year_total.early, received)
    on_time = apportion(year_total.on_time, received)
    late = apportion(year_total.late, received)
    return {m: Calibration(r, e, o, lt) for m, r, e, o, lt in zip(months, received, early, on_time, late)}


def default_calibration(rows: int) -> Calibration:
    """Outcome shares like Quảng Ninh 2020's when no totals are given."""
    return Calibration(rows, round(rows * 0.4253), round(rows * 0.5178), round(rows * 0.0024))


MONTH_SQL = """
copy (
    with plan as (
        select
            range as i,
            hash($seed, $province, $month, range) as h
        from range($received)
    )
    select
        printf('%s-%04d%02d-%07d', $province, $year, $month, i + 1) as dossier_id,
        printf('P%04d', h % 1800) as procedure_code,
        printf('%s-U%03d', $province, (h >> 11) % 120) as unit_code,
        case when (h >> 20) % 100 < 60 then 'province' when (h >> 20) % 100 < 85 then 'district' else 'commune' end as level,
        case when (h >> 27) % 100 < 45 then 'online' when (h >> 27) % 100 < 95 then 'direct' else 'postal' end as channel,
        strftime(received, '%d/%m/%Y %H:%M:%S') as received_at,
        strftime(due, '%d/%m/%Y %H:%M:%S') as due_at,
        case
            when i < $early then strftime(due - to_days(cast(1 + (h >> 35) % 2 as integer)), '%d/%m/%Y %H:%M:%S')
            when i < $early + $on_time then strftime(due, '%d/%m/%Y') || ' 16:30:00'
            when i < $early + $on_time + $late then strftime(due + to_days(cast(1 + (h >> 35) % 5 as integer)), '%d/%m/%Y %H:%M:%S')
        end as resolved_at,
        case
            when i < $early + $on_time + $late then 'resolved'
            when (h >> 40) % 10 < 7 then 'pending'
            when (h >> 40) % 10 < 9 then 'returned'
            else 'withdrawn'
        end as status,
        true as synthetic
    from (
        select
            i, h,
            make_timestamp($year, $month, 1 + cast((h >> 44) % $days as integer), 7 + cast((h >> 50) % 10 as integer), 0, 0) as received,
            make_timestamp($year, $month, 1 + cast((h >> 44) % $days as integer), 7 + cast((h >> 50) % 10 as integer), 0, 0)
                + to_days(cast(3 + (h >> 56) % 12 as integer)) as due
        from plan
    )
    order by i
) to $path (header, delimiter ',')
"""


def write_demo_data(
    out_dir: Path, provinces: list[str], year: int, months: list[int], seed: int, calibration: Calibration | None = None,
    rows_per_year: int = 100_000,
) -> list[Path]:
    """Write <out_dir>/dossiers/<province>_<YYYY-MM>.csv for each province and month."""
    target_dir = out_dir / "dossiers"
    target_dir.mkdir(parents=True, exist_ok=True)
    year_total = calibration or default_calibration(rows_per_year)
    written = []
    con = duckdb.connect()
    try:
        for province in provinces:
            for month, plan in month_plan(year_total, months).items():
                path = target_dir / f"{province}_{year:04d}-{month:02d}.csv"
                con.execute(MONTH_SQL, {
                    "seed": seed, "province": province, "year": year, "month": month, "received": plan.received,
                    "early": plan.early, "on_time": plan.on_time, "late": plan.late,
                    "days": calendar.monthrange(year, month)[1], "path": str(path),
                })
                written.append(path)
    finally:
        con.close()
    return written
