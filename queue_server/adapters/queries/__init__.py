"""The Repository's queries, one module per concern."""
