"""Track my Service documents: found by ref, moved forward by guarded updates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from ..orm import Centre, Document, Ticket
from .base import Queries


class DocumentQueries(Queries):
    """Documents to collect: lodged, moved forward only, listed by status."""

    def document(self, ref: str) -> Document | None:
        """The document with this (stored-form) ref, read afresh."""
        return self.session.scalars(
            select(Document)
            .where(Document.ref == ref)
            .options(selectinload(Document.centre), selectinload(Document.service))
            .execution_options(populate_existing=True)
        ).one_or_none()

    def documents_by_ref(self, centre: Centre, refs: Sequence[str]) -> Sequence[Document]:
        """The centre's documents among these refs."""
        return self.session.scalars(
            select(Document).where(Document.centre_id == centre.id, Document.ref.in_(refs))
        ).all()

    def move_document(self, document_id: int, from_status: str, values: dict) -> bool:
        """Change a document only if it is still in `from_status`; whether it was."""
        result = self.session.execute(
            update(Document)
            .where(Document.id == document_id, Document.status == from_status)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]

    def centre_documents(
        self, centre: Centre, status: str | None, limit: int
    ) -> Sequence[Document]:
        """A centre's documents, most recently changed first, of one status if given."""
        query = select(Document).where(Document.centre_id == centre.id)
        if status is not None:
            query = query.where(Document.status == status)
        return self.session.scalars(
            query.options(selectinload(Document.service))
            .order_by(Document.updated_at.desc(), Document.id.desc())
            .limit(limit)
        ).all()

    def ready_since_before(self, centre: Centre, before: datetime) -> Sequence[Document]:
        """The centre's documents ready since before `before` and still not collected."""
        return self.session.scalars(
            select(Document).where(
                Document.centre_id == centre.id,
                Document.status == "ready",
                Document.ready_at < before,
            )
        ).all()

    def forget_document_phones(self, closed_before: datetime) -> None:
        """Delete the phone numbers of documents collected or returned before `closed_before`."""
        self.session.execute(
            update(Document)
            .where(Document.phone.is_not(None), Document.closed_at < closed_before)
            .values(phone=None)
            .execution_options(synchronize_session=False)
        )

    def collection_ticket(self, ref: str, day: date) -> str | None:
        """The public id of the document's collection ticket of `day` still open, if any."""
        return self.session.scalars(
            select(Ticket.public_id)
            .where(
                Ticket.document_ref == ref,
                Ticket.day == day,
                Ticket.status.in_(["waiting", "called", "serving"]),
            )
            .limit(1)
        ).one_or_none()
