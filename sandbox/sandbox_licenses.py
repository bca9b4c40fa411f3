# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The per-family license functions: list, ``.order.param``, ``.edit``, ``.checkip``,
``.suspend``, ``.resume``, ``.delete``.

Each handler takes the family's row (``sandbox_families.Family``) first, so
one handler serves ``soft``, ``platform`` and ``softexternal``; a family's
functions see only its own licenses (another family's id is "not found").

Conventions copied from BILLmanager:
- ``sok`` (any non-empty value, clients send ``sok=ok``) commits a change;
  without it ``*.edit``/``*.order.param``/``*.delete`` only answer the form.
  ``*.suspend``/``*.resume`` act without ``sok`` (ISPsystem's own WHMCS
  module sends none).
- ``elid`` names the license; for suspend/resume/delete it may list several
  ids separated by commas/spaces, as BILLmanager's group operations do.
"""

import re
import time

import sandbox_wire as wire
from sandbox_render import Doc
from sandbox_state import new_key


def committed(params):
    return params.get("sok", "") != ""


def elids(params):
    ids = [part for part in re.split(r"[,\s]+", params.get("elid", "")) if part]
    if not ids:
        raise wire.missed("elid")
    return ids


def deny(lic, action):
    return wire.ApiError("access", "elid", "Cannot %s license %s with status %s"
                         % (action, lic["id"], wire.STATUS_NAMES.get(lic["status"], lic["status"])), lic["id"])


# --- the list -----------------------------------------------------------------------------

AUTOPROLONG_OFF = {"$orig": "null", "$": "Off"}


def list_row(family, lic, store):
    """One ``elem``; ``lickey`` is never listed. Localized cells carry the machine value in ``$orig``."""
    pricelist = lic["pricelist"]
    period = lic.get("period", 1)
    style = store.localized_dates
    row = {"id": {"$": str(lic["id"])}, family.name_field: wire.text(lic["licname"])}
    if family.ip_bound:
        row["ip"] = wire.text(lic["ip"])
    row["pricelist"] = {"$orig": str(pricelist), "$": wire.tariff_name(pricelist)}
    for name in ("createdate", "expiredate"):
        value = lic.get(name)
        row[name] = wire.text(wire.localized_date(value, style) if style else value)
    autoprolong = lic.get("autoprolong")
    row["autoprolong"] = AUTOPROLONG_OFF if not autoprolong else {
        "$orig": str(autoprolong), "$": wire.AUTOPROLONG_NAMES.get(autoprolong, str(autoprolong))}
    status, status_msg = str(lic["status"]), wire.STATUS_NAMES.get(lic["status"], "Unknown")
    if family.status_cells == "item_status":  # softexternal, per the BILLmanager 6 reference
        row["status_msg"] = {"$": status_msg}
        row["item_status"] = {"$": status}
    elif store.status_column:
        row["status"] = {"$": status}
        row["status_msg"] = {"$": status_msg}
    else:
        row["status"] = {"$orig": status, "$": status_msg}
    cost = wire.period_cost(pricelist, lic.get("addons"), period if period in wire.ORDER_PERIODS else 1, store.prices)
    row["cost"] = {"$": "%.2f" % cost}
    if lic.get("remoteid"):  # an empty cell is left out, as BILLmanager's lists do
        row["remoteid"] = {"$": str(lic["remoteid"])}
    return row


def positive(params, name):
    value = wire.parse_int(params, name, required=False)
    if value is not None and value < 1:
        raise wire.bad_value(name, params.get(name))
    return value


def func_list(family, store, user, params):
    """The caller's licenses of this family, deleted ones included, without keys.

    Quirk kept on purpose: one row gives ``elem`` as an object, none gives no
    ``elem`` at all (the way BILLmanager's XML-to-JSON conversion behaves).
    Paging (COREmanager's ``p_num``/``p_cnt``): with the ``page_size`` setting
    every answer is a page; without it a request that asks for a page (either
    parameter) still gets one, as COREmanager honours them.  A paged answer
    carries ``p_num``, ``p_cnt`` and ``p_elems`` (the total); a page beyond the
    last has no rows.
    """
    now = time.time()
    changed = False
    for lic in store.licenses.values():
        if lic["status"] == wire.STATUS_PROCESSING and lic["owner"] == user:
            changed = store.advance(lic, now) or changed
    if changed:
        store.save()
    p_num, p_cnt = positive(params, "p_num"), positive(params, "p_cnt")
    paged = bool(store.page_size) or p_num is not None or p_cnt is not None
    key = (user, family.name, store.status_column, store.localized_dates, paged, p_num, p_cnt, store.page_size)
    cached = store.list_cache.get(key)
    if cached is not None and cached[0] == store.version:
        return cached[1]
    lics = [lic for lic in store.licenses.values() if lic["owner"] == user and lic.get("family") == family.name]
    doc = Doc(kind="list")
    if paged:
        p_num = p_num or 1
        p_cnt = p_cnt or store.page_size or max(1, len(lics))
        page = lics[(p_num - 1) * p_cnt:p_num * p_cnt]
    else:
        page = lics
    rows = [list_row(family, lic, store) for lic in page]
    if len(rows) == 1:
        doc["elem"] = rows[0]
    elif rows:
        doc["elem"] = rows
    if paged:
        doc.update(p_num={"$": str(p_num)}, p_cnt={"$": str(p_cnt)}, p_elems={"$": str(len(lics))})
    answer = {"doc": doc}
    if len(store.list_cache) > 64:  # bounded: page walks and shape changes must not grow it forever
        store.list_cache.clear()
    store.list_cache[key] = (store.version, answer)
    return answer


# --- read and change ------------------------------------------------------------------------

def read_doc(family, lic):
    """An ``.edit`` read: machine values, no ``$orig``, dates ``YYYY-MM-DD``."""
    doc = Doc(kind="form")
    doc["elid"] = {"$": str(lic["id"])}
    doc[family.name_field] = wire.text(lic["licname"])
    if family.ip_bound:
        doc["ip"] = wire.text(lic["ip"])
    doc.update({
        "pricelist": {"$": str(lic["pricelist"])},
        "status": {"$": str(lic["status"])},
        "createdate": wire.text(lic.get("createdate")),
        "expiredate": wire.text(lic.get("expiredate")),
        "autoprolong": {"$": str(lic["autoprolong"]) if lic.get("autoprolong") else "null"},
        "period": {"$": str(lic.get("period", 1))},
        "lickey": wire.text(lic.get("lickey")),
        "remoteid": wire.text(lic.get("remoteid")),
    })
    for addon_id, amount in sorted((lic.get("addons") or {}).items()):
        doc["addon_%s" % addon_id] = {"$": str(amount)}
    return {"doc": doc}


def func_edit(family, store, user, params):
    """Read (no ``sok``); change name/comment, ip, autoprolong, remoteid, addon amounts; or
    ``clicked_button=newkey`` for a new key.  An absent or empty parameter keeps its value,
    except ``remoteid``: when present it is set (empty clears it), as the WHMCS module relies on."""
    lic = store.owned(user, params.get("elid", ""), family.name)
    if not committed(params):
        return read_doc(family, lic)
    if params.get("clicked_button") == "newkey":
        if lic["status"] != wire.STATUS_ACTIVE:
            raise deny(lic, "issue a new key for")
        lic["lickey"] = new_key()
        store.save()
        return wire.ok_doc(lickey=lic["lickey"])
    if lic["status"] == wire.STATUS_DELETED:
        raise deny(lic, "edit")
    new = {"licname": params.get(family.name_field, "").strip() or lic["licname"]}
    if family.ip_bound:
        new["ip"] = wire.parse_ip(params, required=False) or lic["ip"]
        if new["ip"] != lic["ip"]:
            store.check_ip_free(new["ip"], lic["pricelist"], exclude_id=lic["id"])
    if params.get("autoprolong", "").strip():
        new["autoprolong"] = wire.parse_autoprolong(params)
    if "remoteid" in params:
        new["remoteid"] = params["remoteid"] or None
    # Addon amounts are changed without a charge (a simplification; a billing would bill the rest of the period).
    new["addons"] = wire.parse_addons(params, lic["pricelist"], current=lic.get("addons"))
    if any(lic.get(name) != value for name, value in new.items()):
        lic.update(new)
        store.save()
    return wire.ok_doc(id=lic["id"])


# --- order -------------------------------------------------------------------------------------

def validate_order(family, store, user, params):
    """Checks shared by ``.order.param`` and ``.checkip``, in BILLmanager's order."""
    pricelist = wire.parse_pricelist(params)
    if wire.family_of(pricelist) != family.name:
        raise wire.bad_value("pricelist", pricelist, "Tariff plan %s is not ordered with %s.order.param"
                             % (pricelist, family.name))
    ip = wire.parse_ip(params) if family.ip_bound else ""
    period = wire.parse_period(params, wire.ORDER_PERIODS)
    allowed = wire.tariff_periods(pricelist)
    if period not in allowed:
        if allowed == (wire.TRIAL,):
            msg = "Tariff plan %s is a trial: only period -100" % pricelist
        else:
            msg = "Period %s is not available for tariff plan %s (available: %s)" % (
                period, pricelist, ", ".join(str(p) for p in allowed))
        raise wire.bad_value("period", params.get("period"), msg)
    store.check_ip_free(ip, pricelist)
    if period == wire.TRIAL:
        store.check_trial_free(family.name, pricelist, ip, user)
    return pricelist, ip, period


def func_order(family, store, user, params):
    """Order a license; with ``skipbasket=on`` pay now, else put it in the cart (status 1)."""
    if not committed(params):
        # The order form: echoes the fields, creates nothing.
        names = ("pricelist", "period") + (("ip", "licname") if family.ip_bound else ("comment",)) + ("skipbasket",)
        doc = Doc({name: wire.text(params.get(name)) for name in names}, kind="form")
        doc["autoprolong"] = wire.text(params.get("autoprolong") or "null")
        if params.get("pricelist"):
            pricelist = wire.parse_pricelist(params)
            for addon_id in sorted(wire.CATALOG[pricelist].addons.values()):
                doc["addon_%s" % addon_id] = {"$": params.get("addon_%s" % addon_id) or "0"}
        return {"doc": doc}
    pricelist, ip, period = validate_order(family, store, user, params)
    addons = wire.parse_addons(params, pricelist)
    autoprolong = wire.parse_autoprolong(params)
    licname = params.get(family.name_field, "").strip() or ip
    day = wire.today()
    fields = dict(licname=licname, ip=ip, pricelist=pricelist, addons=addons, period=period,
                  autoprolong=autoprolong, owner=user, createdate=day.isoformat(), lickey="",
                  ordered_at=time.time(), remoteid=params.get("remoteid") or None, family=family.name)
    if params.get("skipbasket") == "on":
        store.charge(user, wire.period_cost(pricelist, addons, period, store.prices))
        fields.update(status=wire.STATUS_PROCESSING, expiredate=wire.period_end(day, period))
    else:
        # In the cart: not paid, not processed; BILLmanager shows the order date as end date.
        fields.update(status=wire.STATUS_ORDERED, expiredate=day.isoformat())
    lic = store.create(**fields)
    store.save()
    return wire.ok_doc(id=lic["id"])


def func_checkip(family, store, user, params):
    """Would an order of ``pricelist`` on ``ip`` pass? ``ok`` or the order's error."""
    validate_order(family, store, user, params)
    return wire.ok_doc()


# --- suspend, resume, delete ---------------------------------------------------------------------

def _group(family, store, user, params, allowed, action, new_status):
    """Suspend/resume/delete every listed license, or none when one of them refuses."""
    lics = [store.owned(user, elid, family.name) for elid in elids(params)]
    for lic in lics:
        if lic["status"] not in allowed:
            raise deny(lic, action)
    changed = False
    for lic in lics:
        if lic["status"] == new_status or (action == "resume" and lic["status"] == wire.STATUS_PROCESSING):
            continue  # already there; resuming a license in processing leaves it processing
        lic["status"] = new_status
        if new_status == wire.STATUS_DELETED:
            lic["lickey"] = ""
        changed = True
    if changed:
        store.save()
    return wire.ok_doc()


def func_suspend(family, store, user, params):
    """Active or suspended -> suspended (suspending twice is fine); processing refuses."""
    return _group(family, store, user, params, (wire.STATUS_ACTIVE, wire.STATUS_SUSPENDED), "suspend",
                  wire.STATUS_SUSPENDED)


def func_resume(family, store, user, params):
    """Suspended -> active; active/processing stay as they are; deleted/ordered refuse."""
    return _group(family, store, user, params, (wire.STATUS_ACTIVE, wire.STATUS_SUSPENDED, wire.STATUS_PROCESSING),
                  "resume", wire.STATUS_ACTIVE)


def func_delete(family, store, user, params):
    """Any status but deleted -> deleted (stays listed, key cleared). Needs ``sok``."""
    if not committed(params):
        lics = [store.owned(user, elid, family.name) for elid in elids(params)]
        return {"doc": {"elid": {"$": ", ".join(str(lic["id"]) for lic in lics)}}}
    return _group(family, store, user, params, (wire.STATUS_ORDERED, wire.STATUS_ACTIVE, wire.STATUS_SUSPENDED,
                                                wire.STATUS_PROCESSING), "delete", wire.STATUS_DELETED)


# Action (the part after the family's name) -> handler.
HANDLERS = {
    "": func_list,
    ".order.param": func_order,
    ".edit": func_edit,
    ".checkip": func_checkip,
    ".suspend": func_suspend,
    ".resume": func_resume,
    ".delete": func_delete,
}
