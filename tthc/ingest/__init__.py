"""Ingestion: discover → decode → lay out → map → load."""
