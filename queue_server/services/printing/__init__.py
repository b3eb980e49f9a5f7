"""Use cases of ticket printing, one module per concern; each imports only the ones above it.

- `jobs`: print jobs as stored (at issue and at reprint) and as shown, and their states.
- `attempts`: recording how an attempt went, and expiring jobs too old to print.
- `worker`: the server's print worker claiming due jobs and printing them.
- `agent`: the protocol of a kiosk's print agent (its kiosk, its jobs, its reports).
- `staff`: what supervisors and kiosks read and do (list, get, retry, reprint, the device).

A kiosk's ticket is rendered to ESC/POS bytes and stored as a print job in the transaction that
issues it, so a printer fault never loses it. The server's print worker claims due jobs
atomically (several processes never take the same one) and sends them; a kiosk whose printer
is "agent" has its jobs sent to its print agent over Socket.IO instead.
"""
