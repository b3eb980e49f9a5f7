"""Security headers on every answer: API, pages, static files and errors alike."""

from __future__ import annotations

from flask import Flask, Response

from ..config import Settings

API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"
"""For answers that are not pages (JSON, scripts, images): nothing may run or frame them."""

HSTS = "max-age=31536000; includeSubDomains"


def register_security_headers(app: Flask, settings: Settings) -> None:
    """Add the headers after every request; a page's own policy (common.secure_page) stays."""
    https = (settings.public_url or "").lower().startswith("https://")

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", API_CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if https:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
