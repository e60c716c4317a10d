"""`tthc access`: read access to the PostgreSQL target's marts, for all provinces or for one.

Closed by default. A role reads only the published `marts` schema, and only once granted. A
role limited to a province reads every mart with a `province_code` column through row-level
security on the table itself, its own province's rows only, unless the dbt project declares
the mart open (`+meta: {access: open}` in dbt_project.yml: the province-level figures and the
dimensions, for comparison). A view with a `province_code` that is not open (the history of
findings) is not granted to a limited role at all, since row security does not reach through a
view. No reader reads `raw`, `audit`, the grants or any previous or working schema, creates
temporary tables, or writes; each granted role gets its own statement timeout and memory.

Grants are kept in `tthc_access.grants`, and the marts declared open in
`tthc_access.open_marts`; every publish applies them to the working schema before it swaps it
in (tthc/warehouse/postgres.py) and closes the schema it swaps out.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from tthc.warehouse.base import transaction
from tthc.warehouse.schema import quote_ident

SCHEMA = "tthc_access"
PUBLISHED = "marts"
# What a granted role's session may use (`tthc access grant` sets them on the role).
ROLE_SETTINGS = {"statement_timeout": "5min", "work_mem": "64MB", "temp_file_limit": "1GB"}
_ROLE = re.compile(r"[a-z_][a-z0-9_]*")


class AccessError(ValueError):
    """The grant cannot be made as asked; the message says why."""


def ensure_access_schema(con) -> None:
    """The grants, the open marts, and the function the row policies call. It reads the grants as
    their owner and answers only for the session's own role: no reader can ask about another."""
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute(f"revoke all on schema {SCHEMA} from public")
    con.execute(f"create table if not exists {SCHEMA}.grants (role_name varchar primary key, province_code varchar)")
    con.execute(f"create table if not exists {SCHEMA}.open_marts (mart_name varchar primary key)")
    # The function of earlier versions answered for any role name it was given: gone, with its policies.
    con.execute(f"drop function if exists {SCHEMA}.may_read(varchar, name) cascade")
    con.execute(
        f"""create or replace function {SCHEMA}.may_read(row_province varchar) returns boolean
            language sql stable security definer set search_path = pg_catalog as $$
                select exists (
                    select 1 from {SCHEMA}.grants as g
                    where g.role_name = session_user and (g.province_code is null or g.province_code = row_province))
            $$"""
    )
    con.execute(f"revoke all on function {SCHEMA}.may_read(varchar) from public")
    database = con.execute("select current_database()").fetchone()[0].replace('"', '""')
    con.execute(f'revoke temporary on database "{database}" from public')


def declare_open(con, marts: Collection[str]) -> None:
    """Record the marts the dbt project declares open (read when grants are applied)."""
    ensure_access_schema(con)
    con.execute(f"delete from {SCHEMA}.open_marts")
    if marts:
        con.executemany(f"insert into {SCHEMA}.open_marts values (?)", [[m] for m in sorted(marts)])


def _relations(con, schema: str, kinds: str) -> set[str]:
    """The relations of `schema` of these kinds ('r', 'p': tables; 'v': views) with a province_code column."""
    return {name for (name,) in con.execute(
        "select c.relname from pg_class as c join pg_namespace as n on n.oid = c.relnamespace "
        "join pg_attribute as a on a.attrelid = c.oid and a.attname = 'province_code' and not a.attisdropped "
        f"where n.nspname = ? and c.relkind in ({', '.join(repr(k) for k in kinds)})",
        [schema],
    ).fetchall()}


def protected_marts(con, schema: str = PUBLISHED) -> tuple[set[str], set[str]]:
    """The tables under row security and the views kept from province roles in `schema`: every
    one with a province_code column that is not declared open."""
    ensure_access_schema(con)
    open_marts = {m for (m,) in con.execute(f"select mart_name from {SCHEMA}.open_marts").fetchall()}
    return _relations(con, schema, "rp") - open_marts, _relations(con, schema, "v") - open_marts


def apply_grants(con, schema: str = PUBLISHED) -> None:
    """Grant each role read access to the marts of `schema` and put the row policy on every
    protected table. A publish applies them to the working schema before it swaps it in, so the
    swap itself locks no table a reader could wait on; a grant or revoke applies them to `marts`."""
    tables, views = protected_marts(con, schema)
    for table in sorted(tables):
        con.execute(f"alter table {quote_ident(schema)}.{quote_ident(table)} enable row level security")
        con.execute(f"drop policy if exists province_rows on {quote_ident(schema)}.{quote_ident(table)}")
        con.execute(
            f"create policy province_rows on {quote_ident(schema)}.{quote_ident(table)} for select "
            f"using ({SCHEMA}.may_read(province_code))"
        )
    for role, province in con.execute(f"select role_name, province_code from {SCHEMA}.grants").fetchall():
        con.execute(f"grant usage on schema {quote_ident(schema)} to {quote_ident(role)}")
        con.execute(f"grant select on all tables in schema {quote_ident(schema)} to {quote_ident(role)}")
        for view in sorted(views) if province is not None else ():
            con.execute(f"revoke select on {quote_ident(schema)}.{quote_ident(view)} from {quote_ident(role)}")
        con.execute(f"grant execute on function {SCHEMA}.may_read(varchar) to {quote_ident(role)}")
        con.execute(f"grant usage on schema {SCHEMA} to {quote_ident(role)}")


def close_schema(con, schema: str) -> None:
    """No role but the owner reads `schema` any longer (a previous or working schema)."""
    grantees = con.execute(
        "select distinct r.rolname from pg_namespace as n cross join lateral aclexplode(n.nspacl) as a "
        "join pg_roles as r on r.oid = a.grantee where n.nspname = ? and a.grantee <> n.nspowner",
        [schema],
    ).fetchall()
    for (role,) in grantees:
        con.execute(f"revoke all on all tables in schema {quote_ident(schema)} from {quote_ident(role)}")
        con.execute(f"revoke all on schema {quote_ident(schema)} from {quote_ident(role)}")
    con.execute(f"revoke all on schema {quote_ident(schema)} from public")


def close_unpublished(con, schemas: Collection[str]) -> None:
    """Close every schema of `schemas` that exists: grants live on the published marts only."""
    present = {name for (name,) in con.execute("select nspname from pg_namespace").fetchall()}
    for schema in sorted(set(schemas) & present):
        close_schema(con, schema)


def grant(con, role: str, province: str | None, unpublished: Collection[str] = ()) -> None:
    """Let an existing role read the marts: all of them, or (with `province`) its province's rows.
    A narrowed role loses at once what it read before, in `unpublished` schemas too."""
    _check_role(con, role)
    if province is not None and not re.fullmatch(r"[0-9]{2}", province):
        raise AccessError(f'province code "{province}" is not two ASCII digits')
    ensure_access_schema(con)
    with transaction(con):
        con.execute(f"delete from {SCHEMA}.grants where role_name = ?", [role])
        con.execute(f"insert into {SCHEMA}.grants values (?, ?)", [role, province])
        superuser = con.execute("select rolsuper from pg_roles where rolname = current_user").fetchone()[0]
        for name, value in ROLE_SETTINGS.items():
            if name != "temp_file_limit" or superuser:  # only a superuser may set temp_file_limit
                con.execute(f"alter role {quote_ident(role)} set {name} = '{value}'")
        close_unpublished(con, unpublished)
        apply_grants(con)


def revoke(con, role: str, unpublished: Collection[str] = ()) -> None:
    """Take a role's read access away, from the published marts and every `unpublished` schema, at once."""
    _check_role(con, role)
    ensure_access_schema(con)
    with transaction(con):
        con.execute(f"delete from {SCHEMA}.grants where role_name = ?", [role])
        present = {name for (name,) in con.execute("select nspname from pg_namespace").fetchall()}
        for schema in sorted({PUBLISHED, *unpublished} & present):
            con.execute(f"revoke all on all tables in schema {quote_ident(schema)} from {quote_ident(role)}")
            con.execute(f"revoke all on schema {quote_ident(schema)} from {quote_ident(role)}")
        con.execute(f"revoke all on schema {SCHEMA} from {quote_ident(role)}")
        con.execute(f"revoke all on function {SCHEMA}.may_read(varchar) from {quote_ident(role)}")


def _check_role(con, role: str) -> None:
    if not _ROLE.fullmatch(role):
        raise AccessError(f'role "{role}" is not a plain lower-case PostgreSQL role name')
    if con.execute("select count(*) from pg_roles where rolname = ?", [role]).fetchone()[0] == 0:
        raise AccessError(f'no role "{role}" in the database: create it first (create role {role} login password …)')
