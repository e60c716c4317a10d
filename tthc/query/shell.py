"""`tthc shell`: an interactive read-only SQL prompt on the published warehouse.

Line editing and a history kept beside the warehouse (readline), statements over several lines
ending in ';', `.tables` / `\\dt` and `.schema NAME` / `\\d NAME` to look around, `.quit` / `\\q`,
and tables drawn as on DuckDB's own command line (wide ones fold to the terminal's width).
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb

from tthc.query.sql import QueryTimeout, Result, run_sql, write_table
from tthc.settings import Settings
from tthc.warehouse.duckdb import connect_read_only

HISTORY_LINES = 2000
TABLES_SQL = """
    select table_schema || '.' || table_name as "bảng / table", lower(table_type) as "loại / kind"
    from information_schema.tables
    where table_schema in ('marts', 'reference', 'audit', 'raw')
    order by table_schema = 'marts' desc, table_schema, table_name
"""
SCHEMA_SQL = """
    select column_name as "cột / column", data_type as "kiểu / type", is_nullable as "null"
    from information_schema.columns
    where (table_schema || '.' || table_name = ? or table_name = ?)
    order by table_schema = 'marts' desc, ordinal_position
"""


def history_file(settings: Settings) -> Path:
    """Where the shell keeps its history: beside the warehouse, one per warehouse."""
    return settings.warehouse.parent / ".tthc_shell_history"


def _readline(history: Path) -> Callable[[], None]:
    """Line editing with the history read from `history`; returns what saves it again."""
    try:
        import readline
    except ImportError:  # no GNU readline here: plain input, no history
        return lambda: None
    readline.set_history_length(HISTORY_LINES)
    try:
        readline.read_history_file(history)
    except (FileNotFoundError, PermissionError, OSError):
        pass

    def save() -> None:
        try:
            readline.write_history_file(history)
        except OSError:
            pass

    return save


def _command(line: str) -> str | None:
    """The SQL a dot- or backslash-command stands for, "" to quit, or None when it is not one."""
    words = line.strip().rstrip(";").split()
    if not words:
        return None
    name, rest = words[0].lower(), words[1:]
    if name in (".quit", ".exit", "\\q"):
        return ""
    if name in (".tables", "\\dt"):
        return TABLES_SQL
    if name in (".schema", "\\d") and rest:
        return SCHEMA_SQL
    return None


def run_shell(settings: Settings, timeout_s: float, on_overrun: Callable[[], None] | None = None) -> int:
    """Read statements ending in ';' until end of input; each runs within `timeout_s` and the
    settings' query limits, Ctrl-C stops it."""
    warehouse = settings.warehouse
    con = connect_read_only(warehouse, settings.query_memory, settings.query_threads)
    save_history = _readline(history_file(settings))
    print(f"{warehouse} (chỉ đọc / read-only). Kết thúc câu lệnh bằng ';' / End statements with ';'. "
          ".tables, .schema TÊN/NAME, Ctrl-D: thoát / quit.")
    buffer: list[str] = []
    try:
        while True:
            try:
                line = input("tthc> " if not buffer else "  ... ")
            except EOFError:
                print()
                return 0
            except KeyboardInterrupt:  # Ctrl-C at the prompt drops the statement being typed
                print("^C")
                buffer = []
                continue
            params: list[str] = []
            if not buffer and (command := _command(line)) is not None:
                if command == "":
                    return 0
                sql = command
                if command == SCHEMA_SQL:
                    name = line.split()[1].rstrip(";")
                    params = [name, name]
            else:
                buffer.append(line)
                if not line.rstrip().endswith(";"):
                    continue
                sql, buffer = "\n".join(buffer), []
            _answer(con, sql, params, timeout_s, on_overrun)
    finally:
        save_history()
        con.close()


def _answer(con: duckdb.DuckDBPyConnection, sql: str, params: list[str], timeout_s: float,
            on_overrun: Callable[[], None] | None) -> None:
    """Run one statement and draw its result; Ctrl-C while it runs stops it, not the shell."""
    previous = signal.signal(signal.SIGINT, lambda *_: con.interrupt())
    try:
        if params:  # a look-around command: its own small query, with the name as a parameter
            cursor = con.execute(sql, params)
            description = cursor.description or []
            result = Result([d[0] for d in description], [str(d[1]) for d in description], iter([cursor.fetchall()]))
            write_table(result, sys.stdout)
            return
        with run_sql(con, sql, timeout_s, on_overrun) as result:
            write_table(result, sys.stdout)
    except duckdb.InterruptException:
        print("câu truy vấn đã dừng / query interrupted (Ctrl-C)", flush=True)
    except (QueryTimeout, duckdb.Error) as err:
        print(f"lỗi / error: {err}", flush=True)
    finally:
        signal.signal(signal.SIGINT, previous)
