# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fault injection: what a client sees, and whether the billing system executed the call."""

import json
import threading
import time

import pytest
import requests
import urllib3

from sandbox_http import doc, order, post

ORDER = dict(pricelist=3541, period=1, ip="127.0.0.5", skipbasket="on", sok="ok")


def order_call(sandbox, timeout=10, **kw):
    return post(sandbox, "soft.order.param", timeout=timeout, **dict(ORDER, **kw))


def wait_for_licenses(sandbox, count, timeout=5.0):
    deadline = time.monotonic() + timeout
    for dummy in range(100):
        found = sandbox.licenses()
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)
    return sandbox.licenses()


def saved_licenses(sandbox):
    with open(sandbox.state_path, encoding="utf-8") as handle:
        return json.load(handle)["licenses"]


def test_http_502_executes_nothing(sandbox):
    sandbox.add_fault("http_502", func="soft.order.param")
    response = order_call(sandbox)
    assert response.status_code == 502
    assert response.headers["Content-Type"] == "text/html"
    assert "502 Bad Gateway" in response.text
    assert sandbox.licenses() == []
    assert sandbox.calls("soft.order.param")[0]["fault"] == "http_502"
    # Consumed: the retry goes through.
    assert order_call(sandbox).json()["doc"]["id"] == {"$": "1"}


def test_http_502_after_commit_executes(sandbox):
    sandbox.add_fault("http_502_after_commit", func="soft.order.param")
    response = order_call(sandbox)
    assert response.status_code == 502
    assert [lic["ip"] for lic in sandbox.licenses()] == ["127.0.0.5"]
    # A blind retry now meets the exists rule: the case clients must handle.
    assert order_call(sandbox).json()["doc"]["error"]["$type"] == "exists"


def test_html_page_executes_nothing(sandbox):
    sandbox.add_fault("html")
    response = order_call(sandbox)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Internal error" in response.text
    with pytest.raises(ValueError):
        response.json()
    assert sandbox.licenses() == []


def test_close_executes_nothing(sandbox):
    sandbox.add_fault("close", func="soft.order.param")
    with pytest.raises(requests.ConnectionError):
        order_call(sandbox)
    assert sandbox.licenses() == []


def test_close_after_commit_executes_and_persists(sandbox):
    sandbox.add_fault("close_after_commit", func="soft.order.param")
    with pytest.raises(requests.ConnectionError):
        order_call(sandbox)
    assert [lic["ip"] for lic in saved_licenses(sandbox)] == ["127.0.0.5"]
    assert [lic["ip"] for lic in sandbox.licenses()] == ["127.0.0.5"]


def test_hang_times_out_and_executes_nothing(sandbox):
    sandbox.add_fault("hang", func="soft.order.param", seconds=2.0)
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        order_call(sandbox, timeout=0.5)
    assert time.monotonic() - started < 1.5
    # While that request hangs, others are served at once (threaded server).
    started = time.monotonic()
    assert doc(sandbox, "soft") == {}
    assert time.monotonic() - started < 1.0
    time.sleep(2.0)  # past the hang: it still executed nothing
    assert sandbox.licenses() == []


def test_hang_after_commit_times_out_but_executes(sandbox):
    sandbox.add_fault("hang_after_commit", func="soft.order.param", seconds=1.5)
    with pytest.raises(requests.Timeout):
        order_call(sandbox, timeout=0.5)
    assert [lic["ip"] for lic in wait_for_licenses(sandbox, 1)] == ["127.0.0.5"]


def test_truncated_json_with_good_status(sandbox):
    sandbox.add_fault("truncated", func="soft.order.param")
    response = order_call(sandbox)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.text.startswith('{"doc"')
    with pytest.raises(ValueError):
        response.json()
    assert len(sandbox.licenses()) == 1


def test_truncated_read_breaks_the_transfer(sandbox):
    sandbox.add_fault("truncated_read", func="soft.order.param")
    if int(urllib3.__version__.split(".")[0]) >= 2:
        with pytest.raises(requests.exceptions.ChunkedEncodingError):  # urllib3: IncompleteRead
            order_call(sandbox)
    else:
        # urllib3 1.x (the oldest requests the collection allows) does not enforce Content-Length:
        # the body arrives cut short, and is not the JSON it promised.
        response = order_call(sandbox)
        assert 0 < len(response.content) < int(response.headers["Content-Length"]), response.headers
        with pytest.raises(ValueError):
            json.loads(response.content)
    assert len(sandbox.licenses()) == 1


def test_fault_by_header(sandbox):
    response = order_call(sandbox, headers={"X-Sandbox-Fault": "http_502"})
    assert response.status_code == 502
    assert sandbox.licenses() == []
    with pytest.raises(requests.Timeout):
        order_call(sandbox, timeout=0.5, headers={"X-Sandbox-Fault": "hang_after_commit",
                                                  "X-Sandbox-Fault-Seconds": "1.5"})
    assert len(wait_for_licenses(sandbox, 1)) == 1
    assert [entry["fault"] for entry in sandbox.log()] == ["http_502", "hang_after_commit"]
    response = order_call(sandbox, headers={"X-Sandbox-Fault": "nonsense"})
    assert response.status_code == 400


def test_fault_queue_matches_func_times_and_order(sandbox):
    sandbox.add_fault("http_502", func="soft.order.param", times=2)
    sandbox.add_fault("html", func="soft")
    assert [(f["fault"], f["times"]) for f in sandbox.faults()] == [("http_502", 2), ("html", 1)]
    assert post(sandbox, "soft.edit", elid=1).status_code == 200  # other funcs are untouched
    assert order_call(sandbox).status_code == 502
    assert post(sandbox, "soft").headers["Content-Type"].startswith("text/html")
    assert order_call(sandbox).status_code == 502
    assert sandbox.faults() == []
    assert order_call(sandbox).status_code == 200
    assert [entry["fault"] for entry in sandbox.log()] == [None, "http_502", "html", "http_502", None]


def test_fault_for_any_call_and_clear(sandbox):
    sandbox.add_fault("http_502", times=5)
    assert post(sandbox, "soft").status_code == 502
    sandbox.clear_faults()
    assert post(sandbox, "soft").status_code == 200


def test_hang_does_not_block_parallel_clients(sandbox):
    sandbox.add_fault("hang", func="soft.checkip", times=3, seconds=2.5)
    timeouts = []

    def hanging():
        try:
            post(sandbox, "soft.checkip", pricelist=3541, period=1, ip="127.0.0.9", timeout=0.5)
        except requests.Timeout:
            timeouts.append(1)

    threads = [threading.Thread(target=hanging) for dummy in range(3)]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    ids = [order(sandbox, "127.0.0.%d" % n) for n in (5, 6, 7)]
    assert time.monotonic() - started < 2.0  # not queued behind the 2.5 s hangs
    for thread in threads:
        thread.join(timeout=5)
    assert len(timeouts) == 3 and ids == [1, 2, 3]
