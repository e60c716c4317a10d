"""The command line's words: Vietnamese first, the English beside it, on one line."""

from __future__ import annotations

from tthc.cli.main import build_parser
from tthc.cli.words import both, say


def test_say_writes_one_bilingual_line_to_standard_error(capsys):
    say("run", "không có thư mục báo cáo /x", "no raw directory at /x")
    assert capsys.readouterr().err == "tthc run: không có thư mục báo cáo /x / no raw directory at /x\n"


def test_every_command_is_described_in_both_languages():
    shown = " ".join(build_parser().format_help().split())
    for vi, en in (("nạp tệp mới", "load raw files"), ("chạy SQL chỉ đọc", "run SQL"),
                   ("kiểm thử và phát hiện của lần chạy gần nhất", "the last run's tests and findings")):
        assert both(vi, en).split(" / ")[0] in shown and en in shown
    assert both("Tệp", "Files") == "Tệp / Files"
