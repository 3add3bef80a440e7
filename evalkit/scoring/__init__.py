"""Scoring: leaf rules, aggregation over the framework tree, ranks and grades."""
