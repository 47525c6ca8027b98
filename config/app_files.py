"""Headers for the web app's files (app/public/, served at / by WhiteNoise).

Kept apart from config/edge.py because the settings import it, and the
settings must not import the apps."""

from __future__ import annotations

from typing import Any


def app_headers(headers: Any, path: str, url: str) -> None:
    """The app's files are not content-hashed, so a browser must revalidate
    each before use; the service worker (app/public/sw.js) keeps the offline
    copy. Django's static files (/static/) keep WhiteNoise's own caching."""
    if not url.startswith("/static/"):
        headers["Cache-Control"] = "no-cache"
