"""Deterministic changes to a flow.

The repairs every parsed flow gets before validation (from the catalog and the task's facts), and the
local edits search tries on a flow that ran and failed its checks.
"""
