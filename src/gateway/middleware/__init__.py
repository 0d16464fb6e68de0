"""Pure ASGI layers of the request path, one per module."""
