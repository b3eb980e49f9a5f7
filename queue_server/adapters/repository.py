"""The Repository: every query and atomic update, grouped by concern in `queries/`.

It is the only place that writes SQL. A new concern adds its own module of queries there and
its class to the bases below.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from .queries.appointments import AppointmentQueries
from .queries.auth import AuthQueries
from .queries.centres import CentreQueries
from .queries.documents import DocumentQueries
from .queries.feedback import FeedbackQueries
from .queries.hall import HallQueries
from .queries.messages import MessageQueries
from .queries.phones import PhoneQueries
from .queries.printing import PrintQueries
from .queries.reports import ReportQueries
from .queries.sync import SponsorQueries, SyncQueries
from .queries.tickets import TicketQueries


class Repository(
    CentreQueries,
    TicketQueries,
    AuthQueries,
    PrintQueries,
    MessageQueries,
    AppointmentQueries,
    FeedbackQueries,
    ReportQueries,
    PhoneQueries,
    HallQueries,
    SyncQueries,
    SponsorQueries,
    DocumentQueries,
):
    """Reads and writes centres, tickets, counters, sign-ins, print jobs, SMS, appointments,
    feedback, report figures, phones' tickets, the hall's calls and the outreach sites' sync
    log in one session."""

    def __init__(self, session: Session) -> None:
        self.session = session
