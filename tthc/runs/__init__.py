"""What a run records and reads back: changes, results, run log, summary, history, calendar, withdrawals."""
