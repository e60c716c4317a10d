"""The dbt macro column_letter names a sheet's column as a spreadsheet does, like openpyxl."""

from __future__ import annotations

from openpyxl.utils import get_column_letter


def test_column_letters_agree_with_openpyxl(dbt_show):
    positions = [*range(1, 60), 700, 701, 702, 703, 704, 728, 1000]
    values = ", ".join(f"({p})" for p in positions)
    sql = f"select p, {{{{ column_letter('p') }}}} as letter from (values {values}) as t(p) order by p"
    letters = {int(row[0]): row[1] for row in dbt_show(sql)}
    assert letters == {p: get_column_letter(p) for p in positions}
