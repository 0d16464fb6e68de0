"""Thin operation handlers: request -> command -> application service -> response."""
