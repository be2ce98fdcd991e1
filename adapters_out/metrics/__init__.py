"""Operational metrics (``ports.metrics``) for Prometheus."""
