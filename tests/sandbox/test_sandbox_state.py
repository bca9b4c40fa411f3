# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The sandbox's state file, restarts, concurrency, request log, seeding and control API."""

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
import requests

from sandbox_control import SERVER, SandboxControl, SandboxError
from sandbox_http import balance, doc, elems, error, is_key, ok, order, post, read, wait_active


def saved_state(sandbox):
    with open(sandbox.state_path, encoding="utf-8") as handle:
        return json.load(handle)


# --- persistence and restart ------------------------------------------------------------

def test_state_survives_restart_but_sessions_do_not(sandbox):
    first = order(sandbox, "127.0.0.5", licname="keep-me")
    key = wait_active(sandbox, first)["lickey"]
    second = order(sandbox, "127.0.0.6")
    ok(sandbox, "soft.suspend", elid=first)
    sid = doc(sandbox, "auth", with_authinfo=False, username=sandbox.username,
              password=sandbox.password)["auth"]["$"]
    spent = 100000.0 - balance(sandbox)
    port = sandbox.port

    sandbox.restart()

    assert sandbox.port == port
    fields = read(sandbox, first)
    assert (fields["licname"], fields["status"], fields["lickey"]) == ("keep-me", "3", key)
    assert read(sandbox, second)["ip"] == "127.0.0.6"
    assert balance(sandbox) == 100000.0 - spent
    assert error(sandbox, "soft", auth=sid)["$object"] == "session"  # sessions live in memory only
    assert order(sandbox, "127.0.0.7") == 3  # ids continue, never reused


def test_ids_are_not_reused_after_wipe_and_restart(sandbox):
    order(sandbox, "127.0.0.5")
    sandbox.wipe_licenses()
    assert doc(sandbox, "soft") == {}
    sandbox.restart()
    assert order(sandbox, "127.0.0.5") == 2
    assert saved_state(sandbox)["next_id"] == 3


def test_state_file_is_complete_json_without_temp_leftovers(sandbox):
    lic_id = order(sandbox, "127.0.0.5")
    state = saved_state(sandbox)
    assert state["next_id"] == 2
    assert state["users"]["reseller"]["balance"] == 99990.0
    lic = state["licenses"][0]
    assert {k: lic[k] for k in ("id", "ip", "pricelist", "status", "owner", "lickey")} == {
        "id": lic_id, "ip": "127.0.0.5", "pricelist": 3541, "status": 5, "owner": "reseller", "lickey": ""}
    leftovers = [name for name in os.listdir(os.path.dirname(sandbox.state_path)) if ".tmp" in name]
    assert leftovers == []


def test_processing_finished_while_stopped_is_seen_after_restart(sandbox):
    lic_id = order(sandbox, "127.0.0.5")
    sandbox.stop()
    time.sleep(0.3)
    sandbox.start()
    fields = read(sandbox, lic_id)
    assert fields["status"] == "2" and is_key(fields["lickey"])
    assert saved_state(sandbox)["licenses"][0]["status"] == 2


def test_restart_keeps_settings_made_through_control(sandbox):
    sandbox.set_config(processing_seconds=30)
    sandbox.restart()
    assert sandbox.config()["processing_seconds"] == 30


def test_config_file(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"users": {"alice": {"password": "pw", "balance": 12.5}},
                                  "processing_seconds": 0.1, "session_ttl": 60, "prices": {"3541": 2.5}}))
    with SandboxControl(tmp_path / "state.json", config_path=config, processing_seconds=None,
                        username="alice", password="pw") as sandbox:
        settings = sandbox.config()
        assert settings["processing_seconds"] == 0.1 and settings["session_ttl"] == 60
        assert settings["users"] == {"alice": {"balance": 12.5}}
        order(sandbox, "127.0.0.5")
        assert balance(sandbox) == 10.0
        assert error(sandbox, "soft", authinfo="reseller:sandbox-secret")["$object"] == "badpassword"


# --- concurrency -----------------------------------------------------------------------

def test_concurrent_orders_from_threads(sandbox):
    results, errors = [], []

    def worker(n):
        try:
            with requests.Session() as session:
                response = post(sandbox, "soft.order.param", session=session, pricelist=3541, period=1,
                                ip="127.0.1.%d" % n, skipbasket="on", sok="ok")
                results.append(int(response.json()["doc"]["id"]["$"]))
                response = post(sandbox, "soft", session=session)
                assert response.status_code == 200
        except Exception as exc:  # reported below, in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(results) == list(range(1, 21))
    state = saved_state(sandbox)
    assert state["next_id"] == 21
    assert sorted(lic["id"] for lic in state["licenses"]) == list(range(1, 21))
    assert len({lic["ip"] for lic in state["licenses"]}) == 20
    assert state["users"]["reseller"]["balance"] == 100000.0 - 20 * 10.0
    assert len(elems(sandbox)) == 20


def test_concurrent_orders_of_one_ip_create_exactly_one(sandbox):
    answers = []

    def worker():
        answers.append(post(sandbox, "soft.order.param", pricelist=3541, period=1, ip="127.0.0.5",
                            skipbasket="on", sok="ok").json()["doc"])

    threads = [threading.Thread(target=worker) for dummy in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sum("ok" in answer for answer in answers) == 1
    assert sum(answer.get("error", {}).get("$type") == "exists" for answer in answers) == 9
    assert len(sandbox.licenses()) == 1


# --- request log ---------------------------------------------------------------------

def test_log_masks_secrets(tmp_path):
    log_file = tmp_path / "requests.jsonl"
    with SandboxControl(tmp_path / "state.json", log_file=log_file) as sandbox:
        order(sandbox, "127.0.0.5")
        doc(sandbox, "auth", with_authinfo=False, username=sandbox.username, password=sandbox.password)
        error(sandbox, "soft", authinfo="reseller:wrong-password")
        entries = sandbox.log()
        assert [entry["func"] for entry in entries] == ["soft.order.param", "auth", "soft"]
        assert [entry["seq"] for entry in entries] == [1, 2, 3]
        first = entries[0]
        assert (first["method"], first["path"], first["user"], first["fault"]) == (
            "POST", "/billmgr", "reseller", None)
        assert first["params"]["authinfo"] == "reseller:********"
        assert first["params"]["ip"] == "127.0.0.5"
        assert entries[1]["params"]["password"] == "********"
        assert entries[2]["params"]["authinfo"] == "reseller:********"
        dumped = json.dumps(entries)
        assert sandbox.password not in dumped and "wrong-password" not in dumped
        lines = [json.loads(line) for line in log_file.read_text().splitlines()]
        assert lines == entries
        assert sandbox.password not in log_file.read_text()


def test_log_calls_and_clear(sandbox):
    order(sandbox, "127.0.0.5")
    doc(sandbox, "soft")
    doc(sandbox, "soft")
    assert sandbox.calls() == ["soft.order.param", "soft", "soft"]
    assert [entry["seq"] for entry in sandbox.calls("soft")] == [2, 3]
    sandbox.licenses()  # control calls are not logged
    sandbox.clear_log()
    assert sandbox.log() == []
    doc(sandbox, "soft")
    assert sandbox.calls() == ["soft"]


# --- seeding, patching, control ----------------------------------------------------------

def test_seed_10000_and_list_fast(sandbox):
    started = time.monotonic()
    answer = sandbox.seed(10000, pricelist=3541, status=2)
    seed_seconds = time.monotonic() - started
    assert answer == {"created": 10000, "first_id": 1, "last_id": 10000}
    assert seed_seconds < 5.0
    with requests.Session() as session:
        post(sandbox, "soft", session=session)  # warm the connection
        timings = []
        for dummy in range(3):
            started = time.monotonic()
            response = post(sandbox, "soft", session=session)
            timings.append(time.monotonic() - started)
    found = response.json()["doc"]["elem"]
    assert len(found) == 10000
    assert len({e["ip"]["$"] for e in found}) == 10000
    assert all("lickey" not in e for e in found[:100])
    assert found[-1]["status"] == {"$orig": "2", "$": "Active"}
    assert min(timings) < 0.5, timings  # the server itself takes well under 0.2 s


def test_seed_options_and_owner(sandbox):
    sandbox.set_config(users={"other": {"password": "pw2", "balance": 0}})
    sandbox.seed(3, owner="other", pricelist=4601, addons={"4602": 2}, status=3, ip_prefix="198.51.100.",
                 expiredate="2031-01-01", autoprolong=12)
    sandbox.seed(2, ip_prefix="2001:db8::", status=4)
    mine = elems(sandbox)
    assert [e["ip"]["$"] for e in mine] == ["2001:db8::4", "2001:db8::5"]
    assert all(e["status"]["$orig"] == "4" for e in mine)
    theirs = elems(sandbox, authinfo="other:pw2")
    assert [e["ip"]["$"] for e in theirs] == ["198.51.100.1", "198.51.100.2", "198.51.100.3"]
    assert error(sandbox, "soft.edit", elid=1)["$object"] == "elid"  # not the reseller's license
    answer = doc(sandbox, "soft.edit", authinfo="other:pw2", elid=1)
    assert answer["status"] == {"$": "3"} and answer["addon_4602"] == {"$": "2"}
    assert answer["expiredate"] == {"$": "2031-01-01"} and answer["autoprolong"] == {"$": "12"}
    assert is_key(answer["lickey"]["$"])
    with pytest.raises(SandboxError):
        sandbox.seed(300, ip_prefix="198.51.100.")  # only 256 addresses behind that prefix


def test_add_and_patch_license(sandbox):
    lic = sandbox.add_license(ip="127.0.0.5", pricelist=55230, status=2, lickey="k" * 32, licname="web")
    assert lic["id"] == 1 and lic["owner"] == "reseller"
    fields = read(sandbox, 1)
    assert (fields["ip"], fields["pricelist"], fields["lickey"]) == ("127.0.0.5", "55230", "k" * 32)
    patched = sandbox.patch_license(1, status=3, expiredate="2027-03-31", lickey="")
    assert (patched["status"], patched["expiredate"], patched["lickey"]) == (3, "2027-03-31", "")
    fields = read(sandbox, 1)
    assert (fields["status"], fields["expiredate"], fields["lickey"]) == ("3", "2027-03-31", None)
    # The exists rule sees seeded licenses too.
    assert error(sandbox, "soft.checkip", pricelist=55230, period=1, ip="127.0.0.5")["$type"] == "exists"
    with pytest.raises(SandboxError, match="404"):
        sandbox.patch_license(99, status=2)
    with pytest.raises(SandboxError, match="400"):
        sandbox.patch_license(1, colour="red")


def test_wipe_licenses(sandbox):
    sandbox.seed(5)
    assert sandbox.wipe_licenses() == {"ok": True, "deleted": 5}
    assert sandbox.licenses() == [] and doc(sandbox, "soft") == {}


def test_control_routes(sandbox):
    assert sandbox.health() == {"ok": True}
    with pytest.raises(SandboxError, match="404"):
        sandbox._control("GET", "nothing-here")
    with pytest.raises(SandboxError, match="400"):
        sandbox.add_fault("explode")
    with pytest.raises(SandboxError, match="400"):
        sandbox.set_config(colour="red")
    request = urllib.request.Request(sandbox.base + "/sandbox/faults", data=b"{not json", method="POST")
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=10)
    assert raised.value.code == 400


def test_balances_and_users_through_config(sandbox):
    settings = sandbox.set_config(balances={"reseller": 42}, users={"bob": {"password": "b", "balance": 7}})
    assert settings["users"] == {"reseller": {"balance": 42.0}, "bob": {"balance": 7.0}}
    assert doc(sandbox, "soft", authinfo="bob:b") == {}


# --- command line ------------------------------------------------------------------------

def test_cli_listening_line_port_file_and_sigterm(tmp_path):
    port_file = tmp_path / "port"
    process = subprocess.Popen([sys.executable, SERVER, "--port", "0", "--port-file", str(port_file),
                                "--state", str(tmp_path / "state.json")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline().strip()
        port = int(port_file.read_text().strip())
        assert line == "BILLmanager sandbox listening on http://127.0.0.1:%d/billmgr" % port
        with urllib.request.urlopen("http://127.0.0.1:%d/sandbox/health" % port, timeout=10) as response:
            assert json.loads(response.read()) == {"ok": True}
        # The default user when no config is given.
        response = requests.post("http://127.0.0.1:%d/billmgr" % port, timeout=10,
                                 data={"func": "soft", "out": "json", "authinfo": "reseller:sandbox-secret"})
        assert response.json() == {"doc": {}}
        process.terminate()
        out, err = process.communicate(timeout=10)
        assert process.returncode == 0, err
        assert "stopped" in out
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)


def test_cli_rejects_half_tls(tmp_path):
    result = subprocess.run([sys.executable, SERVER, "--state", str(tmp_path / "s.json"), "--tls-cert", "x"],
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2 and "--tls-key" in result.stderr


def test_example_config_starts(tmp_path):
    example = os.path.join(os.path.dirname(SERVER), "config.example.json")
    with SandboxControl(tmp_path / "state.json", config_path=example, password="secret") as sandbox:
        assert sandbox.call("soft") == {"doc": {}}
        assert sandbox.config()["users"]["poor-reseller"] == {"balance": 5.0}


def test_ipv6_loopback_listener(tmp_path):
    port_file = tmp_path / "port"
    process = subprocess.Popen([sys.executable, SERVER, "--host", "::1", "--port", "0", "--port-file",
                                str(port_file), "--state", str(tmp_path / "state.json")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline().strip()
        if not line:
            pytest.skip("no IPv6 loopback here: " + process.stderr.read())
        port = int(port_file.read_text().strip())
        assert line == "BILLmanager sandbox listening on http://[::1]:%d/billmgr" % port
        response = requests.post("http://[::1]:%d/billmgr" % port, timeout=10,
                                 data={"func": "soft", "out": "json", "authinfo": "reseller:sandbox-secret"})
        assert response.json() == {"doc": {}}
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_module_scoped_fixture_is_shared_first(sandbox_module):
    sandbox_module.add_license(ip="127.0.0.77", licname="shared")


def test_module_scoped_fixture_is_shared_second(sandbox_module):
    assert "shared" in [lic["licname"] for lic in sandbox_module.licenses()]
