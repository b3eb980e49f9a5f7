"""Alembic environment: always run by the server with a live connection (see database.migrate)."""

from alembic import context

from queue_server.adapters.orm import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
