"""Benchmarks of the contract registry (lint, diff, compatibility)."""
