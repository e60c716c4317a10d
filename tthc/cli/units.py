"""A province's units (contract §1.6): `tthc units from-766` writes their list
(raw/units/<province>/units.csv) from its 766 captures; `tthc compile` writes the province's
report compiled from their reports."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Any

from tthc.cli.words import both, say
from tthc.settings import load_settings

LEVEL_WORDS = {"province": both("cấp tỉnh", "province level"), "district": both("cấp huyện", "district"),
               "commune": both("cấp xã", "commune")}


def cmd_units_from_766(args: argparse.Namespace) -> int:
    """Write or update the list from the captures; exit 1 when a file or the list on disk cannot be read."""
    from tthc.contract.provinces import merger_date, named
    from tthc.contract.units import UnitsError, parse_units, write_units
    from tthc.ingest.index766 import ShapeError, snapshot_groups
    from tthc.ingest.recognise import recognise_capture
    from tthc.ingest.units766 import merge_units, units_in_captures

    settings = load_settings(raw_dir=args.raw_dir)
    captures, provinces, captured = [], set(), []
    for name in args.files:
        path = Path(name)
        try:
            data = path.read_bytes()
        except OSError as err:
            say("units", f"không đọc được {name}: {err.strerror or err}", f"cannot read {name}: {err.strerror or err}")
            return 1
        found = recognise_capture(data, path.name)
        group = found.snapshot_group
        if group is None or snapshot_groups()[group].shape == "national":
            why = "; ".join(p.en for p in found.problems) or "the national file lists provinces, not a province's units"
            say("units", f"{name}: không phải bản lấy số liệu 766 của một tỉnh", f"{name}: not a province's 766 capture ({why})")
            return 1
        if found.province is None:
            say("units", f"{name}: không rõ tỉnh nào", f"{name}: which province it is cannot be told")
            return 1
        provinces.add(found.province)
        captures.append((group, data))
        if found.captured_on:
            captured.append(found.captured_on)
    if len(provinces) != 1:
        say("units", f"các tệp thuộc nhiều tỉnh: {', '.join(sorted(provinces))}",
            f"the files are of several provinces: {', '.join(sorted(provinces))}; give one province's captures")
        return 1
    province = provinces.pop()
    if args.province and args.province != province:
        say("units", f"các tệp là của tỉnh {province}, không phải {args.province}",
            f"the files are province {province}'s, not {args.province}'s")
        return 1
    try:
        portal = units_in_captures(captures, since=merger_date() if captured and min(captured) >= merger_date() else None)
    except (ShapeError, ValueError) as err:
        say("units", f"tệp không đúng cấu trúc của Cổng: {err}", f"a file is not the portal's shape: {err}")
        return 1
    target = settings.raw_dir / "units" / province / "units.csv"
    try:
        existing = parse_units(target.read_bytes()) if target.exists() else []
    except UnitsError as err:
        say("units", f"{target}: {err}; sửa tệp trước", f"{target}: {err}; mend it first")
        return 1
    merged = merge_units(existing, portal.units)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(write_units(merged.units), encoding="utf-8")
    levels = Counter(u.level for u in merged.units)
    by_level = ", ".join(f"{levels[k]} {LEVEL_WORDS[k]}" for k in LEVEL_WORDS if levels[k])
    print(f"{named(province)}: {len(merged.units)} " + both("đơn vị", "units") + f" ({by_level}) → {target}")
    print(both(f"  {len(merged.added)} mới, {len(merged.given_portal_id)} bổ sung mã Cổng, "
               f"{len(merged.units) - len(merged.added) - len(merged.given_portal_id)} giữ nguyên",
               f"{len(merged.added)} added, {len(merged.given_portal_id)} given their portal id, "
               f"{len(merged.units) - len(merged.added) - len(merged.given_portal_id)} unchanged"))
    if merged.not_in_captures:
        names = ", ".join(u.unit_code for u in merged.not_in_captures)
        print(both(f"  có trong danh sách, không có trên Cổng: {names}", f"in the list, not in the captures: {names}"))
    if portal.without_code:
        print(both(f"  không có mã trên Cổng, không thêm: {', '.join(portal.without_code)}",
                   f"no code in any capture, not added: {', '.join(portal.without_code)}"))
    return 0


def cmd_compile(args: argparse.Namespace) -> int:
    """The province's report compiled from its units, written as the forms lay it out (.xlsx or
    .csv); exit 3, writing nothing, when units are missing and --allow-missing was not given."""
    from tthc.contract.datasets import load_contract
    from tthc.report.compiled import FORMS, read_compiled, write_csv, write_xlsx
    from tthc.warehouse import connect_published

    output = Path(args.output)
    suffix = output.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        say("compile", f"{output}: tệp ra phải là .xlsx hoặc .csv", f"{output}: the output must be .xlsx or .csv")
        return 1
    if args.dataset not in FORMS:
        say("compile", f"không có biểu {args.dataset}", f"no form {args.dataset} (one of {', '.join(FORMS)})")
        return 1
    settings = load_settings(warehouse=args.warehouse)
    con = connect_published(settings)
    if con is None:
        say("compile", f"chưa có kho dữ liệu đã công bố tại {settings.warehouse}; chạy `tthc run` trước",
            f"no published warehouse at {settings.warehouse}; run `tthc run` first")
        return 1
    try:
        province = args.province or _only_province(con, args.dataset, args.period)
        report = read_compiled(con, args.dataset, province, args.period) if province else None
    finally:
        con.close()
    if report is None:
        say("compile", f"không có báo cáo đơn vị nào cho {args.dataset} {province or ''} {args.period}",
            f"no unit report for {args.dataset} {province or '(give --province)'} {args.period} in the published warehouse")
        return 1
    if report.missing and not args.allow_missing:
        names = "; ".join(f"{x.unit_code} {x.label}" for x in report.missing)
        say("compile", f"thiếu báo cáo của {len(report.missing)} đơn vị: {names}; thêm --allow-missing để vẫn ghi",
            f"{len(report.missing)} units have not reported: {names}; --allow-missing writes it anyway, naming them")
        return 3
    dataset = load_contract().datasets[args.dataset]
    written = (write_xlsx if suffix == ".xlsx" else write_csv)(report, dataset, output)
    print(f"Đã ghi / wrote {written}: {args.dataset} {province} {args.period}, "
          + both(f"{report.units_in}/{report.units_expected} đơn vị", f"{report.units_in}/{report.units_expected} units"))
    return 0


def _only_province(con: Any, dataset: str, period: str) -> str | None:
    """The province whose units reported this dataset and period, when there is one only."""
    rows = con.execute(
        "select distinct province_code from marts.compiled_reports where dataset = ? and period = ? order by 1",
        [dataset, period],
    ).fetchall()
    if len(rows) > 1:
        codes = ", ".join(r[0] for r in rows)
        say("compile", f"nhiều tỉnh có báo cáo đơn vị ({codes}): chọn bằng --province", f"several provinces have unit reports ({codes}): give --province")
    return rows[0][0] if len(rows) == 1 else None
