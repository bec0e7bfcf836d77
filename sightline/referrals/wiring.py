"""Everything the referrals app plugs into the lower apps, called from ReferralsConfig.ready()
(registering again replaces)."""

from __future__ import annotations


def register() -> None:
    from sightline.chronology.signals import story_changed
    from sightline.core import extensions, timescales
    from sightline.referrals import clocks, openitems, panels, receivers, tasks, work

    # The clocks (a periodic job of `sightline tick`) and the referral lines of feeds.
    tasks.register()
    timescales.require_keys("referrals", *clocks.required_keys())
    story_changed.connect(receivers.story_changed, dispatch_uid="referrals.from_feed")

    # A merge moves the merged person's referrals to the survivor (identity.merging).
    extensions.register_person_fields("referrals.Referral.person")

    # The child's page: their referrals, and "Make a referral".
    extensions.register_panel("child", "summary", "referrals", panels.referrals_panel, order=20)

    # The service navigation: the referrals a practitioner made, and the front door.
    extensions.register_nav_item(
        "referrals_mine",
        "Your referrals",
        "referrals:mine",
        capabilities=["make_referrals"],
        order=12,
    )
    extensions.register_nav_item(
        "referrals_front_door",
        "Front door",
        "referrals:front_door",
        capabilities=["receive_referrals", "decide_referrals"],
        order=14,
    )

    # What is still open for a child, shown before a step down or a closure is agreed.
    extensions.register_open_items(
        "referrals",
        "referral",
        openitems.open_referral_items,
        people=openitems.people_with_open_referrals,
        order=20,
    )

    # "My work": referrals to decide, allocated to the viewer, made by them; the team's view.
    work.register()
