"""TTHC Warehouse: Prefect flows and the `tthc` command."""
