# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""HTTPS mode (--tls-cert/--tls-key), with a throwaway self-signed certificate for 127.0.0.1."""


import pytest
import requests


def test_https_api_with_trusted_ca(tls_sandbox):
    assert tls_sandbox.url.startswith("https://127.0.0.1:")
    response = requests.post(tls_sandbox.url, verify=tls_sandbox.tls_cert, timeout=10,
                             data={"func": "soft", "out": "json", "authinfo": tls_sandbox.authinfo})
    assert response.json() == {"doc": {}}
    assert tls_sandbox.health() == {"ok": True}  # the control API is on HTTPS too
    assert "listening on https://127.0.0.1:%d/billmgr" % tls_sandbox.port in tls_sandbox.output()


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_https_untrusted_certificate_is_refused(tls_sandbox):
    with pytest.raises(requests.exceptions.SSLError):
        requests.post(tls_sandbox.url, timeout=10, data={"func": "soft", "out": "json"})
    # The failed handshake does not hurt the server.
    response = requests.post(tls_sandbox.url, verify=False, timeout=10,
                             data={"func": "soft", "out": "json", "authinfo": tls_sandbox.authinfo})
    assert response.json() == {"doc": {}}


def test_plain_http_to_https_port_fails(tls_sandbox):
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post("http://127.0.0.1:%d/billmgr" % tls_sandbox.port, timeout=5, data={"func": "soft"})
    assert tls_sandbox.health() == {"ok": True}
