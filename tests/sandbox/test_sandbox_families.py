# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The three families (soft, platform, softexternal), trials, tariff changes, remoteid and 0.0.0.0."""

import datetime
import time

import pytest

from sandbox_http import (add_months, balance, doc, elems, error, family_elems, family_order, family_read, is_key,
                          ok, order, read, wait_active)

TODAY = datetime.date.today


def month_days():
    """Days of paid time left in a monthly license ordered today."""
    return (add_months(TODAY(), 1) - TODAY()).days


def wait_family_active(sandbox, family, elid):
    for dummy in range(100):
        fields = family_read(sandbox, family, elid)
        if fields["status"] == "2":
            return fields
        time.sleep(0.05)
    raise AssertionError(fields)


# --- platform ----------------------------------------------------------------------------

def test_platform_lifecycle(sandbox):
    lic_id = family_order(sandbox, "platform", 55163, period=1, comment="cluster A", addon_55165=2, addon_55164=10,
                          remoteid="vm-1", ip="127.0.0.5", licname="ignored")
    assert balance(sandbox) == 100000.0 - (40.0 + 2 * 10.0 + 10 * 0.5)
    fields = wait_family_active(sandbox, "platform", lic_id)
    assert is_key(fields["lickey"])
    assert (fields["comment"], fields["pricelist"], fields["remoteid"], fields["addon_55165"], fields["addon_55164"]) \
        == ("cluster A", "55163", "vm-1", "2", "10")
    assert "ip" not in fields and "licname" not in fields
    assert fields["expiredate"] == add_months(TODAY(), 1).isoformat()
    # The row: comment, no ip/licname.
    row, = family_elems(sandbox, "platform")
    assert list(row) == ["id", "comment", "pricelist", "createdate", "expiredate", "autoprolong", "status", "cost",
                         "remoteid"]
    assert row["comment"] == {"$": "cluster A"} and row["cost"] == {"$": "65.00"}
    assert row["pricelist"] == {"$orig": "55163", "$": "VMmanager 6"}
    # Edit: comment, addon amounts, autoprolong, remoteid.
    ok(sandbox, "platform.edit", elid=lic_id, comment="cluster B", addon_55164=25, autoprolong=12, remoteid="vm-2",
       sok="ok")
    fields = family_read(sandbox, "platform", lic_id)
    assert (fields["comment"], fields["addon_55164"], fields["addon_55165"], fields["autoprolong"],
            fields["remoteid"]) == ("cluster B", "25", "2", "12", "vm-2")
    assert family_elems(sandbox, "platform")[0]["autoprolong"] == {"$orig": "12", "$": "1 year"}
    ok(sandbox, "platform.edit", elid=lic_id, addon_55236=1, sok="ok")  # a foreign addon is ignored
    assert "addon_55236" not in family_read(sandbox, "platform", lic_id)
    err = error(sandbox, "platform.edit", elid=lic_id, addon_55165=-1, sok="ok")
    assert (err["$type"], err["$object"]) == ("value", "addon_55165")
    err = error(sandbox, "platform.order.param", pricelist=55163, addon_55236=1, skipbasket="on", sok="ok")
    assert (err["$type"], err["$object"]) == ("value", "addon_55236")
    # New key.
    old_key = fields["lickey"]
    new_key = ok(sandbox, "platform.edit", elid=lic_id, clicked_button="newkey", sok="ok")["lickey"]["$"]
    assert is_key(new_key) and new_key != old_key
    assert family_read(sandbox, "platform", lic_id)["lickey"] == new_key
    # Suspend, resume (no sok), prolong, delete.
    ok(sandbox, "platform.suspend", elid=lic_id)
    assert family_read(sandbox, "platform", lic_id)["status"] == "3"
    ok(sandbox, "platform.resume", elid=lic_id)
    assert family_read(sandbox, "platform", lic_id)["status"] == "2"
    before = balance(sandbox)
    answer = ok(sandbox, "service.prolong", elid=lic_id, period=12, sok="ok")
    assert answer["newexpiredate"]["$"] == add_months(TODAY(), 13).isoformat()
    assert balance(sandbox) == round(before - (40.0 + 2 * 10.0 + 25 * 0.5) * 10, 2)
    ok(sandbox, "platform.delete", elid=lic_id, sok="ok")
    fields = family_read(sandbox, "platform", lic_id)
    assert fields["status"] == "4" and fields["lickey"] is None


def test_platform_has_no_checkip_and_takes_no_ip(sandbox):
    err = error(sandbox, "platform.checkip", pricelist=55163, period=1)
    assert (err["$type"], err["$object"], err["msg"]["$"]) == ("missed", "func", "Function platform.checkip not found")
    err = error(sandbox, "softexternal.checkip", pricelist=9203, ip="127.0.0.5")
    assert (err["$type"], err["$object"]) == ("missed", "func")
    # Two platforms of one tariff: no IP, so no exists rule.
    first = family_order(sandbox, "platform", 55161)
    second = family_order(sandbox, "platform", 55161)
    assert [lic["ip"] for lic in sandbox.licenses()] == ["", ""] and second == first + 1
    assert [lic["family"] for lic in sandbox.licenses()] == ["platform", "platform"]


# --- softexternal ------------------------------------------------------------------------

def test_softexternal_lifecycle(sandbox):
    lic_id = family_order(sandbox, "softexternal", 9204, ip="127.0.0.5", licname="web1", remoteid="se-1")
    assert balance(sandbox) == 100000.0 - 3.0
    fields = wait_family_active(sandbox, "softexternal", lic_id)
    assert (fields["licname"], fields["ip"], fields["pricelist"], fields["remoteid"]) == ("web1", "127.0.0.5", "9204",
                                                                                          "se-1")
    row, = family_elems(sandbox, "softexternal")
    # The columns of the BILLmanager 6 reference (remoteid added when set).
    assert list(row) == ["id", "licname", "ip", "pricelist", "createdate", "expiredate", "autoprolong", "status_msg",
                         "item_status", "cost", "remoteid"]
    assert (row["status_msg"], row["item_status"]) == ({"$": "Active"}, {"$": "2"})
    ok(sandbox, "softexternal.edit", elid=lic_id, licname="web2", ip="127.0.0.6", autoprolong=1, remoteid="se-2",
       sok="ok")
    fields = family_read(sandbox, "softexternal", lic_id)
    assert (fields["licname"], fields["ip"], fields["autoprolong"], fields["remoteid"]) == ("web2", "127.0.0.6", "1",
                                                                                            "se-2")
    ok(sandbox, "softexternal.suspend", elid=lic_id)
    assert family_read(sandbox, "softexternal", lic_id)["status"] == "3"
    ok(sandbox, "softexternal.resume", elid=lic_id)
    err = error(sandbox, "service.prolong", elid=lic_id, period=12, sok="ok")  # monthly only
    assert (err["$type"], err["$object"]) == ("value", "period")
    ok(sandbox, "service.prolong", elid=lic_id, period=1, sok="ok")
    assert family_read(sandbox, "softexternal", lic_id)["expiredate"] == add_months(TODAY(), 2).isoformat()
    ok(sandbox, "softexternal.delete", elid=lic_id, sok="ok")
    assert family_elems(sandbox, "softexternal")[0]["item_status"] == {"$": "4"}


@pytest.mark.parametrize("period", [12, -100, 0])
def test_softexternal_orders_period_1_only(sandbox, period):
    err = error(sandbox, "softexternal.order.param", pricelist=11738, period=period, ip="127.0.0.5",
                skipbasket="on", sok="ok")
    assert (err["$type"], err["$object"]) == ("value", "period")
    assert "available: 1" in err["msg"]["$"]
    assert sandbox.licenses() == []


# --- families are separate -----------------------------------------------------------------

def test_each_family_sees_only_its_own_licenses(sandbox):
    soft_id = order(sandbox, "127.0.0.5")
    platform_id = family_order(sandbox, "platform", 55163)
    external_id = family_order(sandbox, "softexternal", 9203, ip="127.0.0.5")
    assert (soft_id, platform_id, external_id) == (1, 2, 3)  # one id sequence
    assert [e["id"]["$"] for e in elems(sandbox)] == ["1"]
    assert [e["id"]["$"] for e in family_elems(sandbox, "platform")] == ["2"]
    assert [e["id"]["$"] for e in family_elems(sandbox, "softexternal")] == ["3"]
    for func, elid in (("soft.edit", platform_id), ("platform.edit", soft_id), ("softexternal.suspend", soft_id),
                       ("soft.delete", external_id), ("platform.resume", external_id)):
        err = error(sandbox, func, elid=elid, sok="ok")
        assert (err["$type"], err["$object"], err["msg"]["$"]) == ("missed", "elid", "License %d not found" % elid)
    # A tariff of another family is refused by the order function.
    for func, pricelist in (("soft.order.param", 55163), ("platform.order.param", 3541),
                            ("softexternal.order.param", 55227)):
        err = error(sandbox, func, pricelist=pricelist, ip="127.0.0.9", skipbasket="on", sok="ok")
        assert (err["$type"], err["$object"]) == ("value", "pricelist")
    assert len(sandbox.licenses()) == 3


# --- tariff change -------------------------------------------------------------------------

def test_changepricelist_charges_the_difference_for_the_time_left(sandbox):
    lic_id = order(sandbox, "127.0.0.5", pricelist=55227)  # 12 a month
    wait_active(sandbox, lic_id)
    key = read(sandbox, lic_id)["lickey"]
    before = balance(sandbox)
    preview = doc(sandbox, "service.changepricelist", elid=lic_id, pricelist=55229, period=1)  # 30 a month
    expected = round((30.0 - 12.0) * month_days() / 30.0, 2)
    assert preview["cost"] == {"$": "%.2f" % expected} and balance(sandbox) == before
    ok(sandbox, "service.changepricelist", elid=lic_id, pricelist=55229, period=12, sok="ok")
    assert balance(sandbox) == round(before - expected, 2)
    fields = read(sandbox, lic_id)
    assert (fields["pricelist"], fields["period"], fields["lickey"]) == ("55229", "12", key)
    assert fields["expiredate"] == add_months(TODAY(), 1).isoformat()  # the paid time is kept
    # Down again: no refund.
    ok(sandbox, "service.changepricelist", elid=lic_id, pricelist=55227, period=1, sok="ok")
    assert balance(sandbox) == round(before - expected, 2)


def test_changepricelist_refusals(sandbox):
    lic_id = order(sandbox, "127.0.0.5", pricelist=55227)
    for pricelist in (55163, 9203):  # another family
        err = error(sandbox, "service.changepricelist", elid=lic_id, pricelist=pricelist, period=1, sok="ok")
        assert (err["$type"], err["$object"]) == ("value", "pricelist") and "family" in err["msg"]["$"]
    err = error(sandbox, "service.changepricelist", elid=lic_id, pricelist=55239, period=-100, sok="ok")
    assert (err["$type"], err["$object"]) == ("value", "pricelist") and "trial" in err["msg"]["$"]
    err = error(sandbox, "service.changepricelist", elid=lic_id, pricelist=55228, period=-100, sok="ok")
    assert (err["$type"], err["$object"]) == ("value", "period")
    sandbox.set_config(balances={"reseller": 0.5})
    err = error(sandbox, "service.changepricelist", elid=lic_id, pricelist=55230, period=1, sok="ok")
    assert err["$type"] == "balance"
    assert read(sandbox, lic_id)["pricelist"] == "55227" and balance(sandbox) == 0.5


def test_changepricelist_platform_and_softexternal(sandbox):
    vm = family_order(sandbox, "platform", 55163, addon_55165=1)
    ok(sandbox, "service.changepricelist", elid=vm, pricelist=55161, period=1, sok="ok")
    fields = family_read(sandbox, "platform", vm)
    assert fields["pricelist"] == "55161" and "addon_55165" not in fields  # DCImanager 6 has no such addon
    se = family_order(sandbox, "softexternal", 9204, ip="127.0.0.5")
    before = balance(sandbox)
    ok(sandbox, "service.changepricelist", elid=se, pricelist=9203, period=1, sok="ok")
    assert balance(sandbox) == round(before - round((14.0 - 3.0) * month_days() / 30.0, 2), 2)
    assert family_read(sandbox, "softexternal", se)["pricelist"] == "9203"
    err = error(sandbox, "service.changepricelist", elid=se, pricelist=9204, period=12, sok="ok")
    assert (err["$type"], err["$object"]) == ("value", "period")


# --- trials ---------------------------------------------------------------------------------

def test_ispmanager6_trial(sandbox):
    for period in (1, 12):
        err = error(sandbox, "soft.order.param", pricelist=55239, period=period, ip="127.0.0.5", skipbasket="on",
                    sok="ok")
        assert (err["$type"], err["$object"]) == ("value", "period") and "trial" in err["msg"]["$"]
    lic_id = order(sandbox, "127.0.0.5", pricelist=55239, period=-100)
    assert balance(sandbox) == 100000.0
    fields = wait_active(sandbox, lic_id)
    assert fields["expiredate"] == (TODAY() + datetime.timedelta(days=30)).isoformat()
    assert elems(sandbox)[0]["cost"] == {"$": "0.00"}
    err = error(sandbox, "service.prolong", elid=lic_id, period=1, sok="ok")
    assert (err["$type"], err["$object"]) == ("value", "period")
    assert "trial license cannot be renewed" in err["msg"]["$"]
    # One trial per IP and product, even after the first one is deleted; another product is fine.
    ok(sandbox, "soft.delete", elid=lic_id, sok="ok")
    err = error(sandbox, "soft.order.param", pricelist=55239, period=-100, ip="127.0.0.5", skipbasket="on", sok="ok")
    assert (err["$type"], err["$object"]) == ("exists", "ip")
    assert error(sandbox, "soft.checkip", pricelist=55239, period=-100, ip="127.0.0.5")["$type"] == "exists"
    other = order(sandbox, "127.0.0.5", pricelist=55240, period=-100)
    order(sandbox, "127.0.0.6", pricelist=55239, period=-100)
    assert balance(sandbox) == 100000.0
    # A trial becomes paid by a tariff change: the full period from today.
    ok(sandbox, "service.changepricelist", elid=other, pricelist=55230, period=12, sok="ok")
    assert balance(sandbox) == 100000.0 - 450.0
    fields = read(sandbox, other)
    assert (fields["pricelist"], fields["period"], fields["expiredate"]) == (
        "55230", "12", add_months(TODAY(), 12).isoformat())
    ok(sandbox, "service.prolong", elid=other, period=1, sok="ok")  # now renewable


@pytest.mark.parametrize("pricelist", [55163, 55161])
def test_platform_trial(sandbox, pricelist):
    lic_id = family_order(sandbox, "platform", pricelist, period=-100)
    assert balance(sandbox) == 100000.0
    assert family_read(sandbox, "platform", lic_id)["period"] == "-100"
    err = error(sandbox, "service.prolong", elid=lic_id, sok="ok")
    assert (err["$type"], err["$object"]) == ("value", "period")
    err = error(sandbox, "platform.order.param", pricelist=pricelist, period=-100, skipbasket="on", sok="ok")
    assert (err["$type"], err["$object"]) == ("exists", "pricelist")
    family_order(sandbox, "platform", pricelist, period=1)  # a paid one is fine


# --- remoteid and 0.0.0.0 ---------------------------------------------------------------------

def test_remoteid_on_order_edit_read_and_list(sandbox):
    lic_id = order(sandbox, "127.0.0.5", remoteid="l42")
    assert read(sandbox, lic_id)["remoteid"] == "l42"
    assert sandbox.license(lic_id)["remoteid"] == "l42"
    ok(sandbox, "soft.edit", elid=lic_id, remoteid="l43", sok="ok")
    assert elems(sandbox)[0]["remoteid"] == {"$": "l43"}
    ok(sandbox, "soft.edit", elid=lic_id, licname="renamed", sok="ok")  # absent: kept
    assert read(sandbox, lic_id)["remoteid"] == "l43"
    ok(sandbox, "soft.edit", elid=lic_id, remoteid="", sok="ok")  # present and empty: cleared
    assert read(sandbox, lic_id)["remoteid"] is None and "remoteid" not in elems(sandbox)[0]


def test_the_whmcs_terminate_parks_many_licenses_on_0_0_0_0(sandbox):
    ids = [order(sandbox, "127.0.0.%d" % n, remoteid="l%d" % n) for n in (5, 6)]
    ids.append(order(sandbox, "127.0.0.7", pricelist=4601))
    for lic_id in ids:  # suspend, then park as free.lic on 0.0.0.0 with remoteid "l"
        wait_active(sandbox, lic_id)
        ok(sandbox, "soft.suspend", elid=lic_id)
        ok(sandbox, "soft.edit", elid=lic_id, licname="free.lic", ip="0.0.0.0", remoteid="l", sok="ok")
    rows = elems(sandbox)
    assert [(r["ip"]["$"], r["licname"]["$"], r["status"]["$orig"], r["remoteid"]["$"]) for r in rows] == \
        [("0.0.0.0", "free.lic", "3", "l")] * 3
    # Orders on 0.0.0.0 too, of any tariff; the exists rule stays for every other IP.
    order(sandbox, "0.0.0.0")
    family_order(sandbox, "softexternal", 9203, ip="0.0.0.0")
    family_order(sandbox, "softexternal", 9203, ip="0.0.0.0")
    ok(sandbox, "soft.checkip", pricelist=3541, period=1, ip="0.0.0.0")
    order(sandbox, "127.0.0.5")
    err = error(sandbox, "soft.order.param", pricelist=3541, ip="127.0.0.5", skipbasket="on", sok="ok")
    assert (err["$type"], err["$object"]) == ("exists", "ip")
    err = error(sandbox, "soft.edit", elid=ids[0], ip="127.0.0.5", sok="ok")
    assert (err["$type"], err["$object"]) == ("exists", "ip")
    family_order(sandbox, "softexternal", 9203, ip="127.0.0.9")
    err = error(sandbox, "softexternal.order.param", pricelist=9203, ip="127.0.0.9", skipbasket="on", sok="ok")
    assert (err["$type"], err["$object"]) == ("exists", "ip")
    # Reuse: back from the pool onto a free IP, resumed.
    ok(sandbox, "soft.edit", elid=ids[0], licname="srv9", ip="127.0.0.9", remoteid="l9", sok="ok")
    ok(sandbox, "soft.resume", elid=ids[0])
    fields = read(sandbox, ids[0])
    assert (fields["ip"], fields["status"], fields["remoteid"]) == ("127.0.0.9", "2", "l9")


# --- seeding any family ------------------------------------------------------------------------

def test_seed_any_family_trial_expired_parked(sandbox):
    vm = sandbox.add_license(pricelist=55163, comment="seeded vm", addons={"55165": 3}, remoteid="r1")
    assert (vm["family"], vm["ip"], vm["licname"], vm["remoteid"]) == ("platform", "", "seeded vm", "r1")
    trial = sandbox.add_license(pricelist=55239, trial=True, ip="127.0.0.5")
    assert trial["period"] == -100 and trial["expiredate"] == (TODAY() + datetime.timedelta(days=30)).isoformat()
    expired = sandbox.add_license(pricelist=9203, expired=True)
    assert expired["family"] == "softexternal" and expired["status"] == 3
    assert expired["expiredate"] == (TODAY() - datetime.timedelta(days=1)).isoformat()
    pool = sandbox.seed(3, pricelist=3541, ip="0.0.0.0", licname_prefix="free-", status=3)
    assert pool["created"] == 3
    assert [lic["ip"] for lic in sandbox.licenses()][3:] == ["0.0.0.0"] * 3
    assert family_read(sandbox, "platform", vm["id"])["addon_55165"] == "3"
    assert error(sandbox, "service.prolong", elid=trial["id"], sok="ok")["$object"] == "period"
    # Expired and suspended: renewal from today.
    answer = ok(sandbox, "service.prolong", elid=expired["id"], period=1, sok="ok")
    assert answer["newexpiredate"]["$"] == add_months(TODAY(), 1).isoformat()
    platforms = sandbox.seed(2, pricelist=55161)
    assert [lic["ip"] for lic in sandbox.licenses()[platforms["first_id"] - 1:]] == ["", ""]
    patched = sandbox.patch_license(vm["id"], pricelist=55161)
    assert patched["family"] == "platform"


def test_state_file_from_before_the_families_loads(tmp_path):
    import json
    import subprocess
    import sys
    from sandbox_control import SERVER, SandboxControl
    state = tmp_path / "state.json"
    old = {"version": 1, "next_id": 8, "users": {"reseller": {"password": "sandbox-secret", "balance": 50.0}},
           "licenses": [{"id": 7, "licname": "old", "ip": "127.0.0.5", "pricelist": 3541, "addons": {}, "period": 1,
                         "autoprolong": None, "status": 2, "createdate": "2026-01-01", "expiredate": "2027-01-01",
                         "lickey": "ab" * 16, "owner": "reseller", "ordered_at": 0, "remoteid": None}]}
    state.write_text(json.dumps(old))
    with SandboxControl(state) as sandbox:
        assert [e["id"]["$"] for e in elems(sandbox)] == ["7"]
        assert sandbox.license(7)["family"] == "soft"
        assert family_order(sandbox, "platform", 55161, period=-100) == 8
    result = subprocess.run([sys.executable, SERVER, "--state", str(tmp_path / "s2.json"), "--page-size", "-1"],
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2 and "--page-size" in result.stderr
