# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Wire format, catalog and calendar helpers of the BILLmanager sandbox.

Everything here is pure (no state, no I/O) so the API functions in
``sandbox_api.py`` stay short.  The sandbox keeps its own copy of the tariff
catalog on purpose: it is a stand-in for the vendor's billing system and must
not import the collection it is used to test.
"""

import calendar
import datetime
import ipaddress
import json

# Tariff (pricelist) id -> (name, node addon id or None, monthly price).
# Ids are those of the vendor's reseller guide plus the ISPmanager 6 tariffs.
# The prices are invented; a yearly period costs ten months (as BILLmanager's
# usual "2 months free" yearly discount).
CATALOG = {
    3541: ("ISPmanager Lite", None, 10.0),
    4601: ("ISPmanager Business", 4602, 40.0),
    5577: ("BILLmanager", None, 30.0),
    5579: ("BILLmanager Corporate", None, 50.0),
    3045: ("VMmanager KVM", 3049, 25.0),
    3887: ("VMmanager Cloud", 3889, 45.0),
    3651: ("VMmanager OVZ", 3698, 20.0),
    3934: ("DCImanager", None, 35.0),
    3936: ("DCImanager Enterprise", None, 48.0),
    3136: ("DNSmanager", None, 5.0),
    2891: ("IPmanager", None, 8.0),
    55227: ("ISPmanager 6 Lite", None, 12.0),
    55228: ("ISPmanager 6 Pro", None, 18.0),
    55229: ("ISPmanager 6 Host", None, 30.0),
    55230: ("ISPmanager 6 Business", 55236, 45.0),
}

# Node addon id -> monthly price of one node.
ADDON_PRICES = {4602: 4.0, 3049: 3.0, 3889: 5.0, 3698: 2.0, 55236: 4.5}

# Period codes: 1 month, 12 year, -100 trial, -50 day, 0 lifetime.
# Value: (price multiplier of the monthly price, display name).
ORDER_PERIODS = {
    1: (1.0, "1 month"),
    12: (10.0, "1 year"),
    -100: (0.0, "Trial"),
    -50: (1.0 / 30.0, "1 day"),
    0: (36.0, "Lifetime"),
}
# A renewal only makes sense for a real period.
PROLONG_PERIODS = (1, 12)
TRIAL_DAYS = 30
LIFETIME_EXPIREDATE = "2099-12-31"

STATUS_ORDERED, STATUS_ACTIVE, STATUS_SUSPENDED, STATUS_DELETED, STATUS_PROCESSING = 1, 2, 3, 4, 5
STATUS_NAMES = {1: "Ordered", 2: "Active", 3: "Suspended", 4: "Deleted", 5: "Processing"}
AUTOPROLONG_NAMES = {1: "1 month", 12: "1 year"}


class ApiError(Exception):
    """An API error; BILLmanager answers it as HTTP 200 with an ``error`` element."""

    def __init__(self, etype, obj, msg, value=""):
        super().__init__(msg)
        self.etype = etype
        self.obj = obj
        self.msg = msg
        self.value = "" if value is None else str(value)

    def doc(self):
        """The ``out=json`` error document, as seen from real BILLmanager."""
        return {"doc": {"error": {
            "$type": self.etype,
            "$object": self.obj,
            "$lang": "en",
            "msg": {"$": self.msg},
            "param": [{"$name": "object", "$": self.obj}, {"$name": "value", "$": self.value}],
        }}}


def missed(name):
    return ApiError("missed", name, "The required parameter '%s' is missing" % name)


def bad_value(name, value, msg=None):
    return ApiError("value", name, msg or "Invalid value '%s' of parameter '%s'" % (value, name), value)


def text(value):
    """An element with text, or ``{}`` for an empty element (no ``$`` key)."""
    if value is None or value == "":
        return {}
    return {"$": str(value)}


def ok_doc(**elements):
    """A success document: ``{"doc": {"ok": {}, name: {"$": value}, ...}}``."""
    doc = {"ok": {}}
    for name, value in elements.items():
        doc[name] = text(value)
    return {"doc": doc}


def dumps(obj):
    """Compact JSON text of a document (or the text itself for a ``Raw`` one)."""
    if isinstance(obj, Raw):
        return obj.text
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, check_circular=False)


class Raw:
    """A document already serialized (the 10,000-license list is built as text, for speed)."""

    def __init__(self, text):
        self.text = text


# json's C string encoder: quotes and escapes a str, about ten times faster than json.dumps(str).
quote = json.encoder.encode_basestring


def text_json(value):
    """``text()`` as JSON text."""
    if value is None or value == "":
        return "{}"
    return '{"$":%s}' % quote(str(value))


# --- values -----------------------------------------------------------------

def parse_int(params, name, required=True, default=None):
    """An integer parameter; missing -> ``missed``, not a number -> ``value``."""
    raw = params.get(name, "")
    if raw == "":
        if required:
            raise missed(name)
        return default
    try:
        return int(raw.strip())
    except ValueError:
        raise bad_value(name, raw) from None


def parse_pricelist(params, name="pricelist"):
    pricelist = parse_int(params, name)
    if pricelist not in CATALOG:
        raise bad_value(name, params.get(name), "Tariff plan %s not found" % params.get(name))
    return pricelist


def parse_period(params, allowed, default=1):
    period = parse_int(params, "period", required=False, default=default)
    if period not in allowed:
        raise bad_value("period", params.get("period"), "Invalid period '%s'" % params.get("period"))
    return period


def parse_ip(params, name="ip", required=True):
    """A normalized IPv4/IPv6 address (``ipaddress`` rules)."""
    raw = params.get(name, "").strip()
    if raw == "":
        if required:
            raise missed(name)
        return None
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        raise bad_value(name, raw, "Invalid IP address '%s'" % raw) from None


def parse_autoprolong(params):
    """``1``/``12`` months, or the literal ``null`` (also empty, ``0``, ``off``) for off."""
    raw = params.get("autoprolong", "").strip()
    if raw in ("", "null", "0", "off"):
        return None
    if raw in ("1", "12"):
        return int(raw)
    raise bad_value("autoprolong", raw)


def parse_addons(params, pricelist):
    """``addon_<id>=N``: only the node addon of the tariff, N a non-negative integer."""
    node_addon = CATALOG[pricelist][1]
    addons = {}
    for name, raw in params.items():
        if not name.startswith("addon_"):
            continue
        if name != "addon_%s" % node_addon:
            raise bad_value(name, raw, "Addon %s is not available for tariff plan %s"
                            % (name[len("addon_"):], pricelist))
        try:
            amount = int(raw.strip())
        except ValueError:
            raise bad_value(name, raw) from None
        if amount < 0:
            raise bad_value(name, raw, "The amount of %s must not be negative" % name)
        addons[str(node_addon)] = amount
    return addons


# --- money and dates ----------------------------------------------------------

def monthly_price(pricelist, addons, prices):
    """Monthly price of a tariff with its addons; ``prices`` holds overrides by id."""
    base = prices.get(pricelist, CATALOG.get(pricelist, ("", None, 0.0))[2])
    total = float(base)
    for addon_id, amount in (addons or {}).items():
        total += float(prices.get(int(addon_id), ADDON_PRICES.get(int(addon_id), 0.0))) * int(amount)
    return total


def period_cost(pricelist, addons, period, prices):
    return round(monthly_price(pricelist, addons, prices) * ORDER_PERIODS[period][0], 2)


def today():
    return datetime.date.today()


def add_months(day, months):
    """``day`` plus whole months, the day clamped to the month's end (Jan 31 + 1 = Feb 28/29)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def period_end(start, period):
    """The expiry date of ``period`` started on ``start`` (a date), as ``YYYY-MM-DD``."""
    if period == 0:
        return LIFETIME_EXPIREDATE
    if period == -100:
        return (start + datetime.timedelta(days=TRIAL_DAYS)).isoformat()
    if period == -50:
        return (start + datetime.timedelta(days=1)).isoformat()
    return add_months(start, period).isoformat()


def parse_date(value):
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return today()
