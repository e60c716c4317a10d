"""Snapshots of the national portal's Decision 766 index (JSON) → rows of raw.index766.

Each group file has one of three shapes (seed index766_groups, column `shape`):
- national (service-results): `data.overview` (the nation), `data.radar[]` (its group scores)
  and `data.evaluation[]`, one row per province with `groupScores`;
- list (transparency, handling-satisfaction, dossier-digitized): `data.overview` (the
  province) and `data.evaluation[]`, each row with `metrics[]`;
- tree (dvc-progress-tree, provide-online-tree, formality-online-payment-tree): `data.parent`
  (the province) and `data.children[]`, each row with its score and counts.

A unit's own score is the metric TOTAL; the other numbers a row gives (counts, averages) are
metrics named after their key (`totalOnTime` → TOTAL_ON_TIME). Values are kept as written.
Anything that is not this shape raises ShapeError naming the path inside the JSON.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from tthc.settings import INDEX766_GROUPS_CSV, INDEX766_PORTAL_CODES_CSV

# Keys of a row that are not metrics: identity, the row's own score, the portal's deltas and charts.
_NOT_METRICS = frozenset({
    "stt", "departmentId", "departmentName", "departmentCode", "departmentType", "departmentLevel", "agencyLevel",
    "level", "totalScore", "score", "totalMaxScore", "maxScore", "ratio", "scoreDelta", "metrics", "groupScores",
})
_METRIC_NUMBERS = ("numerator", "denominator", "ratio", "score", "maxScore")
_KIND_NAMES = {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null",
               int: "a number", Decimal: "a number"}
_NUMBER = (int, Decimal, type(None))


class ShapeError(ValueError):
    """The JSON is not the portal's shape; the message names the path inside it."""


@dataclass(frozen=True)
class Group:
    file_group: str  # as in the file name: transparency, dvc-progress-tree…
    group_code: str  # as in the national file's groupScores: CKMB, TDGQ…
    shape: str  # national | list | tree


@lru_cache(maxsize=1)
def snapshot_groups() -> dict[str, Group]:
    """The groups a file name may give, from the seed index766_groups (one source with dbt)."""
    with INDEX766_GROUPS_CSV.open(encoding="utf-8") as f:
        return {r["file_group"]: Group(r["file_group"], r["group_code"], r["shape"]) for r in csv.DictReader(f)}


@lru_cache(maxsize=1)
def portal_codes() -> tuple[dict[str, str], ...]:
    """The portal's provinces (seed index766_portal_codes): portal_code (H44), portal_department_id,
    portal_name, province_code (the official code), one dict each."""
    with INDEX766_PORTAL_CODES_CSV.open(encoding="utf-8") as f:
        return tuple(dict(row) for row in csv.DictReader(f))


def metric_code(key: str) -> str:
    """`totalOnTime` → `TOTAL_ON_TIME`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key).upper()


def _kind(value: Any) -> str:
    return _KIND_NAMES.get(type(value), type(value).__name__)


def _get(node: Any, key: str, path: str, kinds: tuple[type, ...]) -> Any:
    """node[key], which must be there and be one of `kinds` (true/false is never a number)."""
    if not isinstance(node, dict):
        raise ShapeError(f"{path}: expected an object, found {_kind(node)}")
    if key not in node:
        raise ShapeError(f"{path}: no key {key!r}")
    value = node[key]
    if type(value) not in kinds:
        expected = " or ".join(sorted({_KIND_NAMES[k] for k in kinds}))
        raise ShapeError(f"{path}.{key}: expected {expected}, found {_kind(value)}")
    return value


# The warehouse holds the index's numbers as DECIMAL(18, 2): at most 16 digits before the point.
NUMBER_LIMIT = Decimal(10) ** 16


def _number(node: dict, key: str, path: str) -> str | None:
    """A number (or null) as written; a missing key, or a number the warehouse cannot hold
    (1e400, or 16 digits and more before the point), is an error naming the path."""
    value = _get(node, key, path, _NUMBER)
    if value is None:
        return None
    if not Decimal(value).is_finite() or abs(Decimal(value)) >= NUMBER_LIMIT:
        raise ShapeError(f"{path}.{key}: {value} is beyond the numbers the warehouse holds (under 10^16, two decimals)")
    return str(value)


def _optional_number(node: dict, key: str, path: str) -> str | None:
    return _number(node, key, path) if key in node else None


def _unit(row: dict, path: str, role: str) -> dict[str, str | None]:
    return {
        "unit_id": _get(row, "departmentId", path, (str,)),
        "unit_code": _get(row, "departmentCode", path, (str, type(None))) if "departmentCode" in row else None,
        "unit_name": _get(row, "departmentName", path, (str,)),
        "unit_type": row.get("departmentType") or row.get("level"),
        "unit_role": role,
    }


def _metric(unit: dict, path: str, code: str, name: str | None = None, numerator: str | None = None,
            denominator: str | None = None, ratio: str | None = None, score: str | None = None,
            max_score: str | None = None) -> dict[str, str | None]:
    return {**unit, "json_path": path, "metric_code": code, "metric_name": name, "numerator": numerator,
            "denominator": denominator, "ratio": ratio, "score": score, "max_score": max_score}


def _counts(row: dict, path: str, unit: dict) -> list[dict[str, str | None]]:
    """Every other number of the row, as a count metric named after its key."""
    return [
        _metric(unit, f"{path}.{key}", metric_code(key), numerator=_number(row, key, path))
        for key, value in row.items()
        if key not in _NOT_METRICS and type(value) in _NUMBER
    ]


def _scored_row(row: Any, path: str, role: str) -> list[dict[str, str | None]]:
    """A row of a list or tree group: its TOTAL, its metrics[] if any, and its counts."""
    unit = _unit(row, path, role)
    score_key = "score" if "score" in row and "totalScore" not in row else "totalScore"  # trees' children say score
    max_key = "maxScore" if "maxScore" in row and "totalMaxScore" not in row else "totalMaxScore"
    rows = [_metric(unit, path, "TOTAL", ratio=_number(row, "ratio", path), score=_number(row, score_key, path),
                    max_score=_number(row, max_key, path))]
    for i, metric in enumerate(row.get("metrics") or []):
        at = f"{path}.metrics[{i}]"
        rows.append(_metric(unit, at, _get(metric, "code", at, (str,)), metric.get("name"),
                            *(_number(metric, k, at) for k in _METRIC_NUMBERS)))
    return rows + _counts(row, path, unit)


def _list_of(node: dict, key: str, path: str) -> list:
    return _get(node, key, path, (list,))


def _complete(data: dict, rows: list) -> None:
    """A paged list must be whole: page 1 of 1, every unit in it."""
    paging = data.get("pagination")
    if isinstance(paging, dict):
        pages, total = paging.get("totalPages"), paging.get("total")
        if isinstance(pages, int) and pages > 1 or isinstance(total, int) and total > len(rows):
            raise ShapeError(
                f"data.pagination: the capture holds {len(rows)} of {total} units ({pages} pages); "
                "capture again with a pageSize that takes every unit"
            )


def _national(data: dict) -> list[dict[str, str | None]]:
    overview = _get(data, "overview", "data", (dict,))
    nation = {"unit_id": None, "unit_code": None, "unit_name": overview.get("departmentName"), "unit_type": "NATION",
              "unit_role": "nation"}
    rows = [_metric(nation, "data.overview", "TOTAL", ratio=_number(overview, "ratio", "data.overview"),
                    score=_number(overview, "totalScore", "data.overview"),
                    max_score=_optional_number(overview, "totalMaxScore", "data.overview"))]
    for i, radar in enumerate(data.get("radar") or []):
        at = f"data.radar[{i}]"
        rows.append(_metric(nation, at, _get(radar, "code", at, (str,)), radar.get("name"), ratio=_number(radar, "ratio", at),
                            score=_number(radar, "score", at), max_score=_number(radar, "maxScore", at)))
    for i, row in enumerate(_list_of(data, "evaluation", "data")):
        at = f"data.evaluation[{i}]"
        unit = _unit(row, at, "province")
        if unit["unit_code"] is None:
            raise ShapeError(f"{at}: no departmentCode (the portal's province code)")
        rows.append(_metric(unit, at, "TOTAL", ratio=_number(row, "ratio", at), score=_number(row, "totalScore", at)))
        scores = _get(row, "groupScores", at, (dict,))
        rows += [_metric(unit, f"{at}.groupScores.{code}", code, score=_number(scores, code, f"{at}.groupScores"))
                 for code in scores]
    return rows


def _list(data: dict) -> list[dict[str, str | None]]:
    evaluation = _list_of(data, "evaluation", "data")
    _complete(data, evaluation)
    rows = _scored_row(_get(data, "overview", "data", (dict,)), "data.overview", "root")
    for i, row in enumerate(evaluation):
        at = f"data.evaluation[{i}]"
        _list_of(row, "metrics", at)  # a list group's rows score through their metrics
        rows += _scored_row(row, at, "child")
    return rows


def _tree(data: dict) -> list[dict[str, str | None]]:
    children = _list_of(data, "children", "data")
    rows = _scored_row(_get(data, "parent", "data", (dict,)), "data.parent", "root")
    for i, row in enumerate(children):
        rows += _scored_row(row, f"data.children[{i}]", "child")
    return rows


_SHAPES = {"national": _national, "list": _list, "tree": _tree}


def parse_snapshot(data: bytes, shape: str) -> list[dict[str, str | None]]:
    """The rows of one capture; ShapeError (naming the path) when it is not the portal's shape.
    A file that is not JSON at all raises json.JSONDecodeError (with its line and column)."""
    doc = json.loads(data.decode("utf-8-sig"), parse_float=Decimal)
    if not isinstance(doc, dict):
        raise ShapeError(f"the file holds {_kind(doc)}, not the portal's response object")
    if doc.get("code") != "OK":
        raise ShapeError(f"code: the portal answered {doc.get('code')!r} ({doc.get('message')!r}), not \"OK\"")
    return _SHAPES[shape](_get(doc, "data", "(top level)", (dict,)))
