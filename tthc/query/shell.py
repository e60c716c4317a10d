"""`tthc shell`: an interactive read-only SQL prompt on the published warehouse."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import duckdb

from tthc.query.sql import QueryTimeout, run_sql, write_table
from tthc.warehouse.duckdb import connect_read_only


def run_shell(warehouse: Path, timeout_s: float) -> int:
    """Read statements ending in ';' until end of input; each runs within `timeout_s`, Ctrl-C stops it."""
    con = connect_read_only(warehouse)
    print(f"{warehouse} (read-only). End statements with ';'. Ctrl-D to quit.")
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
            buffer.append(line)
            if not line.rstrip().endswith(";"):
                continue
            sql, buffer = "\n".join(buffer), []
            # Ctrl-C while a query runs stops the query, not the shell.
            previous = signal.signal(signal.SIGINT, lambda *_: con.interrupt())
            try:
                with run_sql(con, sql, timeout_s) as result:
                    write_table(result, sys.stdout)
            except duckdb.InterruptException:
                print("query interrupted (Ctrl-C)", flush=True)
            except (QueryTimeout, duckdb.Error) as err:
                print(f"error: {err}", flush=True)
            finally:
                signal.signal(signal.SIGINT, previous)
    finally:
        con.close()
