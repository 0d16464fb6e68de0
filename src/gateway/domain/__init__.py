"""The logistics domain core: model, commands, events and state machines (stdlib only)."""
