"""What a run tells a person as it goes: its stages and how far each has got.

The flow reports through the logger `tthc.progress` (one record per step, with `stage`, `done`,
`total` and `item`), so that it needs to know nothing of terminals; the command line renders
the records (tthc/cli/console.py), and the run's log file keeps them.
"""

from __future__ import annotations

import logging

LOGGER = "tthc.progress"
# The stages of a run, in order, with their names as the page and the command line show them.
STAGES = {
    "prepare": "Chuẩn bị / Preparing",
    "ingest": "Nạp tệp / Loading files",
    "dbt build": "Dựng và kiểm thử (dbt) / Building and testing (dbt)",
    "results": "Ghi kết quả / Recording results",
    "publish": "Công bố / Publishing",
    "report": "Báo cáo / Reporting",
}


def report(stage: str, done: int = 0, total: int = 0, item: str = "") -> None:
    """`stage` has done `done` of `total` steps, the last one `item` (0 of 0: the stage begins)."""
    logging.getLogger(LOGGER).info(
        "%s %d/%d %s", stage, done, total, item, extra={"stage": stage, "done": done, "total": total, "item": item}
    )
