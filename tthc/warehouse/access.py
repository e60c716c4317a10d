"""`tthc access`: read access to the PostgreSQL target's marts, for all provinces or for one.

Grants are kept in `tthc_access.grants` (a schema no reader can see) and applied to the
published tables again by every publish (tthc/warehouse/postgres.py), so they survive the swap of the
schemas. A province-limited role reads its own province's rows of the unit-level marts through
row-level security on the tables themselves (there is no view to go around), and every row of
the province-level indicators and the dimensions, for comparison; the history of findings, a view
over every province's, is not granted to it. No reader can read `raw` or
`audit`, and no reader can write: only the loader, which owns the tables, does.
"""

from __future__ import annotations

import re

from tthc.contract.datasets import load_contract
from tthc.warehouse.base import transaction

SCHEMA = "tthc_access"
# Marts whose rows belong to one province's units: a province-limited role sees its own only.
UNIT_LEVEL_MARTS = ("unit_indicators", "fct_dossiers_monthly", "submissions", "data_quality_findings")
# Views over the warehouse's history that hold every province's findings: row-level security does
# not reach through a view, so a province-limited role is not granted them.
PROVINCE_HISTORY_VIEWS = ("finding_history",)
_ROLE = re.compile(r"[a-z_][a-z0-9_$]*")


class AccessError(ValueError):
    """The grant cannot be made as asked; the message says why."""


def restricted_marts() -> list[str]:
    """The unit-level marts: one per form dataset, and the marts of units and files."""
    return sorted({*load_contract().datasets, *UNIT_LEVEL_MARTS})


def ensure_access_schema(con) -> None:
    """The grants table and the function the row policies call (it reads the grants as their owner)."""
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute(f"revoke all on schema {SCHEMA} from public")
    con.execute(f"create table if not exists {SCHEMA}.grants (role_name varchar primary key, province_code varchar)")
    con.execute(
        f"""create or replace function {SCHEMA}.may_read(row_province varchar, reader name) returns boolean
            language sql stable security definer set search_path = pg_catalog as $$
                select exists (
                    select 1 from {SCHEMA}.grants as g
                    where g.role_name = reader and (g.province_code is null or g.province_code = row_province))
            $$"""
    )
    con.execute(f"revoke all on function {SCHEMA}.may_read(varchar, name) from public")


def apply_grants(con, schema: str = "marts") -> None:
    """Grant each role read access to the marts of `schema`, and put the row policy on the
    unit-level ones. A publish applies them to the working schema before it swaps it in, so the
    swap itself locks no table (a reader never waits on it, and so never mixes the old marts with
    the new); a grant or revoke applies them to the published marts."""
    ensure_access_schema(con)
    tables = {t for (t,) in con.execute("select tablename from pg_tables where schemaname = ?", [schema]).fetchall()}
    for table in sorted(tables & set(restricted_marts())):
        con.execute(f'alter table "{schema}"."{table}" enable row level security')
        con.execute(f'drop policy if exists province_rows on "{schema}"."{table}"')
        con.execute(
            f'create policy province_rows on "{schema}"."{table}" for select '
            f"using ({SCHEMA}.may_read(province_code, current_user))"
        )
    views = {v for (v,) in con.execute("select viewname from pg_views where schemaname = ?", [schema]).fetchall()}
    for role, province in con.execute(f"select role_name, province_code from {SCHEMA}.grants").fetchall():
        con.execute(f'grant usage on schema "{schema}" to "{role}"')
        con.execute(f'grant select on all tables in schema "{schema}" to "{role}"')
        for view in sorted(views & set(PROVINCE_HISTORY_VIEWS)) if province is not None else ():
            con.execute(f'revoke select on "{schema}"."{view}" from "{role}"')
        con.execute(f'grant execute on function {SCHEMA}.may_read(varchar, name) to "{role}"')
        con.execute(f'grant usage on schema {SCHEMA} to "{role}"')


def grant(con, role: str, province: str | None) -> None:
    """Let an existing role read the marts: all of them, or (with `province`) its province's rows."""
    _check_role(con, role)
    if province is not None and not re.fullmatch(r"[0-9]{2}", province):
        raise AccessError(f'province code "{province}" is not two ASCII digits')
    ensure_access_schema(con)
    with transaction(con):
        con.execute(f"delete from {SCHEMA}.grants where role_name = ?", [role])
        con.execute(f"insert into {SCHEMA}.grants values (?, ?)", [role, province])
        apply_grants(con)


def revoke(con, role: str) -> None:
    """Take a role's read access away."""
    _check_role(con, role)
    ensure_access_schema(con)
    with transaction(con):
        con.execute(f"delete from {SCHEMA}.grants where role_name = ?", [role])
        con.execute(f'revoke all on all tables in schema marts from "{role}"')
        con.execute(f'revoke usage on schema marts from "{role}"')
        con.execute(f'revoke all on schema {SCHEMA} from "{role}"')
        con.execute(f'revoke all on function {SCHEMA}.may_read(varchar, name) from "{role}"')


def _check_role(con, role: str) -> None:
    if not _ROLE.fullmatch(role):
        raise AccessError(f'role "{role}" is not a plain lower-case PostgreSQL role name')
    if con.execute("select count(*) from pg_roles where rolname = ?", [role]).fetchone()[0] == 0:
        raise AccessError(f'no role "{role}" in the database: create it first (create role {role} login password …)')
