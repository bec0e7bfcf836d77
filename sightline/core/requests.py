"""Facts about the HTTP request that several apps need: who is calling, from where.

The client address is the connection's peer (`REMOTE_ADDR`) unless the deployment says how many
reverse proxies it trusts (`TRUSTED_PROXY_COUNT`, default 0): then it is the address that many
hops from the right of `X-Forwarded-For`. Trusting the header without a proxy in front would let
any caller choose its own address, and with it dodge a throttle or forge the audit log."""

from __future__ import annotations

import ipaddress
from contextvars import ContextVar
from typing import Any

from django.conf import settings

# The address of the request being served on this thread, for the audit log (set by
# ui.middleware.ClientAddressMiddleware; empty outside a request: commands, tick, tests).
current_client_address: ContextVar[str] = ContextVar("current_client_address", default="")
# The path asked for, for the audit of a refused read ("" outside a request).
current_request_path: ContextVar[str] = ContextVar("current_request_path", default="")


def _valid(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return ""


def client_address(request: Any) -> str:
    """The caller's IP address as text, or "" when it cannot be told."""
    meta = getattr(request, "META", {}) or {}
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        hops = [h for h in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",") if h.strip()]
        if len(hops) >= proxies:
            return _valid(hops[-proxies])
    return _valid(str(meta.get("REMOTE_ADDR", "")))
