"""Alerts through Apprise: run messages, the digest, the Prefect notification block."""
