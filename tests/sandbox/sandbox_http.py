# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Raw-HTTP helpers for the sandbox tests (requests, as the collection's client uses)."""

import calendar
import datetime
import json
import time

import requests

HEX32 = "0123456789abcdef"


def post(sandbox, func, session=None, timeout=10, with_authinfo=True, headers=None, **params):
    """POST one API call; adds the sandbox user's authinfo unless ``auth``/``authinfo`` is given or
    ``with_authinfo`` is False. Returns the response."""
    data = {"func": func, "out": "json", "lang": "en"}
    if with_authinfo and "auth" not in params and "authinfo" not in params:
        data["authinfo"] = "%s:%s" % (sandbox.username, sandbox.password)
    data.update({key: str(value) for key, value in params.items() if value is not None})
    sender = session or requests
    return sender.post(sandbox.url, data=data, timeout=timeout, headers=headers or {})


def doc(sandbox, func, **params):
    """One API call that must answer HTTP 200 JSON; returns the ``doc`` element."""
    response = post(sandbox, func, **params)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Content-Length"] == str(len(response.content))
    body = response.json()
    assert list(body) == ["doc"], body
    return body["doc"]


def error(sandbox, func, **params):
    """One API call that must fail; returns its ``error`` element."""
    answer = doc(sandbox, func, **params)
    assert "error" in answer, answer
    err = answer["error"]
    assert err["$lang"] == "en"
    assert err["param"][0] == {"$name": "object", "$": err["$object"]}
    assert err["param"][1]["$name"] == "value"
    assert err["msg"]["$"]
    return err


def ok(sandbox, func, **params):
    """One API call that must succeed with ``ok``; returns the doc."""
    answer = doc(sandbox, func, **params)
    assert "error" not in answer, answer
    assert answer["ok"] == {}, answer
    return answer


def order(sandbox, ip, pricelist=3541, period=1, **params):
    """Order and pay a license (skipbasket=on); returns its id."""
    fields = dict(pricelist=pricelist, period=period, ip=ip, skipbasket="on", clicked_button="finish",
                  sok="ok", autoprolong="null")
    fields.update(params)
    answer = ok(sandbox, "soft.order.param", **fields)
    assert set(answer) == {"ok", "id"}, answer
    return int(answer["id"]["$"])


def read(sandbox, elid):
    """``soft.edit`` without sok: the license's fields as {name: text or None}."""
    answer = doc(sandbox, "soft.edit", elid=elid)
    assert "error" not in answer, answer
    return {key: value.get("$") for key, value in answer.items()}


def elems(sandbox, **params):
    """``func=soft`` as a list, whatever the quirk (no elem / one object / array)."""
    answer = doc(sandbox, "soft", **params)
    assert "error" not in answer, answer
    found = answer.get("elem", [])
    return found if isinstance(found, list) else [found]


def wait_active(sandbox, elid, timeout=5.0):
    """Poll ``soft.edit`` (bounded) until the license is active; returns its fields."""
    deadline = time.monotonic() + timeout
    for dummy in range(200):
        fields = read(sandbox, elid)
        if fields["status"] == "2":
            return fields
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    raise AssertionError("license %s not active after %.1f s: %s" % (elid, timeout, fields))


def is_key(value):
    return isinstance(value, str) and len(value) == 32 and all(ch in HEX32 for ch in value)


def add_months(day, months):  # the sandbox tests keep their own date math, on purpose: it checks the sandbox's
    """Independent month arithmetic (day clamped), to check the sandbox's dates."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def balance(sandbox, user=None):
    return sandbox.config()["users"][user or sandbox.username]["balance"]


# --- other formats and families ---------------------------------------------------------

def answer_in(sandbox, func, out, **params):
    """One API call with ``out=OUT`` that must answer HTTP 200; returns (content type, body text)."""
    response = post(sandbox, func, out=out, **params)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Length"] == str(len(response.content))
    return response.headers["Content-Type"], response.text


def xml_root(sandbox, func, **params):
    """An ``out=xml`` answer parsed: the ``doc`` element (ElementTree)."""
    import xml.etree.ElementTree as ET
    ctype, text = answer_in(sandbox, func, "xml", **params)
    assert ctype == "text/xml; charset=UTF-8"
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<doc')
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "doc"
    return root


def json_in(sandbox, func, out, **params):
    """An ``out=sjson``/``bjson`` answer parsed."""
    ctype, text = answer_in(sandbox, func, out, **params)
    assert ctype == "application/json"
    return json.loads(text)


def family_order(sandbox, family, pricelist, period=1, **params):
    """Order and pay a license of any family (``<family>.order.param``, skipbasket=on); returns its id."""
    fields = dict(pricelist=pricelist, period=period, skipbasket="on", clicked_button="finish", sok="ok",
                  autoprolong="null")
    fields.update(params)
    answer = ok(sandbox, family + ".order.param", **fields)
    return int(answer["id"]["$"])


def family_read(sandbox, family, elid):
    """``<family>.edit`` without sok: the license's fields as {name: text or None}."""
    answer = doc(sandbox, family + ".edit", elid=elid)
    assert "error" not in answer, answer
    return {key: value.get("$") for key, value in answer.items()}


def family_elems(sandbox, family, **params):
    """A family's list as a list of rows, whatever the quirk."""
    answer = doc(sandbox, family, **params)
    assert "error" not in answer, answer
    found = answer.get("elem", [])
    return found if isinstance(found, list) else [found]
