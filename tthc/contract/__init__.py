"""The shared kernel: datasets and their labels, periods, provinces, limits (contract §1)."""
