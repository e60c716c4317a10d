"""Header matching: header cells → the dataset's canonical columns (contract §1.3)."""

from __future__ import annotations

import re

from tthc.contract.datasets import Dataset
from tthc.contract.labels import normalize_label


class HeaderError(ValueError):
    """A header that cannot be mapped without guessing."""


def split_inline_group(label: str) -> list[str]:
    """ "Group: Label", "Group - Label" and "Group (Label)" in a one-row header → [group, label]."""
    m = re.fullmatch(r"\s*(.+?)\s*(?::|\s-\s|\()\s*(.+?)\)?\s*", label)
    return [m.group(1), m.group(2)] if m else [label]


def match_column(dataset: Dataset, path: list[str]) -> set[str]:
    """Canonical columns a header path (group labels …, leaf label) can mean.

    A leaf under a recognised group is read with it; otherwise the leaf's own labels count.
    """
    keys = [normalize_label(p) for p in path]
    keys = [k for k in keys if k and k not in dataset.transparent]
    if not keys:
        return set()
    leaf, ancestors = keys[-1], keys[:-1]
    groups = {g for g, labels in dataset.groups.items() for a in ancestors if a in labels}
    under = {c.name for c in dataset.columns for g in groups if leaf in c.under.get(g, ())}
    if under:
        return under
    own = {c.name for c in dataset.columns if leaf in c.labels}
    if own:
        return own
    if len(path) == 1:
        parts = split_inline_group(path[0])
        if len(parts) == 2 and (inline := match_column(dataset, parts)):
            return inline
    # A leaf that has a meaning only under a group nobody named ("Quá hạn" alone).
    return {c.name for c in dataset.columns if any(leaf in labels for labels in c.under.values())}


def map_header(dataset: Dataset, ignored: frozenset[str], paths: list[list[str]]) -> tuple[dict[int, str], list[str]]:
    """Map each header column (its path of labels) to a canonical column.

    Returns {column index: canonical name} and the unknown labels, as written.
    Raises HeaderError naming the labels when one could mean two columns or two mean one.
    """
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    written: dict[str, str] = {}
    for idx, path in enumerate(paths):
        shown = " / ".join(p for p in path if p.strip())
        if not shown or normalize_label(path[-1]) in ignored:
            continue
        candidates = match_column(dataset, path)
        if len(candidates) > 1:
            raise HeaderError(f'header "{shown}" could mean any of {", ".join(sorted(candidates))}')
        if not candidates:
            unknown.append(shown)
            continue
        name = candidates.pop()
        if name in written:
            raise HeaderError(f'headers "{written[name]}" and "{shown}" both mean {name}')
        written[name] = shown
        mapping[idx] = name
    return mapping, unknown
