"""The dbt macro column_letter names a sheet's column as a spreadsheet does, like openpyxl."""

from __future__ import annotations

from openpyxl.utils import get_column_letter


def test_column_letters_agree_with_openpyxl(tmp_path):
    from flows.transform import dbt_session

    positions = [*range(1, 60), 700, 701, 702, 703, 704, 728, 1000]
    values = ", ".join(f"({p})" for p in positions)
    sql = f"select p, {{{{ column_letter('p') }}}} as letter from (values {values}) as t(p) order by p"
    with dbt_session(tmp_path / "scratch.duckdb", tmp_path / "target") as dbt:
        result = dbt.invoke("show", "--inline", sql, "--limit", "-1", "--quiet")
    assert result.success, result.exception
    letters = {int(row[0]): row[1] for row in result.result.results[0].agate_table.rows}
    assert letters == {p: get_column_letter(p) for p in positions}
