from types import SimpleNamespace

import pytest

from sightline.core.requests import client_address


def _req(**meta):
    return SimpleNamespace(META=meta)


def test_the_peer_address_when_no_proxy_is_trusted(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = _req(REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_address(request) == "192.0.2.7"


def test_the_address_the_trusted_proxy_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = _req(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9")
    # The caller can write anything on the left; only the hop the proxy appended is believed.
    assert client_address(request) == "203.0.113.9"


@pytest.mark.parametrize("value", ["", "not an address", "999.1.1.1", "<script>"])
def test_a_malformed_address_is_not_trusted(settings, value):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(_req(REMOTE_ADDR=value)) == ""
