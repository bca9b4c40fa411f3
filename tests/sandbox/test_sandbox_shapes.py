# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shapes the real API may take (paged lists, a status column, localized dates) and the delay fault."""

import datetime
import threading
import time

import pytest

from sandbox_control import SandboxControl, SandboxError
from sandbox_http import (doc, elems, error, family_elems, family_order, json_in, order, post, read, wait_active,
                          xml_root)

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def page(sandbox, func="soft", **params):
    """One list page: (ids, p_num, p_cnt, p_elems) as texts."""
    answer = doc(sandbox, func, **params)
    assert "error" not in answer, answer
    rows = answer.get("elem", [])
    rows = rows if isinstance(rows, list) else [rows]
    return ([int(r["id"]["$"]) for r in rows],
            answer["p_num"]["$"], answer["p_cnt"]["$"], answer["p_elems"]["$"])


# --- paging --------------------------------------------------------------------------------

def test_paged_lists_every_page_and_beyond(sandbox):
    sandbox.seed(7)
    sandbox.set_config(page_size=3)
    assert page(sandbox) == ([1, 2, 3], "1", "3", "7")
    assert page(sandbox, p_num=2) == ([4, 5, 6], "2", "3", "7")
    assert page(sandbox, p_num=3) == ([7], "3", "3", "7")  # one row: the object quirk, still a page
    assert page(sandbox, p_num=4) == ([], "4", "3", "7")  # beyond the last page: no rows, the total stays
    assert page(sandbox, p_num=1, p_cnt=5) == ([1, 2, 3, 4, 5], "1", "5", "7")  # the client asks for more
    assert page(sandbox, p_num=2, p_cnt=2) == ([3, 4], "2", "2", "7")  # or fewer
    assert page(sandbox, p_cnt=100) == (list(range(1, 8)), "1", "100", "7")
    for name, value in (("p_num", 0), ("p_cnt", -1), ("p_num", "x")):
        err = error(sandbox, "soft", **{name: value})
        assert (err["$type"], err["$object"]) == ("value", name)
    # Every format shows the paging elements.
    root = xml_root(sandbox, "soft", p_num=2)
    assert [e.find("id").text for e in root.findall("elem")] == ["4", "5", "6"]
    assert (root.find("p_num").text, root.find("p_cnt").text, root.find("p_elems").text) == ("2", "3", "7")
    answer = json_in(sandbox, "soft", "bjson", p_num=3)
    assert [r["id"]["v"] for r in answer["elem"]] == ["7"] and answer["p_elems"] == {"v": "7"}
    assert json_in(sandbox, "soft", "sjson")["doc"]["p_elems"] == "7"


def test_paged_lists_of_every_family_and_empty(sandbox):
    sandbox.set_config(page_size=2)
    assert page(sandbox, "platform") == ([], "1", "2", "0")
    for dummy in range(3):
        family_order(sandbox, "platform", 55161)
    family_order(sandbox, "softexternal", 9203, ip="127.0.0.5")
    assert page(sandbox, "platform") == ([1, 2], "1", "2", "3")
    assert page(sandbox, "platform", p_num=2) == ([3], "2", "2", "3")
    assert page(sandbox, "softexternal") == ([4], "1", "2", "1")
    # Changes between pages are seen (nothing stale from the cache).
    family_order(sandbox, "platform", 55161)
    assert page(sandbox, "platform", p_num=2) == ([3, 5], "2", "2", "4")


def test_paging_off_by_default_but_honoured_when_asked(sandbox):
    sandbox.seed(5)
    answer = doc(sandbox, "soft")
    assert [e["id"]["$"] for e in answer["elem"]] == ["1", "2", "3", "4", "5"]
    assert set(answer) == {"elem"}  # today's shape: no paging elements
    assert page(sandbox, p_cnt=2, p_num=3) == ([5], "3", "2", "5")
    assert page(sandbox, p_num=1) == ([1, 2, 3, 4, 5], "1", "5", "5")  # p_num alone: one page of everything
    sandbox.set_config(page_size=2)
    assert page(sandbox) == ([1, 2], "1", "2", "5")
    sandbox.set_config(page_size=None)
    assert set(doc(sandbox, "soft")) == {"elem"}


# --- status column and localized dates -------------------------------------------------------

def test_status_column(sandbox):
    order(sandbox, "127.0.0.5")
    lic_id = order(sandbox, "127.0.0.6")
    wait_active(sandbox, lic_id)
    post(sandbox, "soft.suspend", elid=lic_id)
    assert elems(sandbox)[1]["status"] == {"$orig": "3", "$": "Suspended"}
    sandbox.set_config(status_column=True)
    rows = elems(sandbox)
    assert [(r["status"], r["status_msg"]) for r in rows] == [
        ({"$": "2"}, {"$": "Active"}), ({"$": "3"}, {"$": "Suspended"})]
    family_order(sandbox, "platform", 55163)
    assert family_elems(sandbox, "platform")[0]["status"] == {"$": "5"}
    assert family_elems(sandbox, "platform")[0]["status_msg"] == {"$": "Processing"}
    assert read(sandbox, lic_id)["status"] == "3"  # the read is unchanged
    root = xml_root(sandbox, "soft")
    assert [e.find("status").text for e in root.findall("elem")] == ["2", "3"]
    assert root.find("elem/status").attrib == {}
    sandbox.set_config(status_column=False)
    assert elems(sandbox)[0]["status"] == {"$orig": "2", "$": "Active"}


def english(day):
    return "%s %d, %d" % (MONTHS[day.month - 1], day.day, day.year)


def test_localized_dates_in_lists_iso_in_reads(sandbox):
    sandbox.add_license(ip="127.0.0.5", createdate="2026-03-09", expiredate="2027-12-01")
    sandbox.add_license(pricelist=55163, createdate="2025-11-30", expiredate="2026-01-05")
    sandbox.set_config(localized_dates=True)
    row = elems(sandbox)[0]
    assert (row["createdate"], row["expiredate"]) == ({"$": "Mar 9, 2026"}, {"$": "Dec 1, 2027"})
    assert family_elems(sandbox, "platform")[0]["expiredate"] == {"$": "Jan 5, 2026"}
    assert read(sandbox, 1)["expiredate"] == "2027-12-01"
    assert xml_root(sandbox, "soft.edit", elid=1).find("createdate").text == "2026-03-09"
    sandbox.set_config(localized_dates="dotted")
    assert elems(sandbox)[0]["expiredate"] == {"$": "01.12.2027"}
    lic_id = order(sandbox, "127.0.0.6")
    today = datetime.date.today()
    assert elems(sandbox)[-1]["createdate"] == {"$": "%02d.%02d.%04d" % (today.day, today.month, today.year)}
    sandbox.set_config(localized_dates="english")
    assert elems(sandbox)[-1]["createdate"] == {"$": english(today)}
    sandbox.set_config(localized_dates=False)
    assert elems(sandbox)[-1]["createdate"] == {"$": today.isoformat()}
    assert lic_id == 3
    with pytest.raises(SandboxError):
        sandbox.set_config(localized_dates="klingon")


def test_shapes_from_the_command_line_and_the_config(tmp_path):
    control = SandboxControl(tmp_path / "state.json")
    control.extra_args = ["--page-size", "2", "--status-column", "--localized-dates", "dotted"]
    with control:
        assert {k: control.config()[k] for k in ("page_size", "status_column", "localized_dates")} == {
            "page_size": 2, "status_column": True, "localized_dates": "dotted"}
        control.add_license(ip="127.0.0.5", expiredate="2027-02-03")
        control.add_license(ip="127.0.0.6")
        control.add_license(ip="127.0.0.7")
        answer = doc(control, "soft")
        assert [e["id"]["$"] for e in answer["elem"]] == ["1", "2"] and answer["p_elems"] == {"$": "3"}
        assert answer["elem"][0]["status"] == {"$": "2"} and answer["elem"][0]["expiredate"] == {"$": "03.02.2027"}
        control.set_shapes()  # all off at runtime
        assert set(doc(control, "soft")) == {"elem"} and len(doc(control, "soft")["elem"]) == 3
        control.set_shapes(page_size=1)
        control.restart()  # settings made through the control API come back
        assert control.config()["page_size"] == 1
    config = tmp_path / "config.json"
    config.write_text('{"status_column": true, "localized_dates": true, "page_size": 0}')
    with SandboxControl(tmp_path / "state2.json", config_path=config) as control:
        assert {k: control.config()[k] for k in ("page_size", "status_column", "localized_dates")} == {
            "page_size": None, "status_column": True, "localized_dates": "english"}


# --- the delay fault ----------------------------------------------------------------------------

def timed(func, results, key):
    started = time.monotonic()
    results[key] = func()
    results[key + "_seconds"] = time.monotonic() - started


def test_delay_a_read_without_blocking_others(sandbox):
    order(sandbox, "127.0.0.5")
    sandbox.add_delay("soft", seconds=1.0, times=1)
    assert sandbox.faults() == [{"fault": "delay", "func": "soft", "times": 1, "seconds": 1.0}]
    results = {}
    slow = threading.Thread(target=timed, args=(lambda: doc(sandbox, "soft"), results, "list"))
    slow.start()
    time.sleep(0.2)
    timed(lambda: read(sandbox, 1), results, "read")  # another function is not delayed, nor blocked
    slow.join(timeout=10)
    assert results["read_seconds"] < 0.5
    assert results["list_seconds"] >= 1.0
    assert results["list"]["elem"]["id"] == {"$": "1"}  # and then answers as usual
    started = time.monotonic()
    doc(sandbox, "soft")
    assert time.monotonic() - started < 0.5  # consumed after one call
    assert [e["fault"] for e in sandbox.calls("soft")] == ["delay", None]


def test_delay_makes_two_orders_overlap(sandbox):
    # Client A's order is held 1 s before it runs; client B orders the same IP meanwhile and wins.
    sandbox.add_delay("soft.order.param", seconds=1.0)
    results = {}
    first = threading.Thread(target=timed, args=(
        lambda: post(sandbox, "soft.order.param", pricelist=3541, ip="127.0.0.5", skipbasket="on", sok="ok").json(),
        results, "a"))
    first.start()
    time.sleep(0.3)
    b = post(sandbox, "soft.order.param", pricelist=3541, ip="127.0.0.5", skipbasket="on", sok="ok").json()
    first.join(timeout=10)
    assert b["doc"]["id"] == {"$": "1"}
    assert results["a"]["doc"]["error"]["$type"] == "exists" and results["a_seconds"] >= 1.0
    arrivals = [e["time"] for e in sandbox.calls("soft.order.param")]
    assert arrivals[0] < arrivals[1]  # the log shows A arrived first


def test_delay_after_commit_and_repeated(sandbox):
    sandbox.add_delay("soft.order.param", seconds=0.6, times=2, after_commit=True)
    results = {}
    worker = threading.Thread(target=timed, args=(lambda: order(sandbox, "127.0.0.5"), results, "a"))
    worker.start()
    time.sleep(0.3)
    assert [lic["ip"] for lic in sandbox.licenses()] == ["127.0.0.5"]  # done, answer still held
    worker.join(timeout=10)
    started = time.monotonic()
    order(sandbox, "127.0.0.6")
    assert time.monotonic() - started >= 0.6 and results["a_seconds"] >= 0.6
    started = time.monotonic()
    order(sandbox, "127.0.0.7")
    assert time.monotonic() - started < 0.5
    with pytest.raises(SandboxError):
        sandbox.add_delay("soft", seconds=10000)  # bounded
