"""Socket.IO namespaces (thin: authenticate, validate, call a use case, map errors)."""
