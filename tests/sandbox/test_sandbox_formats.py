# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""out=xml, json, sjson, bjson: one content in four forms, as real clients read them."""

import datetime
import json

import pytest
import requests

from sandbox_http import add_months, answer_in, doc, error, is_key, json_in, order, wait_active, xml_root


def test_xml_order_read_list_and_error(sandbox):
    # ISPsystem's WHMCS module: order, then /doc/id; soft.edit /doc/lickey and /doc/expiredate.
    root = xml_root(sandbox, "soft.order.param", pricelist=4601, period=1, ip="127.0.0.5", licname="srv & co",
                    addon_4602=3, skipbasket="on", clicked_button="finish", sok="ok", remoteid="l17")
    assert [child.tag for child in root] == ["ok", "id"]
    assert root.find("id").text == "1"
    wait_active(sandbox, 1)
    root = xml_root(sandbox, "soft.edit", elid=1)
    assert is_key(root.find("lickey").text)
    assert root.find("expiredate").text == add_months(datetime.date.today(), 1).isoformat()
    assert root.find("licname").text == "srv & co"  # escaped on the wire, parsed back
    assert (root.find("remoteid").text, root.find("addon_4602").text) == ("l17", "3")
    # List: the $orig cells are XML attributes.
    elem = xml_root(sandbox, "soft").find("elem")
    assert elem.find("pricelist").attrib == {"orig": "4601"} and elem.find("pricelist").text == "ISPmanager Business"
    assert (elem.find("status").get("orig"), elem.find("status").text) == ("2", "Active")
    assert elem.find("lickey") is None
    # Error: <error type= object= lang=><msg>...</msg>.
    err = xml_root(sandbox, "soft.order.param", pricelist=4601, ip="127.0.0.5", sok="ok").find("error")
    assert err.attrib == {"type": "exists", "object": "ip", "lang": "en"}
    assert err.find("msg").text == "A license of this type for IP 127.0.0.5 already exists"
    assert [(p.get("name"), p.text) for p in err.findall("param")] == [("object", "ip"), ("value", "127.0.0.5")]


def test_xml_prolong_nested_doc_as_the_whmcs_module_reads_it(sandbox):
    lic_id = order(sandbox, "127.0.0.5")
    sandbox.patch_license(lic_id, expiredate="2030-01-31", status=2)
    root = xml_root(sandbox, "service.prolong", elid=lic_id, period=1, sok="ok")
    assert root.find("doc/newexpiredate").text == "2030-02-28"  # xpath /doc/doc/newexpiredate
    assert root.find("newexpiredate").text == "2030-02-28"
    # Suspend and resume without sok, as that module sends them.
    assert [c.tag for c in xml_root(sandbox, "soft.suspend", elid=lic_id)] == ["ok"]
    assert sandbox.license(lic_id)["status"] == 3
    assert [c.tag for c in xml_root(sandbox, "soft.resume", elid=lic_id)] == ["ok"]
    assert sandbox.license(lic_id)["status"] == 2


def test_xml_empty_list_and_auth(sandbox):
    assert list(xml_root(sandbox, "soft")) == []
    root = xml_root(sandbox, "auth", with_authinfo=False, username=sandbox.username, password=sandbox.password)
    sid = root.find("auth").text
    assert root.find("auth").get("id") == sid and len(sid) >= 16


def test_sjson_plain_strings(sandbox):
    answer = json_in(sandbox, "soft.order.param", "sjson", pricelist=3541, ip="127.0.0.5", skipbasket="on",
                     sok="ok", remoteid="r-1")
    assert answer == {"doc": {"ok": "", "id": "1"}}
    wait_active(sandbox, 1)
    fields = json_in(sandbox, "soft.edit", "sjson", elid=1)["doc"]
    assert (fields["ip"], fields["pricelist"], fields["status"], fields["remoteid"]) == (
        "127.0.0.5", "3541", "2", "r-1")
    assert is_key(fields["lickey"])
    row = json_in(sandbox, "soft", "sjson")["doc"]["elem"]
    assert row["id"] == "1" and row["ip"] == "127.0.0.5" and row["cost"] == "10.00"
    assert row["status"] == {"$orig": "2", "$": "Active"}  # attributes keep the object form
    err = json_in(sandbox, "soft.edit", "sjson", elid=42)["doc"]["error"]
    assert (err["$type"], err["$object"], err["msg"]) == ("missed", "elid", "License 42 not found")


def test_bjson_as_upmind_reads_it(sandbox):
    # Order (trial, as Upmind orders 55239), then id.v; soft.edit -> model.*; errors at error.msg.
    answer = json_in(sandbox, "soft.order.param", "bjson", pricelist=55239, period=-100, ip="127.0.0.8",
                     licname="svc-9", sok="ok", skipbasket="on", remoteid="svc-9", clicked_button="finish",
                     autoprolong="null")
    assert answer == {"ok": {}, "id": {"v": "1"}}
    wait_active(sandbox, 1)
    model = json_in(sandbox, "soft.edit", "bjson", elid=answer["id"]["v"])["model"]
    assert (model["licname"], model["ip"], model["status"], model["remoteid"]) == ("svc-9", "127.0.0.8", "2", "svc-9")
    assert is_key(model["lickey"])
    expected = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    assert model["expiredate"] == expected
    rows = json_in(sandbox, "soft", "bjson")["elem"]
    assert isinstance(rows, list) and rows[0]["id"] == {"v": "1"} and rows[0]["status"] == {"orig": "2", "v": "Active"}
    err = json_in(sandbox, "service.prolong", "bjson", elid=1, period=1, sok="ok")["error"]
    assert (err["type"], err["object"]) == ("value", "period") and "trial" in err["msg"]


def test_bjson_empty_list_is_an_array(sandbox):
    assert json_in(sandbox, "softexternal", "bjson") == {"elem": []}


@pytest.mark.parametrize("out", ["yaml", "XML", "html"])
def test_unknown_out_is_a_billing_error(sandbox, out):
    ctype, text = answer_in(sandbox, "soft", out)
    assert ctype == "application/json"
    err = json.loads(text)["doc"]["error"]
    assert (err["$type"], err["$object"], err["msg"]["$"]) == ("value", "out", "Unknown output format '%s'" % out)


def test_missing_out_answers_json(sandbox):
    fields = {"func": "soft.order.param", "authinfo": sandbox.authinfo, "pricelist": "3541", "ip": "127.0.0.5",
              "sok": "ok"}
    response = requests.post(sandbox.url, data=fields, timeout=10)
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"doc": {"ok": {}, "id": {"$": "1"}}}


def test_same_content_in_every_format(sandbox):
    order(sandbox, "127.0.0.5", remoteid="x1")
    order(sandbox, "127.0.0.6")
    wait_active(sandbox, 2)
    as_json = doc(sandbox, "soft")["elem"]
    as_xml = xml_root(sandbox, "soft").findall("elem")
    as_sjson = json_in(sandbox, "soft", "sjson")["doc"]["elem"]
    as_bjson = json_in(sandbox, "soft", "bjson")["elem"]
    for j, x, s, b in zip(as_json, as_xml, as_sjson, as_bjson):
        assert j["id"]["$"] == x.find("id").text == s["id"] == b["id"]["v"]
        assert j["expiredate"]["$"] == x.find("expiredate").text == s["expiredate"] == b["expiredate"]["v"]
        assert j["status"]["$orig"] == x.find("status").get("orig") == s["status"]["$orig"] == b["status"]["orig"]
    assert as_json[0]["remoteid"] == {"$": "x1"} and "remoteid" not in as_json[1]
    assert len(as_xml) == 2


def test_truncated_fault_cuts_xml_too(sandbox):
    sandbox.add_fault("truncated", func="soft")
    ctype, text = answer_in(sandbox, "soft", "xml")
    assert ctype == "text/xml; charset=UTF-8"
    assert text.startswith("<?xml") and not text.rstrip().endswith("</doc>")


def test_log_masks_secrets_of_every_function(sandbox):
    order(sandbox, "127.0.0.5")
    answer_in(sandbox, "soft.edit", "xml", elid=1, lickey="abcdef0123456789abcdef0123456789", sok="ok")
    answer_in(sandbox, "platform", "bjson")
    entries = sandbox.log()
    assert [(e["func"], e["family"], e["out"]) for e in entries] == [
        ("soft.order.param", "soft", "json"), ("soft.edit", "soft", "xml"), ("platform", "platform", "bjson")]
    assert entries[1]["params"]["lickey"] == "********"
    assert "abcdef0123456789" not in str(entries) and sandbox.password not in str(entries)
    for entry in entries:
        stamp = datetime.datetime.fromisoformat(entry["timestamp"])
        assert abs(stamp.timestamp() - entry["time"]) < 0.01
        assert stamp.utcoffset() == datetime.timedelta(0)
    assert error(sandbox, "soft.edit", elid=99)["$object"] == "elid"
