"""Service by Appointment: bookings, the places taken per slot, closed days."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from ...domain.appointments import AppointmentStatus
from ..orm import Appointment, Centre, ClosedDay, Service, SlotUsage
from .base import Queries

_BOOKED = AppointmentStatus.BOOKED.value
_LIVE = [_BOOKED, AppointmentStatus.CHECKED_IN.value]


class AppointmentQueries(Queries):
    """Reads and atomic updates of appointments and slot usage."""

    def appointment(self, ref: str) -> Appointment | None:
        """The appointment with this (stored-form) ref."""
        return self.session.scalars(select(Appointment).where(Appointment.ref == ref)).one_or_none()

    def appointment_by_idempotency_key(self, centre: Centre, key: str) -> Appointment | None:
        """The appointment already booked at `centre` under `key`."""
        return self.session.scalars(
            select(Appointment).where(
                Appointment.centre_id == centre.id, Appointment.idempotency_key == key
            )
        ).one_or_none()

    def appointments_of_day(self, centre: Centre, day: date) -> Sequence[Appointment]:
        """The centre's appointments on a local day, by slot."""
        return self.session.scalars(
            select(Appointment)
            .where(Appointment.centre_id == centre.id, Appointment.day == day)
            .options(selectinload(Appointment.service), selectinload(Appointment.ticket))
            .order_by(Appointment.start, Appointment.id)
        ).all()

    def booked_of_service_day(self, service: Service, day: date) -> Sequence[Appointment]:
        """A service's bookings still awaiting their slot on a local day."""
        return self.session.scalars(
            select(Appointment).where(
                Appointment.service_id == service.id,
                Appointment.day == day,
                Appointment.status == _BOOKED,
            )
        ).all()

    def phone_has_booking(self, service: Service, day: date, phone: str) -> bool:
        """Whether this phone holds a live booking (booked or checked in) of a service that day."""
        return (
            self.session.scalar(
                select(Appointment.id)
                .where(
                    Appointment.service_id == service.id,
                    Appointment.day == day,
                    Appointment.phone == phone,
                    Appointment.status.in_(_LIVE),
                )
                .limit(1)
            )
            is not None
        )

    def places_taken(
        self, service: Service, since: datetime, until: datetime
    ) -> dict[datetime, int]:
        """Places taken per slot start of a service in [since, until)."""
        rows = self.session.execute(
            select(SlotUsage.start, SlotUsage.booked).where(
                SlotUsage.service_id == service.id,
                SlotUsage.start >= since,
                SlotUsage.start < until,
            )
        ).all()
        return {start: booked for start, booked in rows}

    def claim_place(self, service: Service, start: datetime, capacity: int) -> bool:
        """Take one place of a slot if one is free, atomically; False when it is full.

        The usage row is made once, then one conditional UPDATE decides: two bookings racing
        for the last place cannot both see it free, in any process.
        """
        self.session.execute(
            self._insert()(SlotUsage)
            .values(service_id=service.id, start=start, booked=0)
            .on_conflict_do_nothing()
        )
        result = self.session.execute(
            update(SlotUsage)
            .where(
                SlotUsage.service_id == service.id,
                SlotUsage.start == start,
                SlotUsage.booked < capacity,
            )
            .values(booked=SlotUsage.booked + 1)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]

    def release_place(self, service_id: int, start: datetime) -> None:
        """Give back one place of a slot (a cancelled booking)."""
        self.session.execute(
            update(SlotUsage)
            .where(
                SlotUsage.service_id == service_id,
                SlotUsage.start == start,
                SlotUsage.booked > 0,
            )
            .values(booked=SlotUsage.booked - 1)
            .execution_options(synchronize_session=False)
        )

    def move_appointment(self, appointment_id: int, expected: str, values: dict) -> bool:
        """Change an appointment only if its status is still `expected`; False if it moved."""
        result = self.session.execute(
            update(Appointment)
            .where(Appointment.id == appointment_id, Appointment.status == expected)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]

    def booked_before(self, centre: Centre, start_before: datetime) -> Sequence[int]:
        """Ids of the centre's bookings whose slot began before `start_before`, not checked in."""
        return self.session.scalars(
            select(Appointment.id).where(
                Appointment.status == _BOOKED,
                Appointment.start < start_before,
                Appointment.centre_id == centre.id,
            )
        ).all()

    def appointments_by_status(self) -> dict[str, int]:
        """How many appointments there are in each status (for the metrics)."""
        rows = self.session.execute(
            select(Appointment.status, func.count()).group_by(Appointment.status)
        ).all()
        return {status: count for status, count in rows}

    def closed_days(self, service: Service, first: date, last: date) -> set[date]:
        """The days in [first, last] a supervisor closed the service's bookings."""
        return set(
            self.session.scalars(
                select(ClosedDay.day).where(
                    ClosedDay.service_id == service.id,
                    ClosedDay.day >= first,
                    ClosedDay.day <= last,
                )
            ).all()
        )

    def close_day(
        self, service: Service, day: date, reason: str, now: datetime, by: int | None
    ) -> bool:
        """Record a closed day once; False when it was closed already."""
        result = self.session.execute(
            self._insert()(ClosedDay)
            .values(service_id=service.id, day=day, reason=reason, closed_at=now, closed_by=by)
            .on_conflict_do_nothing()
        )
        return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]
