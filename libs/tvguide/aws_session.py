"""The process's one boto3 session, from which every client and resource is made.

A session loads the service models it needs (DynamoDB's alone is ~30,000 Python objects) and keeps them for
the clients it makes. A session per thread — what "resources are not thread-safe" seemed to ask for — loaded
them again in every thread of every repository: measured, 20 DynamoDB resources made 600,000 objects in
1.8 s, and a function's full garbage collections, which walk every object, took 200 ms every few seconds
under load (the viewer API's p95). From one session: 62,000 objects, 0.15 s, 20 ms. Resources are still
one per thread (they are not thread-safe); only their making is serialised, since sessions are not either.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3

_lock = threading.Lock()
_session: boto3.session.Session | None = None


def _shared() -> boto3.session.Session:
    global _session  # noqa: PLW0603 (one per process, made when first needed)
    if _session is None:
        _session = boto3.session.Session()
    return _session


def new_resource(service: str) -> Any:
    """A new resource (give each thread its own) made from the shared session's loaded models."""
    with _lock:
        return _shared().resource(service)


def new_client(service: str) -> Any:
    """A client (thread-safe: share it) made from the shared session."""
    with _lock:
        return _shared().client(service)
