"""Use cases: one transaction each; events published only after the commit."""
