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
import collections
import datetime
import ipaddress
import json

# The sandbox keeps its own copy of the catalog (the interface.md table, with
# invented prices): it stands in for the vendor's billing system and must not
# import the collection it is used to test.
#
# A tariff: display name, node addon id (or None; kept as field 1 for older
# code), monthly price, family (``soft``, ``platform``, ``softexternal``: the
# functions that handle it), named addons {name: addon id}, and the periods an
# order accepts.  A yearly period costs ten months (BILLmanager's usual "2
# months free").
Tariff = collections.namedtuple("Tariff", "name node_addon price family addons periods")

# Every period the sandbox has always accepted for the soft tariffs (kept so
# existing users' tests keep passing): 1 month, 12 year, -100 trial, -50 day, 0 lifetime.
ALL_PERIODS = (1, 12, -100, -50, 0)
TRIAL = -100


def _soft(name, price, node_addon=None):
    return Tariff(name, node_addon, price, "soft", {"nodes": node_addon} if node_addon else {}, ALL_PERIODS)


CATALOG = {
    3541: _soft("ISPmanager Lite", 10.0),
    4601: _soft("ISPmanager Business", 40.0, 4602),
    5577: _soft("BILLmanager", 30.0),
    5579: _soft("BILLmanager Corporate", 50.0),
    3045: _soft("VMmanager KVM", 25.0, 3049),
    3887: _soft("VMmanager Cloud", 45.0, 3889),
    3651: _soft("VMmanager OVZ", 20.0, 3698),
    3934: _soft("DCImanager", 35.0),
    3936: _soft("DCImanager Enterprise", 48.0),
    3136: _soft("DNSmanager", 5.0),
    2891: _soft("IPmanager", 8.0),
    55227: _soft("ISPmanager 6 Lite", 12.0),
    55228: _soft("ISPmanager 6 Pro", 18.0),
    55229: _soft("ISPmanager 6 Host", 30.0),
    55230: _soft("ISPmanager 6 Business", 45.0, 55236),
    # Trial-only tariffs: period -100 and nothing else (Upmind's provider orders them so).
    55239: Tariff("ISPmanager 6 Trial", None, 0.0, "soft", {}, (TRIAL,)),
    55240: Tariff("ISPmanager 6 Business Trial", None, 0.0, "soft", {}, (TRIAL,)),
    # The v6 platforms: not bound to an IP, ``comment`` instead of a name.
    55163: Tariff("VMmanager 6", 55165, 40.0, "platform", {"nodes": 55165, "vms": 55164}, (1, 12, TRIAL)),
    55161: Tariff("DCImanager 6", None, 60.0, "platform", {}, (1, 12, TRIAL)),
    # Third-party licenses: monthly only.
    9203: Tariff("CloudLinux", None, 14.0, "softexternal", {}, (1,)),
    9204: Tariff("Softaculous", None, 3.0, "softexternal", {}, (1,)),
    11738: Tariff("KernelCare", None, 3.5, "softexternal", {}, (1,)),
}

# Addon id -> monthly price of one unit (nodes; VMmanager 6 also virtual machines).
ADDON_PRICES = {4602: 4.0, 3049: 3.0, 3889: 5.0, 3698: 2.0, 55236: 4.5, 55165: 10.0, 55164: 0.5}


def family_of(pricelist):
    """The family of a tariff; one not in the catalog (seeded raw) is ``soft``, as the collection assumes."""
    tariff = CATALOG.get(pricelist)
    return tariff.family if tariff else "soft"


def tariff_name(pricelist):
    return CATALOG[pricelist].name if pricelist in CATALOG else "Tariff %s" % pricelist


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
    """Compact JSON text (the state file, the control API)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, check_circular=False)


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


def tariff_periods(pricelist):
    return CATALOG[pricelist].periods if pricelist in CATALOG else ALL_PERIODS


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


def parse_addons(params, pricelist, current=None):
    """``addon_<id>=N``: only the tariff's own addons, N a non-negative integer.

    ``current`` (an edit) starts from the license's amounts and ignores other addons;
    an order starts from none and refuses another tariff's addon.
    """
    allowed = set(CATALOG[pricelist].addons.values()) if pricelist in CATALOG else set()
    addons = dict(current or {})
    for name, raw in params.items():
        if not name.startswith("addon_"):
            continue
        addon_id = name[len("addon_"):]
        if not addon_id.isdigit() or int(addon_id) not in allowed:
            if current is not None:
                continue  # an edit ignores fields its form does not have (the sandbox always did)
            raise bad_value(name, raw, "Addon %s is not available for tariff plan %s" % (addon_id, pricelist))
        if raw.strip() == "" and current is not None:
            continue  # an edit form sends the field empty when it is not changed
        try:
            amount = int(raw.strip())
        except ValueError:
            raise bad_value(name, raw) from None
        if amount < 0:
            raise bad_value(name, raw, "The amount of %s must not be negative" % name)
        addons[addon_id] = amount
    return addons


# --- money and dates ----------------------------------------------------------

def monthly_price(pricelist, addons, prices):
    """Monthly price of a tariff with its addons; ``prices`` holds overrides by id."""
    base = prices.get(pricelist, CATALOG[pricelist].price if pricelist in CATALOG else 0.0)
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


def days_left(expiredate):
    """Whole days of paid time from today to ``expiredate`` (0 when it has passed)."""
    return max(0, (parse_date(expiredate) - today()).days)


# Localized list dates (the ``localized_dates`` setting).  ``english``: what an
# English-language BILLmanager 6 shows in its lists ("Dec 1, 2026"); ``dotted``:
# the day-first form of its Russian-language default ("01.12.2026").
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DATE_STYLES = ("english", "dotted")


def localized_date(value, style):
    """``YYYY-MM-DD`` in a list's localized form; anything else (empty, unparsable) unchanged."""
    try:
        day = datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    if style == "dotted":
        return "%02d.%02d.%04d" % (day.day, day.month, day.year)
    return "%s %d, %04d" % (MONTH_ABBR[day.month - 1], day.day, day.year)
