"""Unit tests of the domain core (no I/O)."""
