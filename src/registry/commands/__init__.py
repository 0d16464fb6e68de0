"""Sub-commands of the ``registry`` CLI, one module each with ``register(subparsers)``."""
