"""Unit tests of the parsing helpers: labels, header paths, decoding, periods, names."""

from __future__ import annotations

import codecs
import re
import unicodedata
from datetime import date

import pytest

from tthc.contract.datasets import load_contract
from tthc.contract.labels import level_of, normalize_label, total_kind
from tthc.contract.periods import period_bounds
from tthc.contract.provinces import code_valid_on
from tthc.ingest.decode import DecodeError, decode_text, detect_delimiter, read_csv_rows
from tthc.ingest.discover import parse_name
from tthc.ingest.header import HeaderError, map_header, match_column
from tthc.ingest.layout import lay_out
from tthc.ingest.read import parse_report

CONTRACT = load_contract()
_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as old Excel writes it: precomposed vowels, tone marks as separate combining characters."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in _TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_MARKS))
        out.append(base + tones)
    return "".join(out).encode("cp1258")
DATASETS = set(CONTRACT.datasets)
FOUND_RESULTS = parse_name("dossier_results/22_2021.csv", DATASETS, CONTRACT.snapshots)


def ds(name: str):
    return CONTRACT.datasets[name]


@pytest.mark.parametrize(
    "text, key",
    [
        ("Số hồ sơ đã giải quyết", "so ho so da giai quyet"),
        ("SO HO SO DA GIAI QUYET", "so ho so da giai quyet"),
        ("Hoà", "hoa"),
        ("Hòa", "hoa"),
        ("Đúng  hạn", "dung han"),
        ("Trực tiếp, dịch vụ bưu chính", "truc tiep dich vu buu chinh"),
        ("received_total", "received total"),
    ],
)
def test_normalize_label_ignores_case_diacritics_d_and_punctuation(text, key):
    assert normalize_label(text) == key


def test_normalize_label_accepts_nfd_input():
    assert normalize_label(unicodedata.normalize("NFD", "Tổng số TTHC")) == "tong so tthc"


@pytest.mark.parametrize(
    "path, expected",
    [
        (["Số hồ sơ đã giải quyết", "Quá hạn"], {"resolved_late"}),
        (["Số hồ sơ đang giải quyết", "Quá hạn"], {"pending_late"}),
        (["Số hồ sơ nhận giải quyết", "Trong đó", "Trực tuyến"], {"received_online"}),
        (["Số hồ sơ đã giải quyết: Quá hạn"], {"resolved_late"}),
        (["Số hồ sơ đang giải quyết - Tổng số"], {"pending_total"}),
        (["Số hồ sơ đã giải quyết (Tổng số)"], {"resolved_total"}),
        (["Quá hạn"], {"resolved_late", "pending_late"}),  # ambiguous on its own
        (["resolved_on_time"], {"resolved_on_time"}),
        (["Dung han"], {"resolved_on_time"}),
        (["Ghi chú khác"], set()),
    ],
)
def test_match_column_reads_labels_with_their_group(path, expected):
    assert match_column(ds("dossier_results"), path) == expected


def test_map_header_rejects_ambiguous_and_duplicate_labels():
    with pytest.raises(HeaderError, match='"Quá hạn" could mean any of pending_late, resolved_late'):
        map_header(ds("dossier_results"), CONTRACT.ignored, [["Đơn vị"], ["Quá hạn"]])
    with pytest.raises(HeaderError, match='"Mức độ 4" and "Toàn trình" both mean services_full'):
        map_header(ds("online_services"), CONTRACT.ignored, [["Mức độ 4"], ["Toàn trình"]])


def test_map_header_lists_unknown_columns_and_skips_stt():
    mapping, unknown = map_header(ds("feedback"), CONTRACT.ignored, [["STT"], ["Đơn vị"], ["Số điện thoại"], ["Đã xử lý"]])
    assert mapping == {1: "unit", 3: "resolved"}
    assert unknown == ["Số điện thoại"]


def test_level_and_total_labels():
    assert level_of("UBND cấp huyện") == "district"
    assert level_of("Sở, ban, ngành") == "province"
    assert level_of("Sở Tư pháp") is None
    assert total_kind("TỔNG CỘNG") == "total"
    assert total_kind("Tong so") == "total"
    assert total_kind("Cộng cấp huyện") == "subtotal"
    assert total_kind("Cấp tỉnh") is None


def test_three_row_merged_header_with_groups_levels_and_notes():
    text = (
        "Biểu số II.06a/VPCP/KSTT\n"
        "STT,Lĩnh vực,Số hồ sơ nhận giải quyết,,Số hồ sơ đã giải quyết,,,\n"
        ",,Tổng số,Trong đó,Tổng số,Trước hạn,Đúng hạn,Quá hạn\n"
        ",,,Trực tuyến,,,,\n"
        "1,2,3,4,5,6,7,8\n"
        ",Tổng cộng,30,5,28,10,15,3\n"
        "I,Cấp huyện,,,,,,\n"
        "1,Huyện A,10,2,9,4,4,1\n"
        "\n"
        "2,Huyện B,20,3,19,6,11,2\n"
        "Ghi chú: số liệu tạm tính,,,,,,,\n"
    ).encode()
    rows, encoding, delimiter = read_csv_rows(text)
    table = lay_out(rows, ds("dossier_results"), CONTRACT)
    assert (encoding, delimiter) == ("utf-8", ",")
    assert sorted(table.columns.values()) == sorted(
        ["unit", "received_total", "received_online", "resolved_total", "resolved_early", "resolved_on_time", "resolved_late"]
    )
    assert [(r.line_number, r.row_kind, r.cells["unit"], r.cells["level"]) for r in table.rows] == [
        (6, "total", "Tổng cộng", ""),
        (8, "data", "Huyện A", "Cấp huyện"),
        (10, "data", "Huyện B", "Cấp huyện"),
    ]
    assert {s.line_number: s.kind for s in table.skipped} == {
        1: "title", 2: "header", 3: "header", 4: "header", 5: "column_numbers", 7: "level", 9: "blank", 11: "note",
    }


def test_header_that_names_no_figure_is_rejected():
    rows, _, _ = read_csv_rows("Đơn vị,Ghi chú\nSở A,x\n".encode())
    with pytest.raises(HeaderError):
        lay_out(rows, ds("feedback"), CONTRACT)


@pytest.mark.parametrize(
    "data, encoding",
    [
        (codecs.BOM_UTF8 + "Tổng cộng".encode(), "utf-8-sig"),
        ("Tổng cộng".encode("utf-16"), "utf-16"),
        ("Tổng cộng".encode(), "utf-8"),
        (to_cp1258("Tổng cộng"), "cp1258"),
    ],
)
def test_decode_text_by_bom_then_utf8_then_cp1258(data, encoding):
    text, found = decode_text(data)
    assert (text, found) == ("Tổng cộng", encoding)


def test_decode_text_normalises_to_nfc_and_refuses_nul():
    text, _ = decode_text(unicodedata.normalize("NFD", "Đúng hạn").encode())
    assert text == unicodedata.normalize("NFC", "Đúng hạn")
    with pytest.raises(DecodeError):
        decode_text("ab".encode("utf-16-le"))


def test_detect_delimiter_prefers_the_consistent_one():
    assert detect_delimiter(["Đơn vị;Trực tiếp, dịch vụ bưu chính;Trực tuyến", "A;1;2", "B;3;4"]) == ";"
    assert detect_delimiter(["a\tb\tc", "1\t2\t3"]) == "\t"
    assert detect_delimiter(['a,b', '"1.191.036",2']) == ","


def test_a_lone_carriage_return_in_a_quoted_field_keeps_physical_line_numbers():
    rows, _, _ = read_csv_rows(b'a,b\r\n"x\ry",1\r\nz,2\r\n')
    assert [(r.line_number, r.cells) for r in rows] == [(1, ["a", "b"]), (2, ["x\ry", "1"]), (3, ["z", "2"])]


HEADER = "Đơn vị,Tổng số hồ sơ tiếp nhận\n"


@pytest.mark.parametrize(
    "body, words",
    [
        ('Sở A,1\n"Sở\nB",2\nSở C,3\n', "line 3: a quoted field opens here and runs over line breaks to line 4"),
        # one unbalanced quote in a unit name would otherwise swallow every row below it
        ('Sở A,1\n"Sở Tư pháp,2\nSở C,3\nSở D,4\n"\n', "line 3: a quoted field opens here and runs over line breaks to line 6"),
        ('Sở A,1\n"Sở Tư pháp,2\nSở C,3\n', "line 3: a quoted field opens here and is never closed"),
    ],
)
def test_a_quoted_field_over_a_line_break_below_the_header_is_an_error_naming_where_it_opened(body, words):
    with pytest.raises(DecodeError, match=re.escape(words)):
        parse_report((HEADER + body).encode(), FOUND_RESULTS, CONTRACT)


def test_a_header_label_wrapped_over_lines_is_read_with_physical_line_numbers():
    table = parse_report('"Đơn\nvị","Tổng số hồ sơ\ntiếp nhận"\nSở A,1\n'.encode(), FOUND_RESULTS, CONTRACT)
    assert [(r.line_number, r.cells["received_total"]) for r in table.rows] == [(4, "1")]  # two labels wrap: lines 1-3


def test_fields_and_rows_over_the_limits_are_refused_before_parsing():
    big = b"x" * (1024 * 1024 + 1)
    with pytest.raises(DecodeError, match=r"line 2, column 2: a field of 1,048,577 characters"):
        read_csv_rows(b"a,b\n1," + big + b"\n")
    with pytest.raises(DecodeError, match=r"line 2: 1,001 columns"):
        read_csv_rows(b"a,b\n" + b",".join([b"1"] * 1001) + b"\n")
    # a long field under the limit is read whole, quotes and all
    long = b"y" * 200_000
    rows, _, _ = read_csv_rows(b'a,b\n"' + long + b'",2\n')
    assert rows[1].cells == [long.decode(), "2"]


@pytest.mark.parametrize(
    "period, start, end",
    [
        ("2020", date(2019, 12, 15), date(2020, 12, 14)),
        ("2021-Q1", date(2020, 12, 15), date(2021, 3, 14)),
        ("2021-Q3", date(2021, 6, 15), date(2021, 9, 14)),
        ("2021-H2", date(2021, 6, 15), date(2021, 12, 14)),
        ("2020-03", date(2020, 2, 15), date(2020, 3, 14)),
        ("2020-01", date(2019, 12, 15), date(2020, 1, 14)),
    ],
)
def test_period_bounds_follow_the_cut_off_convention(period, start, end):
    assert period_bounds(period) == (start, end)


def test_province_codes_depend_on_the_date():
    assert code_valid_on("26", date(2021, 9, 14))  # Vĩnh Phúc before the merger
    assert not code_valid_on("26", date(2025, 12, 14))
    assert code_valid_on("22", date(2025, 12, 14))


@pytest.mark.parametrize(
    "path, words",
    [
        ("dossier_results/22_2020.csv", None),
        ("online_services/46_2021-Q3_r2.xlsx", None),
        ("dossier_results/22_2020.txt", "extension"),
        ("dossier_results/22-2020.csv", "is not <province>"),
        ("dossier_results/26_2026.csv", "did not exist"),
        ("dossier_results/99_2020.csv", "did not exist"),
        ("nonsense/22_2020.csv", "unknown dataset"),
        ("22_2020.csv", "not in a dataset folder"),
        ("dossier_results/2020-13/22_2020.csv", "not in a dataset folder"),
    ],
)
def test_parse_name_checks_contract_names(path, words):
    found = parse_name(path, DATASETS, CONTRACT.snapshots)
    if words is None:
        assert found.refusal is None
    else:
        assert words in found.refusal


@pytest.mark.parametrize(("period", "previous", "year_ago"), [
    ("2021", "2020", "2020"), ("2021-H1", "2020-H2", "2020-H1"), ("2021-Q1", "2020-Q4", "2020-Q1"),
    ("2021-Q3", "2021-Q2", "2020-Q3"), ("2021-01", "2020-12", "2020-01"), ("2021-10", "2021-09", "2020-10"),
])
def test_every_period_knows_the_one_before_and_the_one_a_year_before(period, previous, year_ago):
    from tthc.contract.periods import neighbours

    assert neighbours(period) == (previous, year_ago)
