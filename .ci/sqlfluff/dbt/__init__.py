"""Stand-ins for dbt's cross-database macros (dbt.hash, dbt.listagg, …) so that sqlfluff's jinja
templater can render the models for `make lint`. They render plausible DuckDB SQL; dbt never
reads this folder."""


def hash(field: str) -> str:  # noqa: A001 - dbt's macro name
    return f"md5(cast({field} as varchar))"


def listagg(measure: str, delimiter_text: str = "','", order_by_clause: str | None = None, limit_num=None) -> str:
    return f"string_agg({measure}, {delimiter_text})"


def safe_cast(field: str, type: str) -> str:  # noqa: A002 - dbt's argument name
    return f"try_cast({field} as {type})"


def datediff(first_date: str, second_date: str, datepart: str) -> str:
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def dateadd(datepart: str, interval, from_date_or_timestamp: str) -> str:
    return f"{from_date_or_timestamp} + to_days({interval})"


def date_trunc(datepart: str, date: str) -> str:
    return f"date_trunc('{datepart}', {date})"


def date_spine(datepart: str, start_date: str, end_date: str) -> str:
    return f"select range as date_day from range({start_date}, {end_date}, interval 1 {datepart})"


def last_day(date: str, datepart: str) -> str:
    return f"last_day({date})"
