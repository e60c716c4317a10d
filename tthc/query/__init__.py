"""Read-only questions: SQL with a time limit, the shell, the metrics layer."""
