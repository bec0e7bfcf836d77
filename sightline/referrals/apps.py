from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "sightline.referrals"
    label = "referrals"
    # Checked by referrals.services and selectors; given to roles by governance's role policy.
    capabilities = {
        "make_referrals": "Makes contacts and referrals about the children they may see, and "
        "follows them",
        "receive_referrals": "Sees the referrals made to their agency (the front door), "
        "acknowledges, triages and answers them",
        "decide_referrals": "Decides the referrals made to their agency and allocates them",
    }

    def ready(self) -> None:
        from sightline.referrals import wiring

        wiring.register()
