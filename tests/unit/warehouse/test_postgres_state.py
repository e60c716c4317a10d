"""What a selective build on PostgreSQL defers to and leaves standing: plain functions of dbt's
manifest and selection (the runs themselves: tests/e2e/test_postgres_target.py)."""

from __future__ import annotations

from tthc.warehouse.postgres import incremental_marts, published_manifest, state_database, views_rebuilt


def _node(name: str, schema: str, materialized: str = "table", kind: str = "model") -> dict:
    return {"resource_type": kind, "name": name, "alias": name, "database": "tthc", "schema": schema, "config": {"materialized": materialized},
            "relation_name": f'"tthc"."{schema}"."{name}"' if kind != "test" else None}


def test_the_state_names_each_node_where_the_swap_put_it():
    manifest = {"metadata": {"dbt_version": "1.11"}, "nodes": {
        "model.tthc.fct": _node("fct", "marts__work", "incremental"),
        "model.tthc.stg": _node("stg", "staging__work", "view"),
        "test.tthc.t": _node("t", "audit__work", "test", "test"),
        "model.tthc.kept": _node("kept", "marts"),  # built without a suffix (docs): as it is
    }}
    state = published_manifest(manifest)
    assert state["metadata"] == manifest["metadata"]
    assert state["nodes"]["model.tthc.fct"]["schema"] == "marts"
    assert state["nodes"]["model.tthc.fct"]["relation_name"] == '"tthc"."marts"."fct"'
    assert state["nodes"]["model.tthc.stg"]["relation_name"] == '"tthc"."staging"."stg"'
    assert state["nodes"]["test.tthc.t"] == {**manifest["nodes"]["test.tthc.t"], "schema": "audit", "relation_name": None}
    assert state["nodes"]["model.tthc.kept"] == manifest["nodes"]["model.tthc.kept"]
    assert manifest["nodes"]["model.tthc.fct"]["schema"] == "marts__work"  # the build's own manifest is left as it was
    assert incremental_marts(state) == [("marts", "fct")]


def test_what_a_build_leaves_standing_is_narrowed_to_tables_and_tests():
    assert views_rebuilt(()) == ()
    assert views_rebuilt(("--select", "source:raw.feedback+")) == ("--select", "source:raw.feedback+")
    assert views_rebuilt(("--select", "source:raw.feedback+", "--exclude", "tag:dataset:index766")) == (
        "--select", "source:raw.feedback+", "--exclude",
        "tag:dataset:index766,config.materialized:table",
        "tag:dataset:index766,config.materialized:incremental",
        "tag:dataset:index766,resource_type:test",
    )


def test_the_state_knows_the_database_it_was_built_in():
    """A kept state names its relations by their database: a copy of the database under another
    name (a restore, a template) must not defer to it (the next build is whole)."""
    manifest = {"nodes": {"test.tthc.t": {**_node("t", "audit", "test", "test"), "database": None},
                          "model.tthc.fct": _node("fct", "marts")}}
    assert state_database(manifest) == "tthc"
    assert state_database({"nodes": {}}) is None
