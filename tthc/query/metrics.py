"""`tthc metrics`: the indicators asked of the metrics layer (dbt semantic models and metrics,
dbt_project/models/marts/_marts__metrics.yml). MetricFlow writes the SQL from the semantic
manifest published with the warehouse; `tthc query`'s read-only connection runs it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from metricflow.data_table.mf_table import MetricFlowDataTable
from metricflow.engine.metricflow_engine import MetricFlowEngine, MetricFlowQueryRequest
from metricflow.protocols.sql_client import SqlEngine
from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer
from metricflow.sql.render.postgres import PostgresSQLSqlPlanRenderer
from metricflow.sql.render.sql_plan_renderer import SqlPlanRenderer
from metricflow_semantic_interfaces.protocols.semantic_manifest import SemanticManifest
from metricflow_semantics.errors.error_classes import InvalidQueryException
from metricflow_semantics.model.dbt_manifest_parser import parse_manifest_from_dbt_generated_manifest
from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

from tthc.warehouse.postgres import WORK_SUFFIX


class MetricsError(ValueError):
    """The question cannot be asked as written; the message says why."""


class SqlWriterOnly:
    """A MetricFlow SQL client that writes SQL for the warehouse's engine (DuckDB or PostgreSQL)
    and runs nothing: the SQL is run by the read-only query path (tthc/query/sql.py), on the same
    terms as `tthc query`."""

    def __init__(self, engine: str = "duckdb") -> None:
        self.engine = engine

    @property
    def sql_engine_type(self) -> SqlEngine:
        return SqlEngine.POSTGRES if self.engine == "postgres" else SqlEngine.DUCKDB

    @property
    def sql_plan_renderer(self) -> SqlPlanRenderer:
        return PostgresSQLSqlPlanRenderer() if self.engine == "postgres" else DuckDbSqlPlanRenderer()

    def query(self, stmt: str, sql_bind_parameter_set: Any = None) -> MetricFlowDataTable:
        raise NotImplementedError("the metrics layer only writes SQL")

    def execute(self, stmt: str, sql_bind_parameter_set: Any = None) -> None:
        raise NotImplementedError("the metrics layer only writes SQL")

    def dry_run(self, stmt: str, sql_bind_parameter_set: Any = None) -> None:
        raise NotImplementedError("the metrics layer only writes SQL")

    def close(self) -> None:
        pass

    def render_bind_parameter_key(self, bind_parameter_key: str) -> str:
        return f"${bind_parameter_key}"


def load_semantic_manifest(path: Path) -> SemanticManifest:
    """The published metrics layer, its tables named without their database: the file is read
    under whatever name it is opened with."""
    document = json.loads(path.read_text(encoding="utf-8"))
    for model in document["semantic_models"]:
        relation = model["node_relation"]
        relation["database"] = None
        # PostgreSQL builds in working schemas (marts__work) that a publish renames to marts
        relation["schema_name"] = relation["schema_name"].removesuffix(WORK_SUFFIX)
        relation["relation_name"] = f'"{relation["schema_name"]}"."{relation["alias"]}"'
    return parse_manifest_from_dbt_generated_manifest(manifest_json_string=json.dumps(document))


def dimension_names(manifest: SemanticManifest) -> dict[str, str]:
    """Short names analysts type (province, period) to MetricFlow's (indicator_part__province),
    for the dimensions of each semantic model's primary entity."""
    names = {}
    for model in manifest.semantic_models:
        primary = next(e.name for e in model.entities if e.type.value == "primary")
        names.update({d.name: f"{primary}__{d.name}" for d in model.dimensions})
    return names


def metrics_sql(
    manifest: SemanticManifest, metrics: Sequence[str], group_by: Sequence[str], where: str | None, engine: str = "duckdb"
) -> str:
    """The SQL answering the metrics by the dimensions (short names or MetricFlow's), with a
    MetricFlow filter, e.g. {{ Dimension('indicator_part__province') }} = '22'. Columns are named
    as asked, rows ordered by the dimensions."""
    known = {m.name for m in manifest.metrics}
    if unknown := [m for m in metrics if m not in known]:
        raise MetricsError(f"no metric {', '.join(unknown)}; the metrics are: {', '.join(sorted(known))}")
    names = dimension_names(manifest)
    if unknown := [d for d in group_by if d not in names and "__" not in d and d != "metric_time"]:
        raise MetricsError(f"no dimension {', '.join(unknown)}; the dimensions are: {', '.join(sorted(names))}, "
                           "and metric_time__day, __month, __quarter or __year")
    full = [names.get(d, d) for d in group_by]
    writer = MetricFlowEngine(SemanticManifestLookup(manifest), SqlWriterOnly(engine))
    try:
        explained = writer.explain(MetricFlowQueryRequest.create(
            metric_names=list(metrics), group_by_names=full, where_constraints=[where] if where else None,
            order_by_names=full,
        ))
    except InvalidQueryException as err:  # MetricFlow's message names what it could not resolve, with suggestions
        raise MetricsError(str(err).strip()) from err
    renamed = ", ".join(f'"{f}" as "{d}"' for d, f in zip(group_by, full, strict=True))
    values = ", ".join(f'"{m}"' for m in metrics)
    order = ", ".join(f'"{d}"' for d in group_by)
    select = ", ".join(part for part in (renamed, values) if part)
    return f"select {select} from ({explained.sql_statement.sql}) as answer" + (f" order by {order}" if order else "")
