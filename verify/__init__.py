"""Verification of a run against its task: expectations, output checks and the optional vision judge."""
