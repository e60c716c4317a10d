"""The `tthc` command."""
