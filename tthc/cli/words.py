"""What the command line says, in Vietnamese with the English beside it: one vocabulary with the
report pages and the alerts (the same words for files, runs, tests and findings)."""

from __future__ import annotations

import sys


def both(vi: str, en: str) -> str:
    """"Vietnamese / English", the way the pages and alerts write a label."""
    return f"{vi} / {en}"


def say(command: str, vi: str, en: str) -> None:
    """One line on standard error: `tthc COMMAND: Vietnamese / English`."""
    print(f"tthc {command}: {both(vi, en)}", file=sys.stderr, flush=True)


# Options several commands share.
WAREHOUSE = both("tệp kho dữ liệu đã công bố (mặc định warehouse/tthc.duckdb, hoặc TTHC_WAREHOUSE)",
                 "published DuckDB file (default warehouse/tthc.duckdb, or TTHC_WAREHOUSE)")
RAW_DIR = both("thư mục tệp báo cáo (mặc định raw/, hoặc TTHC_RAW_DIR)",
               "directory of report files (default raw/, or TTHC_RAW_DIR)")
TARGET = both("nơi đặt kho: duckdb (mặc định, hoặc TTHC_TARGET) hay postgres (TTHC_POSTGRES_URL)",
              "where the warehouse lives: duckdb (default, or TTHC_TARGET) or postgres (TTHC_POSTGRES_URL)")
URL = both("URL PostgreSQL với vai trò của chính mình (mặc định TTHC_POSTGRES_URL)",
           "PostgreSQL URL as your own role (default TTHC_POSTGRES_URL)")
VERBOSE = both("hiện cả nhật ký INFO của Prefect và dbt", "show Prefect's and dbt's INFO logs too")
TIMEOUT = both("số giây trước khi dừng truy vấn (mặc định 300)", "seconds before the query is stopped (default 300)")
FORMAT = both("định dạng kết quả", "output format")
OUTPUT = both("ghi ra tệp này thay vì màn hình (bắt buộc với xlsx)",
              "write to this file instead of the terminal (required for xlsx)")
