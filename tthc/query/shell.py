"""`tthc shell`: an interactive read-only SQL prompt on the published warehouse (the DuckDB file,
or the PostgreSQL database as the user's own role).

Line editing and a history kept beside the warehouse (readline), statements over several lines
ending in ';', `.tables` / `\\dt` and `.schema NAME` / `\\d NAME` to look around, `.quit` / `\\q`,
and tables drawn as on DuckDB's own command line (wide ones fold to the terminal's width).
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from pathlib import Path

from tthc.query.sql import write_table
from tthc.settings import Settings
from tthc.warehouse import target_for
from tthc.warehouse.base import QueryInterrupted, QueryTimeout, Reader

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
    target = target_for(settings)
    try:
        reader = target.reader(timeout_s, on_overrun)
    except target.read_errors as err:
        print(f"tthc shell: {err}", file=sys.stderr)
        return 1
    save_history = _readline(history_file(settings))
    print(f"{reader.where} (chỉ đọc / read-only). Kết thúc câu lệnh bằng ';' / End statements with ';'. "
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
            _answer(reader, sql, params)
    finally:
        save_history()
        reader.close()


def _answer(reader: Reader, sql: str, params: list[str]) -> None:
    """Run one statement and draw its result; Ctrl-C while it runs stops it, not the shell."""
    previous = signal.signal(signal.SIGINT, lambda *_: reader.interrupt())
    try:
        with reader.result(sql, params) as result:
            write_table(result, sys.stdout)
    except QueryInterrupted:
        print("câu truy vấn đã dừng / query interrupted (Ctrl-C)", flush=True)
    except (QueryTimeout, *reader.errors) as err:
        print(f"lỗi / error: {err}", flush=True)
    finally:
        signal.signal(signal.SIGINT, previous)
