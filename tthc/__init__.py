"""TTHC Warehouse: load provinces' report files, build and test the marts with dbt, publish them.

Layers, top to bottom (import-linter checks them, `make lint`): cli → schedule → remind →
pipeline → report | alerts | query → runs → transform → ingest → warehouse → contract → settings.
"""
