"""A province's list of units (contract §1.6): refused whole, naming the line; and built from the
portal's 766 captures by `tthc units from-766`."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import SHIPPED_RAW
from tthc.cli.main import main
from tthc.contract.units import UnitsError, parse_units, write_units

HEADER = "unit_code,unit_name,level,parent_code,valid_from,valid_to,portal_id,emails\n"


def test_a_list_is_read_with_its_dates_and_addresses():
    units = parse_units((HEADER + "STP,Sở Tư pháp,province,,,,,a@x.vn; b@x.vn\n"
                         "HTY,UBND huyện Tiên Yên,district,,2020-01-01,30/06/2025,,\n"
                         "XDN,UBND xã Đông Ngũ,commune,HTY,,,p-1,\n").encode())
    assert [u.unit_code for u in units] == ["STP", "HTY", "XDN"]
    assert units[0].emails == ("a@x.vn", "b@x.vn")
    assert (units[1].valid_from, units[1].valid_to) == (date(2020, 1, 1), date(2025, 6, 30))
    assert units[1].valid_on(date(2025, 6, 30)) and not units[1].valid_on(date(2025, 7, 1))
    assert parse_units(write_units(units).encode()) == units


@pytest.mark.parametrize(("rows", "why"), [
    ("STP,Sở Tư pháp,department,,,,,\n", 'line 2: level "department" is not one of province, district, commune'),
    ("S T P,Sở Tư pháp,province,,,,,\n", 'line 2: unit_code "S T P" may hold only'),
    ("STP,,province,,,,,\n", "line 2: unit_name is empty"),
    ("STP,Sở Tư pháp,province,,,,,\nSTP,Sở Tư pháp,province,,,,,\n", 'line 3: unit_code "STP" is already valid on these dates (line 2)'),
    ("STP,Sở Tư pháp,province,,31/02/2021,,,\n", 'line 2: "31/02/2021" is not a date'),
    ("STP,Sở Tư pháp,province,,01/01/2022,01/01/2021,,\n", "line 2: valid_to 01/01/2021 is before valid_from 01/01/2022"),
    ("XDN,UBND xã Đông Ngũ,commune,HTY,,,,\n", 'line 2: parent_code "HTY" is not a unit of this list'),
    ("STP,Sở Tư pháp,province,,,,,stp at x.vn\n", 'line 2: "stp at x.vn" in emails is not an e-mail address'),
])
def test_a_list_that_breaks_a_rule_is_refused_naming_the_line(rows, why):
    with pytest.raises(UnitsError, match="^" + __import__("re").escape(why)):
        parse_units((HEADER + rows).encode())


def test_the_same_code_may_come_back_after_its_span_ends():
    units = parse_units((HEADER + "HTY,UBND huyện Tiên Yên,district,,,30/06/2025,,\n"
                         "HTY,Trung tâm hành chính công Tiên Yên,commune,,01/07/2025,,,\n").encode())
    assert len(units) == 2


def test_phu_thos_list_is_built_from_the_shipped_captures_and_an_offices_rows_are_kept(tmp_path, capsys):
    captures = sorted(str(p) for p in (SHIPPED_RAW / "index766").glob("25_2026_*.json"))
    target = tmp_path / "units" / "25" / "units.csv"
    target.parent.mkdir(parents=True)
    # The office had listed its Department of Justice under its own code, with an address.
    target.write_text(HEADER + "STP,Sở Tư pháp - Tỉnh Phú Thọ,province,,,,,stp@phutho.example.vn\n", encoding="utf-8")

    assert main(["units", "from-766", *captures, "--raw-dir", str(tmp_path)]) == 0

    units = parse_units(target.read_bytes())
    assert units[0].unit_code == "STP" and units[0].emails == ("stp@phutho.example.vn",)
    portal = units[1:]
    assert len(portal) == 163  # every unit under the province, as the portal lists them
    assert sum(u.level == "province" for u in portal) == 15 and sum(u.level == "commune" for u in portal) == 148
    assert all(u.portal_id and u.unit_code.startswith("H44.") for u in portal)
    assert {u.valid_from for u in portal} == {date(2025, 7, 1)}  # captured after the merger: today's units
    out = capsys.readouterr().out
    assert "Phú Thọ (25): 164" in out and "163 added" in out and "in the list, not in the captures: STP" in out

    assert main(["units", "from-766", *captures, "--raw-dir", str(tmp_path)]) == 0  # again: nothing new
    assert parse_units(target.read_bytes()) == units


def test_the_national_file_is_not_a_provinces_list(tmp_path, capsys):
    national = next((SHIPPED_RAW / "index766").glob("00_*.json"))
    assert main(["units", "from-766", str(national), "--raw-dir", str(tmp_path)]) == 1
    assert "not a province's 766 capture" in capsys.readouterr().err
