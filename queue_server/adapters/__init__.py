"""Adapters: the database, the notifier and the other outside things behind the use cases."""
