# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The sandbox's download mirror and license server, and the installer and licctl they serve.

The license server checks the address a request comes from; on loopback
every 127.x.y.z is local, so a client bound to 127.0.0.5 is "the server
127.0.0.5" to it.
"""

import http.client
import json
import os
import subprocess
import sys
import urllib.parse

import pytest
import requests

ISPMGR6_LITE = 55227
BILLMGR = 5577


def fetch(sandbox, source_ip, mgr="ispmgr", key=None):
    """POST /licserver/fetch from ``source_ip``; returns (status, answer)."""
    connection = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=10, source_address=(source_ip, 0))
    fields = {"mgr": mgr}
    if key is not None:
        fields["key"] = key
    try:
        connection.request("POST", "/licserver/fetch", body=urllib.parse.urlencode(fields),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        return response.status, json.loads(response.read().decode("utf-8"))
    finally:
        connection.close()


def panel_log(sandbox):
    return requests.get(sandbox.base + "/sandbox/panel", timeout=10).json()["requests"]


@pytest.fixture
def licensed(sandbox):
    """An active ISPmanager 6 Lite license on 127.0.0.5; returns it (with its key)."""
    return sandbox.add_license(licname="web1", ip="127.0.0.5", pricelist=ISPMGR6_LITE)


# --- the license server ---------------------------------------------------------

def test_grants_the_right_key_on_the_right_ip(sandbox, licensed):
    status, answer = fetch(sandbox, "127.0.0.5", key=licensed["lickey"])
    assert status == 200
    assert answer == {"ok": True, "license": {
        "id": licensed["id"], "mgr": "ispmgr", "ip": "127.0.0.5", "expiredate": licensed["expiredate"],
        "pricelist": ISPMGR6_LITE, "product": "ISPmanager 6 Lite"}}
    entry = panel_log(sandbox)[-1]
    assert entry["client"] == "127.0.0.5"
    assert entry["result"] == "granted" and entry["license"] == licensed["id"]
    assert licensed["lickey"] not in json.dumps(panel_log(sandbox))


def test_without_a_key_the_license_of_the_ip(sandbox, licensed):
    status, answer = fetch(sandbox, "127.0.0.5")
    assert (status, answer["license"]["id"]) == (200, licensed["id"])
    status, answer = fetch(sandbox, "127.0.0.6")
    assert (status, answer) == (403, {"ok": False, "error": "no ispmgr license is bound to IP 127.0.0.6"})


@pytest.mark.parametrize("source_ip, mgr, key, change, reason", [
    ("127.0.0.6", "ispmgr", None, None, "license {id} is bound to IP 127.0.0.5, but this request comes from 127.0.0.6"),
    ("127.0.0.5", "ispmgr", "0" * 32, None, "invalid license key: no license has this key"),
    ("127.0.0.5", "billmgr", None, None, "license {id} (ISPmanager 6 Lite) is for ispmgr, not for billmgr"),
    ("127.0.0.5", "ispmgr", None, {"status": 3}, "license {id} is suspended"),
    ("127.0.0.5", "ispmgr", None, {"status": 5, "ordered_at": 4e9}, "license {id} is not issued yet (processing)"),
    ("127.0.0.5", "ispmgr", None, {"status": 1}, "license {id} is not paid yet"),
    ("127.0.0.5", "ispmgr", None, {"expiredate": "2020-01-01"}, "license {id} expired on 2020-01-01"),
    ("127.0.0.5", "ispmgr", None, {"status": 4, "lickey": ""}, "invalid license key: no license has this key"),
])
def test_refusals(sandbox, licensed, source_ip, mgr, key, change, reason):
    if change:
        sandbox.patch_license(licensed["id"], **change)
    status, answer = fetch(sandbox, source_ip, mgr, key or licensed["lickey"])
    assert status == 403
    assert answer == {"ok": False, "error": reason.format(id=licensed["id"])}
    assert panel_log(sandbox)[-1]["result"] == "refused"


def test_a_bad_panel_name_is_a_bad_request(sandbox, licensed):
    status, answer = fetch(sandbox, "127.0.0.5", mgr="ISP MGR", key=licensed["lickey"])
    assert status == 400 and "mgr" in answer["error"]


def test_only_post_fetch(sandbox):
    assert requests.get(sandbox.base + "/licserver/fetch", timeout=10).status_code == 404
    assert requests.post(sandbox.base + "/licserver/other", timeout=10).status_code == 404


# --- the mirror -----------------------------------------------------------------

def test_mirror_serves_the_installer_with_its_urls(sandbox):
    response = requests.get(sandbox.base + "/mirror/install.sh", timeout=10)
    assert response.status_code == 200
    assert response.text.startswith("#!/bin/sh\n")
    assert "MIRROR_URL='%s/mirror'" % sandbox.base in response.text
    assert "LICSERVER_URL='%s/licserver'" % sandbox.base in response.text
    assert "@@" not in response.text
    head = requests.head(sandbox.base + "/mirror/install.sh", timeout=10)
    assert head.status_code == 200 and head.headers["Content-Length"] == str(len(response.content))
    assert requests.get(sandbox.base + "/mirror/licctl", timeout=10).text.startswith("# -*- coding")
    assert requests.get(sandbox.base + "/mirror/nothing", timeout=10).status_code == 404
    assert [(e["method"], e["path"]) for e in panel_log(sandbox)] == [
        ("GET", "/mirror/install.sh"), ("HEAD", "/mirror/install.sh"), ("GET", "/mirror/licctl"),
        ("GET", "/mirror/nothing")]


def test_a_forged_host_header_does_not_reach_the_script(sandbox):
    response = requests.get(sandbox.base + "/mirror/install.sh", headers={"Host": "x';reboot;'"}, timeout=10)
    assert "MIRROR_URL='http://127.0.0.1:%d/mirror'" % sandbox.port in response.text


def test_head_elsewhere_is_refused_without_a_body(sandbox):
    assert requests.head(sandbox.url, timeout=10).status_code == 405
    assert requests.post(sandbox.url, data={"func": "soft", "authinfo": sandbox.authinfo}, timeout=10).ok


# --- the installer and licctl, for real ---------------------------------------------

def install(sandbox, tmp_path, *args, key=None, source_ip="127.0.0.5"):
    script = tmp_path / "install.sh"
    script.write_bytes(requests.get(sandbox.base + "/mirror/install.sh", timeout=10).content)
    env = dict(os.environ, MGR_ROOT=str(tmp_path / "mgr5"), LICCTL_SOURCE_IP=source_ip, LICCTL_PYTHON=sys.executable)
    env.pop("ACTIVATION_KEY", None)
    if key is not None:
        env["ACTIVATION_KEY"] = key
    return subprocess.run(["/bin/sh", str(script)] + list(args), env=env, capture_output=True, text=True, check=False,
                          timeout=60)


def licctl(tmp_path, *args):
    return subprocess.run([str(tmp_path / "mgr5" / "sbin" / "licctl")] + list(args), capture_output=True, check=False,
                          text=True, timeout=60, env=dict(os.environ))


def test_installer_installs_licctl_and_activates_the_license(sandbox, licensed, tmp_path):
    done = install(sandbox, tmp_path, "--release", "stable", "--silent", "ispmanager-lite", key=licensed["lickey"])
    assert done.returncode == 0, done
    assert licensed["lickey"] not in done.stdout + done.stderr
    root = tmp_path / "mgr5"
    assert "product=ispmanager-lite\nmgr=ispmgr\nrelease=stable\n" in (root / "etc" / "install.conf").read_text()
    assert (root / "etc" / "licctl.conf").read_text() == (
        "licserver=%s/licserver\nsource_ip=127.0.0.5\n" % sandbox.base)
    assert json.loads((root / "etc" / "ispmgr.lic").read_text())["id"] == licensed["id"]
    info = licctl(tmp_path, "info", "ispmgr")
    assert info.returncode == 0
    assert info.stdout.splitlines()[0] == "ID: %d" % licensed["id"]
    assert licctl(tmp_path, "info", "billmgr").stdout == "ID: 0\n"


def test_installer_without_a_key_installs_an_unlicensed_panel(sandbox, licensed, tmp_path):
    done = install(sandbox, tmp_path, "ispmgr")
    assert done.returncode == 0, done
    assert "without a license" in done.stdout
    assert licctl(tmp_path, "info", "ispmgr").stdout == "ID: 0\n"
    fetched = licctl(tmp_path, "fetch", "ispmgr", licensed["lickey"])
    assert fetched.returncode == 0, fetched
    assert licctl(tmp_path, "info", "ispmgr").stdout.startswith("ID: %d\n" % licensed["id"])


def test_installer_fails_when_the_license_server_refuses(sandbox, licensed, tmp_path):
    sandbox.patch_license(licensed["id"], status=3)
    done = install(sandbox, tmp_path, "--silent", "ispmanager", key=licensed["lickey"])
    assert done.returncode == 1
    assert "license %d is suspended" % licensed["id"] in done.stderr
    assert "could not be activated" in done.stderr
    refused = licctl(tmp_path, "fetch", "ispmgr", licensed["lickey"])
    assert refused.returncode == 2
    assert "license %d is suspended" % licensed["id"] in refused.stderr
    assert licctl(tmp_path, "info", "ispmgr").stdout == "ID: 0\n"


def test_licctl_from_another_address_is_refused(sandbox, licensed, tmp_path):
    assert install(sandbox, tmp_path, "ispmgr", source_ip="127.0.0.6").returncode == 0
    refused = licctl(tmp_path, "fetch", "ispmgr", licensed["lickey"])
    assert refused.returncode == 2
    assert "bound to IP 127.0.0.5, but this request comes from 127.0.0.6" in refused.stderr


def test_installer_usage_errors(sandbox, tmp_path):
    assert install(sandbox, tmp_path).returncode == 1
    unknown = install(sandbox, tmp_path, "frobmanager")
    assert unknown.returncode == 1 and "unknown product" in unknown.stderr
    assert install(sandbox, tmp_path, "--bogus", "ispmgr").returncode == 1
    assert install(sandbox, tmp_path, "--release", "nightly", "ispmgr").returncode == 1
    assert not (tmp_path / "mgr5").exists()
