"""What the accounts app announces. The governance app's receivers write the audit rows
(accounts sits below governance in the layer order, so it cannot call the audit module itself).

Each is sent inside the request or the service's transaction, so the audit row commits with it.
"""

from __future__ import annotations

from django.dispatch import Signal

# request, user — sent by the sign-in page after a successful sign-in.
signed_in = Signal()
# request, username, reason ("incorrect" | "throttled") — a refused attempt; a throttled one also
# names the limit that refused it, limit (accounts.throttle: "account_address" | "address" |
# "account" | "device").
sign_in_refused = Signal()
# request, user, reason ("signed_out" | "timed_out").
signed_out = Signal()
# actor, user, change ("account_created" | "membership_created" | "membership_changed" |
# "heads_teams_set"), detail (dict).
account_changed = Signal()
