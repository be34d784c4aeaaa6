"""Needs profiles: count tables, aggregation, suppression, reports, charts, peer learning."""
