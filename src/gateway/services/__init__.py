"""Use cases of the gateway: identity, workflows, unit of work."""
