"""The datasets, columns and header labels of the raw contract, read from the dbt sources YAML."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import yaml

from tthc.contract.labels import normalize_label
from tthc.settings import SOURCES_YAML


@dataclass(frozen=True)
class Column:
    name: str
    role: str  # unit | level | count | value | text
    labels: frozenset[str]  # normalised labels that name the column on their own
    under: dict[str, frozenset[str]] = field(default_factory=dict)  # group -> labels
    title: str = ""  # the label a header written by us gives it: its first label as written
    under_title: tuple[str, str] | None = None  # or its first group and the label under it


@dataclass(frozen=True)
class Dataset:
    name: str
    kind: str  # form | reported
    columns: tuple[Column, ...]
    groups: dict[str, frozenset[str]]  # group -> normalised labels
    transparent: frozenset[str]  # group labels that add no meaning ("Trong đó")
    group_titles: dict[str, str] = field(default_factory=dict)  # group -> its first label as written

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def value_columns(self) -> list[str]:
        """Columns whose cells carry the row's figures."""
        return [c.name for c in self.columns if c.role in ("count", "value")]


@dataclass(frozen=True)
class RecordColumn:
    name: str
    type: str  # varchar | timestamp | boolean
    required: bool  # every row must have a value
    optional: bool = False  # the header may leave the column out


@dataclass(frozen=True)
class RecordDataset:
    """A record-level export (dossiers): a header of canonical names, typed at load by DuckDB."""

    name: str
    columns: tuple[RecordColumn, ...]
    month_column: str  # the timestamp whose calendar month an export covers (received_at)


@dataclass(frozen=True)
class SnapshotDataset:
    """Captures of the national portal's index (index766): JSON, one row per unit and metric."""

    name: str
    column_names: tuple[str, ...]


@dataclass(frozen=True)
class Contract:
    datasets: dict[str, Dataset]
    ignored: frozenset[str]  # normalised labels of columns read past ("STT")
    records: dict[str, RecordDataset] = field(default_factory=dict)
    snapshots: dict[str, SnapshotDataset] = field(default_factory=dict)

    @property
    def all_datasets(self) -> set[str]:
        return set(self.datasets) | set(self.records) | set(self.snapshots)

    @property
    def form_datasets(self) -> list[str]:
        """The datasets of counted forms: those a unit reports, and a province compiles (§1.6)."""
        return [d.name for d in self.datasets.values() if d.kind == "form"]


def _norm_all(labels: list[str]) -> frozenset[str]:
    return frozenset(normalize_label(x) for x in labels)


@lru_cache(maxsize=1)
def load_contract() -> Contract:
    """Parse `_raw__sources.yml` once per process."""
    doc = yaml.safe_load(SOURCES_YAML.read_text(encoding="utf-8"))
    raw = next(s for s in doc["sources"] if s["name"] == "raw")
    datasets: dict[str, Dataset] = {}
    records: dict[str, RecordDataset] = {}
    snapshots: dict[str, SnapshotDataset] = {}
    for table in raw["tables"]:
        meta = table.get("meta", {})
        if meta.get("kind") == "snapshots":
            snapshots[table["name"]] = SnapshotDataset(table["name"], tuple(c["name"] for c in table["columns"]))
            continue
        if meta.get("kind") == "records":
            records[table["name"]] = RecordDataset(
                name=table["name"],
                columns=tuple(
                    RecordColumn(c["name"], c["meta"]["type"], c["meta"]["required"], c["meta"].get("optional", False))
                    for c in table["columns"]
                ),
                month_column=meta["month_column"],
            )
            continue
        if meta.get("kind") not in ("form", "reported"):
            continue
        groups = {k: _norm_all(v) for k, v in meta.get("groups", {}).items() if k != "transparent"}
        columns = tuple(
            Column(
                name=c["name"],
                role=c["meta"]["role"],
                labels=_norm_all(c["meta"].get("labels", [])) | {normalize_label(c["name"])},
                under={g: _norm_all(v) for g, v in c["meta"].get("under", {}).items()},
                title=(c["meta"].get("labels") or [c["name"]])[0],
                under_title=next(((g, v[0]) for g, v in c["meta"].get("under", {}).items()), None),
            )
            for c in table["columns"]
        )
        datasets[table["name"]] = Dataset(
            name=table["name"],
            kind=meta["kind"],
            columns=columns,
            groups=groups,
            transparent=_norm_all(meta.get("groups", {}).get("transparent", [])),
            group_titles={k: v[0] for k, v in meta.get("groups", {}).items() if k != "transparent"},
        )
    return Contract(
        datasets=datasets, ignored=_norm_all(raw["meta"]["ignored_labels"]), records=records, snapshots=snapshots
    )
