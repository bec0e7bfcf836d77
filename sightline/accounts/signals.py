"""What the accounts app announces. The governance app's receivers write the audit rows
(accounts sits below governance in the layer order, so it cannot call the audit module itself).

Each is sent inside the request or the service's transaction, so the audit row commits with it.
"""

from __future__ import annotations

from django.dispatch import Signal

# request, user — sent by the sign-in page after a successful sign-in (two_factor: the kind of
# code that completed it, "authenticator" or "backup_code", when one was asked for).
signed_in = Signal()
# request, username, reason ("incorrect" | "throttled" | "incorrect_code") — a refused attempt (at
# the password, or at the two-factor code, stage "code"); a throttled one also
# names the limit that refused it, limit (accounts.throttle: "account_address" | "address" |
# "account" | "device").
sign_in_refused = Signal()
# request, user, reason ("signed_out" | "timed_out" | "code_needed": a session without the
# two-factor code it now needs, ended by accounts.middleware.TwoFactorRequiredMiddleware).
signed_out = Signal()
# actor, user, change ("account_created" | "membership_created" | "membership_changed" |
# "heads_teams_set" | "password_set": a new user chose theirs), detail (dict).
account_changed = Signal()
# actor, user, change ("enrolled" | "reset" | "backup_codes_replaced"), detail (dict) — two-factor
# sign-in set up by the user, removed by an administrator, or new backup codes made.
two_factor_changed = Signal()
# actor, user, reason ("signed_out_everywhere" | "two_factor_reset" | "two_factor_enrolled") —
# every session of the user ended at once.
sessions_ended = Signal()
