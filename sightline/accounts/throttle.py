"""The sign-in throttle: how many passwords may be tried, by whom, from where (ADR 10).

Every attempt is counted against its limits *before* its password is checked, in one short
transaction that locks the limits' counters, so concurrent attempts queue on the counter and the
(N+1)th sees the N before it. An attempt a limit refuses is not counted anywhere and its password
is never checked. A wrong password leaves its counts in place; a right one takes them back and
clears what it is entitled to clear (`sign_in_attempt_succeeded`).

Which limits count an attempt depends on the browser:

- a browser that has signed in to the account before carries a **trusted device** cookie for it
  (signed, HttpOnly, long-lived): its attempts count only against that device's own limit
  (`device`), so nobody elsewhere can lock the practitioner's own browser out;
- every other attempt is *untrusted* and counts against the account from this address
  (`account_address`), everything from this address (`address`: password spraying) and a high
  ceiling on the account from anywhere (`account`: distributed guessing).

Counts are kept per email address typed, whether or not it has an account, so the throttle
behaves the same for both, and the page says the same whichever limit refused it. Counters are
keyed by a keyed digest (HMAC with SECRET_KEY): the table holds no email or IP address; the audit
log keeps the record of every attempt."""

from __future__ import annotations

import datetime as dt
import ipaddress
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Count, Q
from django.utils.crypto import constant_time_compare, salted_hmac

from sightline.accounts.models import SignInAttempt, SignInCounter
from sightline.accounts.services import normalise_username
from sightline.core import clock

DEVICE_COOKIE = "sightline_device"
_DEVICE_SALT = "sightline.accounts.throttle.device"
_KEY_SALT = "sightline.accounts.throttle.key"
# A browser shared by several people (a duty desk) remembers this many accounts, newest first.
_DEVICES_PER_BROWSER = 10

# The limits in the order a refusal names them (audit detail only; the page never does).
ACCOUNT_ADDRESS = "account_address"
ADDRESS = "address"
ACCOUNT = "account"
DEVICE = "device"


@dataclass(frozen=True)
class Limit:
    name: str
    max_failures: int
    window: dt.timedelta


def limits() -> dict[str, Limit]:
    """The limits, read from settings on each call (so a deployment, or a test, can change them)."""
    window = dt.timedelta(seconds=int(getattr(settings, "SIGN_IN_WINDOW_SECONDS", 15 * 60)))
    per_key = int(getattr(settings, "SIGN_IN_MAX_FAILURES", 5))
    account_window = dt.timedelta(
        seconds=int(getattr(settings, "SIGN_IN_ACCOUNT_WINDOW_SECONDS", 60 * 60))
    )
    return {
        ACCOUNT_ADDRESS: Limit(ACCOUNT_ADDRESS, per_key, window),
        ADDRESS: Limit(ADDRESS, int(getattr(settings, "SIGN_IN_ADDRESS_MAX_FAILURES", 20)), window),
        ACCOUNT: Limit(
            ACCOUNT, int(getattr(settings, "SIGN_IN_ACCOUNT_MAX_FAILURES", 50)), account_window
        ),
        DEVICE: Limit(DEVICE, per_key, window),
    }


def longest_wait() -> dt.timedelta:
    """Long enough for every limit to let go once the attempts stop: what the page tells anyone
    refused, whichever limit refused them."""
    return max(limit.window for limit in limits().values())


def address_key(address: str) -> str:
    """The part of a client address that identifies a caller. An IPv6 host is given a whole /64,
    so its addresses count as one; an IPv4-mapped address counts as the IPv4 address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""  # unknown callers share one count rather than escaping it
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _digest(*parts: str) -> str:
    return salted_hmac(_KEY_SALT, "\x00".join(parts), algorithm="sha256").hexdigest()


# --- Trusted devices -----------------------------------------------------------------------


def _account_tag(username: str) -> str:
    return _digest("device-account", normalise_username(username))[:32]


def _device_entries(cookie: str | None) -> list[list[Any]]:
    """The cookie's (account tag, device id, issued at) entries, or none if it was not ours."""
    if not cookie:
        return []
    try:
        value = signing.loads(cookie, salt=_DEVICE_SALT)
    except signing.BadSignature:
        return []
    if not isinstance(value, list):
        return []
    return [
        entry
        for entry in value
        if isinstance(entry, list)
        and len(entry) == 3
        and isinstance(entry[0], str)
        and isinstance(entry[1], str)
        and isinstance(entry[2], int)
    ]


def _device_lifetime() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "SIGN_IN_DEVICE_DAYS", 180)))


def device_for(cookie: str | None, username: str) -> str | None:
    """The id of this browser as a trusted device for the account, if its cookie holds a valid,
    unexpired entry for it."""
    tag = _account_tag(username)
    oldest = int((clock.now() - _device_lifetime()).timestamp())
    for entry_tag, device, issued in _device_entries(cookie):
        if constant_time_compare(entry_tag, tag) and issued >= oldest:
            return str(device)
    return None


def device_cookie_after_sign_in(cookie: str | None, username: str) -> str:
    """The cookie to give a browser that has just signed in to the account: it keeps its device
    id for the account (or gets a new one), issued now, first in the list."""
    tag = _account_tag(username)
    device = device_for(cookie, username) or secrets.token_urlsafe(16)
    oldest = int((clock.now() - _device_lifetime()).timestamp())
    others = [
        entry
        for entry in _device_entries(cookie)
        if not constant_time_compare(entry[0], tag) and entry[2] >= oldest
    ]
    entries = [[tag, device, int(clock.now().timestamp())], *others][:_DEVICES_PER_BROWSER]
    return signing.dumps(entries, salt=_DEVICE_SALT, compress=True)


def device_cookie_max_age() -> int:
    return int(_device_lifetime().total_seconds())


# --- Counting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Key:
    limit: Limit
    digest: str


@dataclass
class Admission:
    """The throttle's answer to one attempt. `admitted` is False when a limit refused it (named
    in `refused_by`); otherwise the attempt is already counted (`_attempt_ids`)."""

    admitted: bool
    refused_by: str = ""
    _attempt_ids: list[int] = field(default_factory=list)
    _clears: str = ""


def _keys(username: str, address: str, device: str | None) -> list[_Key]:
    every = limits()
    name = normalise_username(username)
    if device is not None:
        return [_Key(every[DEVICE], _digest(DEVICE, name, device))]
    where = address_key(address)
    return [
        _Key(every[ACCOUNT_ADDRESS], _digest(ACCOUNT_ADDRESS, name, where)),
        _Key(every[ADDRESS], _digest(ADDRESS, where)),
        _Key(every[ACCOUNT], _digest(ACCOUNT, name)),
    ]


def _refusing_limit(keys: list[_Key], now: dt.datetime) -> str:
    """The first limit already reached for these keys, or ""."""
    within = Q()
    for key in keys:
        within |= Q(counter=key.digest, attempted_at__gt=now - key.limit.window)
    counts = dict(
        SignInAttempt.objects.filter(within)
        .values_list("counter")
        .annotate(n=Count("id"))
        .values_list("counter", "n")
    )
    for key in keys:
        if counts.get(key.digest, 0) >= key.limit.max_failures:
            return key.limit.name
    return ""


def sign_in_attempt_admit(*, username: str, address: str, device: str | None) -> Admission:
    """Count an attempt to sign in against its limits, or refuse it if any limit is reached.

    Call before checking the password; check it only if the answer is `admitted`."""
    return _admit(_keys(username, address, device))


def code_attempt_admit(*, user_id: int, address: str) -> Admission:
    """Count an attempt at a two-factor code (after a right password) against the same limits
    as passwords, for the account from this address and for the account from anywhere, or
    refuse it. Call before checking the code; on a right code, `sign_in_attempt_succeeded`.

    A trusted device does not help here: whoever has the password may be using the owner's
    own browser, and it is the code that proves the owner."""
    every = limits()
    account = f"code:{user_id}"
    where = address_key(address)
    return _admit(
        [
            _Key(every[ACCOUNT_ADDRESS], _digest(ACCOUNT_ADDRESS, account, where)),
            _Key(
                Limit(ACCOUNT, every[ACCOUNT_ADDRESS].max_failures * 2, every[ACCOUNT].window),
                _digest(ACCOUNT, account),
            ),
        ]
    )


def _admit(keys: list[_Key]) -> Admission:
    now = clock.now()
    # Most of an attack is refused: answer those from a read, without taking a lock.
    if refused_by := _refusing_limit(keys, now):
        return Admission(admitted=False, refused_by=refused_by)
    with transaction.atomic():
        # Touching each counter takes its row lock (PostgreSQL) or the write lock (SQLite,
        # BEGIN IMMEDIATE) until commit, so attempts on one counter are counted one at a time
        # and each sees every attempt before it. Counters are touched in digest order so two
        # attempts never wait for each other.
        SignInCounter.objects.bulk_create(
            [
                SignInCounter(digest=key.digest, limit=key.limit.name, touched_at=now)
                for key in sorted(keys, key=lambda k: k.digest)
            ],
            update_conflicts=True,
            unique_fields=["digest"],
            update_fields=["touched_at"],
        )
        if refused_by := _refusing_limit(keys, now):
            return Admission(admitted=False, refused_by=refused_by)
        attempts = SignInAttempt.objects.bulk_create(
            [SignInAttempt(counter=key.digest, attempted_at=now) for key in keys]
        )
    _prune(now)
    return Admission(
        admitted=True,
        _attempt_ids=[a.pk for a in attempts if a.pk is not None],
        # What a right password may clear: this device's count, or the count for this account
        # from this address. Never the address's count across accounts, nor the account's
        # ceiling: those hold other people's failures.
        _clears=keys[0].digest,
    )


def sign_in_attempt_succeeded(admission: Admission) -> None:
    """The password was right: the attempt no longer counts, and neither do the earlier failures
    of this device (or of this account from this address)."""
    if not admission.admitted:
        raise ValueError("a refused attempt cannot succeed")
    SignInAttempt.objects.filter(
        Q(pk__in=admission._attempt_ids) | Q(counter=admission._clears)
    ).delete()


def _prune(now: dt.datetime) -> None:
    # Outside the counting transaction: no lock is held while other counters' rows are deleted.
    cutoff = now - longest_wait()
    SignInAttempt.objects.filter(attempted_at__lte=cutoff).delete()
    SignInCounter.objects.filter(touched_at__lte=cutoff).delete()
