# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The sandbox's API over real HTTP: wire format, authentication and every license function."""

import datetime
import json
import time

import pytest
import requests

from sandbox_http import add_months, balance, doc, elems, error, is_key, ok, order, post, read, wait_active


# --- transport and wire format -------------------------------------------------

def test_get_and_post_params_are_merged(sandbox):
    response = requests.get(sandbox.url, params={"func": "soft", "out": "json", "authinfo": sandbox.authinfo},
                            timeout=10)
    assert response.status_code == 200
    assert response.json() == {"doc": {}}
    # Query string and form body together, the way a URL with a prefilled func is used.
    response = requests.post(sandbox.url + "?func=soft.order.param&out=json",
                             data={"authinfo": sandbox.authinfo, "pricelist": "3541", "ip": "127.0.0.9",
                                   "period": "1", "skipbasket": "on", "sok": "ok"}, timeout=10)
    assert response.json() == {"doc": {"ok": {}, "id": {"$": "1"}}}


def test_any_path_outside_sandbox_is_the_api(sandbox):
    response = requests.post(sandbox.base + "/manager/billmgr",
                             data={"func": "soft", "out": "json", "authinfo": sandbox.authinfo}, timeout=10)
    assert response.json() == {"doc": {}}


def test_unknown_function(sandbox):
    err = error(sandbox, "soft.frobnicate")
    assert (err["$type"], err["$object"]) == ("missed", "func")
    assert err["msg"]["$"] == "Function soft.frobnicate not found"
    assert err["param"][1] == {"$name": "value", "$": "soft.frobnicate"}


def test_keep_alive_reuses_one_connection(sandbox):
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=10)
    body = "func=soft&out=json&authinfo=%s" % sandbox.authinfo
    sockets = []
    for dummy in range(3):
        conn.request("POST", "/billmgr", body, {"Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        assert response.status == 200
        assert response.getheader("Content-Length") is not None
        assert json.loads(response.read()) == {"doc": {}}
        sockets.append(conn.sock)
    conn.close()
    assert sockets[0] is not None and sockets[0] is sockets[1] is sockets[2]


# --- authentication ------------------------------------------------------------

def test_authinfo_bad_password(sandbox):
    response = post(sandbox, "soft", authinfo="reseller:wrong")
    assert response.status_code == 200  # BILLmanager: errors are HTTP 200 too
    err = response.json()["doc"]["error"]
    assert (err["$type"], err["$object"]) == ("auth", "badpassword")
    assert err["msg"] == {"$": "Invalid username or password"}
    assert "wrong" not in response.text


def test_authinfo_unknown_user(sandbox):
    err = error(sandbox, "soft", authinfo="nobody:sandbox-secret")
    assert (err["$type"], err["$object"]) == ("auth", "badpassword")


def test_no_credentials(sandbox):
    err = error(sandbox, "soft", with_authinfo=False)
    assert err["$type"] == "auth"


def test_session_login_and_use(sandbox):
    answer = doc(sandbox, "auth", with_authinfo=False, username=sandbox.username, password=sandbox.password)
    sid = answer["auth"]["$"]
    assert answer == {"auth": {"$id": sid, "$": sid}}
    assert len(sid) >= 16
    assert doc(sandbox, "soft", auth=sid) == {}
    order(sandbox, "127.0.0.5", auth=sid)
    assert [e["ip"]["$"] for e in elems(sandbox, auth=sid)] == ["127.0.0.5"]
    assert [entry["user"] for entry in sandbox.calls("soft")] == ["reseller", "reseller"]


def test_session_login_bad_password(sandbox):
    err = error(sandbox, "auth", with_authinfo=False, username=sandbox.username, password="nope")
    assert (err["$type"], err["$object"], err["msg"]["$"]) == ("auth", "badpassword", "Invalid username or password")


def test_unknown_session(sandbox):
    err = error(sandbox, "soft", auth="0123456789abcdef01234567")
    assert (err["$type"], err["$object"]) == ("auth", "session")


def test_session_expires_after_idle_ttl(sandbox):
    sandbox.set_config(session_ttl=1.2)
    sid = doc(sandbox, "auth", with_authinfo=False, username=sandbox.username, password=sandbox.password)["auth"]["$"]
    for dummy in range(3):  # each request restarts the idle clock: 3 x 0.5 s > ttl, still alive
        time.sleep(0.5)
        assert doc(sandbox, "soft", auth=sid) == {}
    time.sleep(1.6)
    err = error(sandbox, "soft", auth=sid)
    assert (err["$type"], err["$object"]) == ("auth", "session")
    # Gone for good, even with the clock reset by a new setting.
    sandbox.set_config(session_ttl=3600)
    assert error(sandbox, "soft", auth=sid)["$object"] == "session"


def test_expire_sessions_control(sandbox):
    sid = doc(sandbox, "auth", with_authinfo=False, username=sandbox.username, password=sandbox.password)["auth"]["$"]
    sandbox.set_config(expire_sessions=True)
    assert error(sandbox, "soft", auth=sid)["$object"] == "session"


# --- list ------------------------------------------------------------------------

def test_list_quirks_none_one_many(sandbox):
    assert doc(sandbox, "soft") == {}  # no "elem" at all
    order(sandbox, "127.0.0.5")
    answer = doc(sandbox, "soft")
    assert isinstance(answer["elem"], dict)  # one license: an object, not an array
    order(sandbox, "127.0.0.6")
    answer = doc(sandbox, "soft")
    assert isinstance(answer["elem"], list) and len(answer["elem"]) == 2


def test_list_elem_shape(sandbox):
    lic_id = order(sandbox, "127.0.0.5", licname="srv1", autoprolong=1)
    elem = doc(sandbox, "soft")["elem"]
    today = datetime.date.today()
    assert elem == {
        "id": {"$": str(lic_id)},
        "licname": {"$": "srv1"},
        "ip": {"$": "127.0.0.5"},
        "pricelist": {"$orig": "3541", "$": "ISPmanager Lite"},
        "createdate": {"$": today.isoformat()},
        "expiredate": {"$": add_months(today, 1).isoformat()},
        "autoprolong": {"$orig": "1", "$": "1 month"},
        "status": {"$orig": "5", "$": "Processing"},
        "cost": {"$": "10.00"},
    }
    wait_active(sandbox, lic_id)
    elem = doc(sandbox, "soft")["elem"]
    assert elem["status"] == {"$orig": "2", "$": "Active"}
    assert "lickey" not in elem


def test_list_autoprolong_off_and_yearly(sandbox):
    order(sandbox, "127.0.0.5", autoprolong="null")
    order(sandbox, "127.0.0.6", autoprolong=12, period=12)
    first, second = elems(sandbox)
    assert first["autoprolong"] == {"$orig": "null", "$": "Off"}
    assert second["autoprolong"] == {"$orig": "12", "$": "1 year"}
    assert second["cost"] == {"$": "100.00"}  # a year costs ten months


def test_list_shows_only_own_licenses(sandbox):
    sandbox.set_config(users={"other": {"password": "pw2", "balance": 100}})
    order(sandbox, "127.0.0.5")
    order(sandbox, "127.0.0.6", authinfo="other:pw2")
    assert [e["ip"]["$"] for e in elems(sandbox)] == ["127.0.0.5"]
    assert [e["ip"]["$"] for e in elems(sandbox, authinfo="other:pw2")] == ["127.0.0.6"]


# --- order -----------------------------------------------------------------------

def test_order_processing_then_active_with_key(sandbox):
    before = balance(sandbox)
    lic_id = order(sandbox, "127.0.0.5")
    assert lic_id == 1
    fields = read(sandbox, lic_id)
    assert fields["status"] == "5"
    assert doc(sandbox, "soft.edit", elid=lic_id)["lickey"] == {}  # empty element, no "$"
    assert balance(sandbox) == before - 10.0
    fields = wait_active(sandbox, lic_id)
    assert is_key(fields["lickey"])
    # The transition is persisted when it happens.
    with open(sandbox.state_path, encoding="utf-8") as handle:
        saved = json.load(handle)["licenses"][0]
    assert (saved["status"], saved["lickey"]) == (2, fields["lickey"])
    # The key stays the same on later reads.
    assert read(sandbox, lic_id)["lickey"] == fields["lickey"]


def test_soft_edit_read_shape(sandbox):
    lic_id = order(sandbox, "127.0.0.5", pricelist=4601, addon_4602=3, period=12, autoprolong=12,
                   licname="biz", remoteid="crm-7")
    answer = doc(sandbox, "soft.edit", elid=lic_id)
    today = datetime.date.today()
    assert answer["elid"] == {"$": str(lic_id)}
    assert answer["licname"] == {"$": "biz"}
    assert answer["ip"] == {"$": "127.0.0.5"}
    assert answer["pricelist"] == {"$": "4601"}
    assert answer["status"] == {"$": "5"}
    assert answer["expiredate"] == {"$": add_months(today, 12).isoformat()}
    assert answer["autoprolong"] == {"$": "12"}
    assert answer["period"] == {"$": "12"}
    assert answer["lickey"] == {}
    assert answer["addon_4602"] == {"$": "3"}
    assert answer["remoteid"] == {"$": "crm-7"}
    assert balance(sandbox) == 100000.0 - (40.0 + 3 * 4.0) * 10


def test_order_licname_defaults_to_ip_and_ipv6_is_normalized(sandbox):
    lic_id = order(sandbox, "2001:DB8:0:0::10")
    fields = read(sandbox, lic_id)
    assert fields["ip"] == "2001:db8::10"
    assert fields["licname"] == "2001:db8::10"
    assert fields["autoprolong"] == "null"


def test_order_form_without_sok_creates_nothing(sandbox):
    answer = doc(sandbox, "soft.order.param", pricelist=4601, ip="127.0.0.5", period=1, skipbasket="on")
    assert "ok" not in answer and "id" not in answer and "error" not in answer
    assert answer["pricelist"] == {"$": "4601"}
    assert answer["addon_4602"] == {"$": "0"}
    assert sandbox.licenses() == []
    assert balance(sandbox) == 100000.0


def test_order_to_cart_without_skipbasket(sandbox):
    answer = ok(sandbox, "soft.order.param", pricelist=3541, ip="127.0.0.5", period=1, sok="ok",
                clicked_button="finish")
    lic_id = int(answer["id"]["$"])
    time.sleep(0.3)  # longer than processing: an unpaid order is never processed
    fields = read(sandbox, lic_id)
    assert fields["status"] == "1"
    assert fields["lickey"] is None
    assert balance(sandbox) == 100000.0


@pytest.mark.parametrize("params, etype, obj", [
    ({"ip": "127.0.0.5"}, "missed", "pricelist"),
    ({"pricelist": "3541"}, "missed", "ip"),
    ({"pricelist": "999", "ip": "127.0.0.5"}, "value", "pricelist"),
    ({"pricelist": "lite", "ip": "127.0.0.5"}, "value", "pricelist"),
    ({"pricelist": "3541", "ip": "127.0.0.5", "period": "7"}, "value", "period"),
    ({"pricelist": "3541", "ip": "127.0.0.256"}, "value", "ip"),
    ({"pricelist": "3541", "ip": "srv1.example.com"}, "value", "ip"),
    ({"pricelist": "3541", "ip": "127.0.0.5", "addon_4602": "2"}, "value", "addon_4602"),
    ({"pricelist": "4601", "ip": "127.0.0.5", "addon_3049": "2"}, "value", "addon_3049"),
    ({"pricelist": "4601", "ip": "127.0.0.5", "addon_4602": "-1"}, "value", "addon_4602"),
    ({"pricelist": "4601", "ip": "127.0.0.5", "addon_4602": "x"}, "value", "addon_4602"),
    ({"pricelist": "3541", "ip": "127.0.0.5", "autoprolong": "3"}, "value", "autoprolong"),
])
def test_order_validation(sandbox, params, etype, obj):
    err = error(sandbox, "soft.order.param", skipbasket="on", sok="ok", **params)
    assert (err["$type"], err["$object"]) == (etype, obj)
    assert sandbox.licenses() == []
    assert balance(sandbox) == 100000.0


def test_order_unknown_pricelist_message(sandbox):
    err = error(sandbox, "soft.order.param", pricelist=999, ip="127.0.0.5", period=1, skipbasket="on", sok="ok")
    assert err["msg"]["$"] == "Tariff plan 999 not found"
    assert err["param"][1] == {"$name": "value", "$": "999"}


@pytest.mark.parametrize("period, months", [(1, 1), (12, 12)])
def test_order_periods(sandbox, period, months):
    lic_id = order(sandbox, "127.0.0.5", period=period)
    assert read(sandbox, lic_id)["expiredate"] == add_months(datetime.date.today(), months).isoformat()


@pytest.mark.parametrize("period", [-100, -50, 0])
def test_order_special_periods_accepted(sandbox, period):
    lic_id = order(sandbox, "127.0.0.5", period=period)
    assert read(sandbox, lic_id)["period"] == str(period)


def test_order_exists_rule(sandbox):
    first = order(sandbox, "127.0.0.5")
    err = error(sandbox, "soft.order.param", pricelist=3541, ip="127.0.0.5", period=1, skipbasket="on", sok="ok")
    assert (err["$type"], err["$object"]) == ("exists", "ip")
    assert err["msg"]["$"] == "A license of this type for IP 127.0.0.5 already exists"
    order(sandbox, "127.0.0.5", pricelist=5577)  # another tariff on the same IP is fine
    ok(sandbox, "soft.delete", elid=first, sok="ok")
    assert order(sandbox, "127.0.0.5") == 3  # a deleted license frees the IP


def test_order_insufficient_balance(sandbox):
    sandbox.set_config(balances={"reseller": 5.0})
    err = error(sandbox, "soft.order.param", pricelist=3541, ip="127.0.0.5", period=1, skipbasket="on", sok="ok")
    assert err["$type"] == "balance"
    assert err["msg"]["$"].startswith("Insufficient funds on your balance to pay for the order")
    assert sandbox.licenses() == []
    assert balance(sandbox) == 5.0
    sandbox.set_config(balances={"reseller": 10.0})
    order(sandbox, "127.0.0.5")
    assert balance(sandbox) == 0.0


def test_price_override(sandbox):
    sandbox.set_config(prices={"3541": 1.5})
    order(sandbox, "127.0.0.5")
    assert balance(sandbox) == 100000.0 - 1.5


# --- soft.edit: change and new key ----------------------------------------------------

def test_edit_ip_and_licname(sandbox):
    lic_id = order(sandbox, "127.0.0.5", licname="srv1")
    answer = ok(sandbox, "soft.edit", elid=lic_id, ip="127.0.0.6", licname="srv2", sok="ok")
    assert answer == {"ok": {}, "id": {"$": str(lic_id)}}
    fields = read(sandbox, lic_id)
    assert (fields["ip"], fields["licname"]) == ("127.0.0.6", "srv2")
    ok(sandbox, "soft.edit", elid=lic_id, licname="srv3", sok="ok")  # ip absent: kept
    fields = read(sandbox, lic_id)
    assert (fields["ip"], fields["licname"]) == ("127.0.0.6", "srv3")
    ok(sandbox, "soft.edit", elid=lic_id, ip="127.0.0.7", sok="ok")  # licname absent: kept
    fields = read(sandbox, lic_id)
    assert (fields["ip"], fields["licname"]) == ("127.0.0.7", "srv3")


def test_edit_errors(sandbox):
    first = order(sandbox, "127.0.0.5")
    second = order(sandbox, "127.0.0.6")
    err = error(sandbox, "soft.edit", elid=second, ip="127.0.0.5", sok="ok")
    assert (err["$type"], err["$object"]) == ("exists", "ip")
    err = error(sandbox, "soft.edit", elid=second, ip="not-an-ip", sok="ok")
    assert (err["$type"], err["$object"]) == ("value", "ip")
    assert read(sandbox, second)["ip"] == "127.0.0.6"
    ok(sandbox, "soft.edit", elid=first, ip="127.0.0.5", sok="ok")  # its own IP is no conflict
    err = error(sandbox, "soft.edit", elid=999)
    assert (err["$type"], err["$object"]) == ("missed", "elid")
    err = error(sandbox, "soft.edit")
    assert (err["$type"], err["$object"]) == ("missed", "elid")


def test_other_users_license_is_not_found(sandbox):
    sandbox.set_config(users={"other": {"password": "pw2", "balance": 100}})
    lic_id = order(sandbox, "127.0.0.5")
    for func, extra in (("soft.edit", {}), ("soft.suspend", {}), ("soft.delete", {"sok": "ok"}),
                        ("service.prolong", {"period": 1, "sok": "ok"})):
        err = error(sandbox, func, authinfo="other:pw2", elid=lic_id, **extra)
        assert (err["$type"], err["$object"]) == ("missed", "elid"), func
    assert sandbox.license(lic_id)["status"] == 5


def test_new_key(sandbox):
    lic_id = order(sandbox, "127.0.0.5")
    err = error(sandbox, "soft.edit", elid=lic_id, clicked_button="newkey", sok="ok")
    assert err["$type"] == "access"  # no key while processing
    old_key = wait_active(sandbox, lic_id)["lickey"]
    answer = ok(sandbox, "soft.edit", elid=lic_id, clicked_button="newkey", sok="ok")
    assert set(answer) == {"ok", "lickey"}
    new_key = answer["lickey"]["$"]
    assert is_key(new_key) and new_key != old_key
    assert read(sandbox, lic_id)["lickey"] == new_key
    ok(sandbox, "soft.suspend", elid=lic_id)
    assert error(sandbox, "soft.edit", elid=lic_id, clicked_button="newkey", sok="ok")["$type"] == "access"


# --- renewal --------------------------------------------------------------------------

def test_prolong_active_extends_from_old_expiredate(sandbox):
    lic_id = order(sandbox, "127.0.0.5")
    sandbox.patch_license(lic_id, expiredate="2030-01-31", status=2)
    answer = ok(sandbox, "service.prolong", elid=lic_id, period=1, sok="ok")
    # Day clamped to the month's end; also at doc/doc/newexpiredate, where ISPsystem's WHMCS module reads it.
    assert answer == {"ok": {}, "newexpiredate": {"$": "2030-02-28"}, "doc": {"newexpiredate": {"$": "2030-02-28"}}}
    answer = ok(sandbox, "service.prolong", elid=lic_id, period=12, sok="ok")
    assert answer["newexpiredate"] == {"$": "2031-02-28"}
    assert read(sandbox, lic_id)["expiredate"] == "2031-02-28"
    assert balance(sandbox) == 100000.0 - 10.0 - 10.0 - 100.0


def test_prolong_suspended_starts_today_and_activates(sandbox):
    lic_id = order(sandbox, "127.0.0.5")
    wait_active(sandbox, lic_id)
    sandbox.patch_license(lic_id, expiredate="2020-05-10", status=3)
    answer = ok(sandbox, "service.prolong", elid=lic_id, period=1, sok="ok")
    expected = add_months(datetime.date.today(), 1).isoformat()
    assert answer["newexpiredate"] == {"$": expected}
    fields = read(sandbox, lic_id)
    assert (fields["status"], fields["expiredate"]) == ("2", expected)


def test_prolong_processing_extends_from_old_expiredate(sandbox):
    lic_id = order(sandbox, "127.0.0.5")
    answer = ok(sandbox, "service.prolong", elid=lic_id, period=1, sok="ok")
    assert answer["newexpiredate"]["$"] == add_months(datetime.date.today(), 2).isoformat()


def test_prolong_errors(sandbox):
    lic_id = order(sandbox, "127.0.0.5")
    assert error(sandbox, "service.prolong", elid=lic_id, period=7, sok="ok")["$object"] == "period"
    sandbox.set_config(balances={"reseller": 1.0})
    assert error(sandbox, "service.prolong", elid=lic_id, period=1, sok="ok")["$type"] == "balance"
    sandbox.set_config(balances={"reseller": 100.0})
    expiredate = read(sandbox, lic_id)["expiredate"]
    answer = doc(sandbox, "service.prolong", elid=lic_id, period=1)  # no sok: a preview only
    assert "ok" not in answer and answer["cost"] == {"$": "10.00"}
    assert read(sandbox, lic_id)["expiredate"] == expiredate and balance(sandbox) == 100.0
    ok(sandbox, "soft.delete", elid=lic_id, sok="ok")
    err = error(sandbox, "service.prolong", elid=lic_id, period=1, sok="ok")
    assert (err["$type"], err["$object"]) == ("access", "elid")


# --- suspend, resume, delete -----------------------------------------------------------

def test_suspend_resume_delete(sandbox):
    lic_id = order(sandbox, "127.0.0.5")
    key = wait_active(sandbox, lic_id)["lickey"]
    assert ok(sandbox, "soft.suspend", elid=lic_id) == {"ok": {}}
    assert read(sandbox, lic_id)["status"] == "3"
    assert ok(sandbox, "soft.suspend", elid=lic_id, sok="ok") == {"ok": {}}  # twice is fine
    assert ok(sandbox, "soft.resume", elid=lic_id) == {"ok": {}}
    fields = read(sandbox, lic_id)
    assert (fields["status"], fields["lickey"]) == ("2", key)
    ok(sandbox, "soft.resume", elid=lic_id)  # resuming an active one is fine

    answer = doc(sandbox, "soft.delete", elid=lic_id)  # without sok: the confirmation, no change
    assert "ok" not in answer and "error" not in answer
    assert read(sandbox, lic_id)["status"] == "2"
    assert ok(sandbox, "soft.delete", elid=lic_id, sok="ok") == {"ok": {}}
    fields = read(sandbox, lic_id)
    assert (fields["status"], fields["lickey"]) == ("4", None)
    assert [e["status"] for e in elems(sandbox)] == [{"$orig": "4", "$": "Deleted"}]  # still listed

    for func, extra in (("soft.resume", {}), ("soft.suspend", {}), ("soft.delete", {"sok": "ok"}),
                        ("soft.edit", {"licname": "x", "sok": "ok"})):
        err = error(sandbox, func, elid=lic_id, **extra)
        assert (err["$type"], err["$object"]) == ("access", "elid"), func


def test_group_operation_on_several_elids(sandbox):
    ids = [order(sandbox, "127.0.0.%d" % n) for n in (5, 6, 7)]
    for lic_id in ids:
        wait_active(sandbox, lic_id)
    ok(sandbox, "soft.suspend", elid="%d, %d" % (ids[0], ids[1]))
    assert [read(sandbox, i)["status"] for i in ids] == ["3", "3", "2"]
    err = error(sandbox, "soft.resume", elid="%d,999" % ids[0])
    assert err["$object"] == "elid"
    assert read(sandbox, ids[0])["status"] == "3"  # all or nothing


def test_suspend_refuses_processing_and_ordered(sandbox):
    processing = order(sandbox, "127.0.0.5")
    assert error(sandbox, "soft.suspend", elid=processing)["$type"] == "access"
    cart = int(ok(sandbox, "soft.order.param", pricelist=3541, ip="127.0.0.6", period=1, sok="ok")["id"]["$"])
    assert error(sandbox, "soft.suspend", elid=cart)["$type"] == "access"
    ok(sandbox, "soft.delete", elid=cart, sok="ok")  # an unpaid order can be deleted


# --- checkip and changepricelist ----------------------------------------------------------

def test_checkip(sandbox):
    assert ok(sandbox, "soft.checkip", pricelist=3541, period=1, ip="127.0.0.5") == {"ok": {}}
    order(sandbox, "127.0.0.5")
    err = error(sandbox, "soft.checkip", pricelist=3541, period=1, ip="127.0.0.5")
    assert (err["$type"], err["$object"]) == ("exists", "ip")
    assert error(sandbox, "soft.checkip", pricelist=3541, period=1, ip="300.1.1.1")["$object"] == "ip"
    assert error(sandbox, "soft.checkip", pricelist=999, period=1, ip="127.0.0.6")["$object"] == "pricelist"
    assert error(sandbox, "soft.checkip", pricelist=3541, period=5, ip="127.0.0.6")["$object"] == "period"
    assert error(sandbox, "soft.checkip", period=1, ip="127.0.0.6")["$type"] == "missed"
    assert len(sandbox.licenses()) == 1


def test_changepricelist(sandbox):
    lic_id = order(sandbox, "127.0.0.5")
    order(sandbox, "127.0.0.5", pricelist=55228)
    answer = ok(sandbox, "service.changepricelist", elid=lic_id, pricelist=55227, period=1, sok="ok")
    assert answer == {"ok": {}, "id": {"$": str(lic_id)}}
    assert read(sandbox, lic_id)["pricelist"] == "55227"
    err = error(sandbox, "service.changepricelist", elid=lic_id, pricelist=55228, period=1, sok="ok")
    assert (err["$type"], err["$object"]) == ("exists", "ip")
    err = error(sandbox, "service.changepricelist", elid=lic_id, pricelist=1, period=1, sok="ok")
    assert (err["$type"], err["$object"]) == ("value", "pricelist")
    doc(sandbox, "service.changepricelist", elid=lic_id, pricelist=55229, period=1)  # no sok: nothing
    assert read(sandbox, lic_id)["pricelist"] == "55227"
