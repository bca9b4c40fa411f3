# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The license-reselling functions of the BILLmanager API, as the sandbox answers them.

``execute(store, params)`` takes the merged request parameters and returns the
``out=json`` document (a dict, or ``wire.Raw`` JSON text for the big list).  API errors are returned as error documents,
never raised: BILLmanager answers them with HTTP 200 and an ``error`` element.

Conventions copied from BILLmanager:
- ``sok`` (any non-empty value, clients send ``sok=ok``) commits a change;
  without it ``*.edit``/``*.order.param``/``service.*`` only answer the form.
  ``soft.suspend``/``soft.resume`` act without ``sok`` (ISPsystem's own WHMCS
  module sends none).
- ``elid`` names the license; for suspend/resume/delete it may list several
  ids separated by commas/spaces, as BILLmanager's group operations do.
"""

import re
import time

import sandbox_wire as wire
from sandbox_state import new_key


def execute(store, params):
    """Authenticate, dispatch on ``func`` and return the answer document."""
    try:
        with store.lock:
            func = params.get("func", "")
            if func == "auth":
                return func_auth(store, params)
            user = authenticate(store, params)
            if func == "":
                raise wire.ApiError("missed", "func", "Function not specified", "")
            handler = FUNCTIONS.get(func)
            if handler is None:
                raise wire.ApiError("missed", "func", "Function %s not found" % func, func)
            return handler(store, user, params)
    except wire.ApiError as err:
        return err.doc()


def authenticate(store, params):
    """``authinfo=user:password`` on each call, or ``auth=<session id>`` from ``func=auth``."""
    if params.get("authinfo"):
        username, dummy, password = params["authinfo"].partition(":")
        if store.check_password(username, password):
            return username
        raise wire.ApiError("auth", "badpassword", "Invalid username or password", username)
    sid = params.get("auth", "")
    if sid:
        user = store.session_user(sid)
        if user is not None:
            return user
        # The id is a credential: not echoed back.
        raise wire.ApiError("auth", "session", "Session expired or does not exist", "")
    raise wire.ApiError("auth", "session", "Authorization required: pass authinfo or auth", "")


def claimed_user(store, params):
    """Who a request says it is, for the request log (no session refresh, no password check)."""
    with store.lock:
        if params.get("func") == "auth":
            return params.get("username") or None
        if params.get("authinfo"):
            return params["authinfo"].partition(":")[0]
        if params.get("auth"):
            return store.session_user(params["auth"], refresh=False)
    return None


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


# --- functions ---------------------------------------------------------------

def func_auth(store, params):
    """``func=auth&username=U&password=P`` -> ``{"doc": {"auth": {"$id": SID, "$": SID}}}``."""
    username = params.get("username", "")
    if not store.check_password(username, params.get("password", "")):
        raise wire.ApiError("auth", "badpassword", "Invalid username or password", username)
    sid = store.new_session(username)
    return {"doc": {"auth": {"$id": sid, "$": sid}}}


# One row of ``func=soft`` as JSON text. Localized cells carry the machine value
# in ``$orig``. Built with string formatting: 10,000 rows must take well under 0.2 s.
ELEM_TEMPLATE = ('{"id":{"$":"%d"},"licname":%s,"ip":%s,"pricelist":{"$orig":"%d","$":%s},'
                 '"createdate":%s,"expiredate":%s,"autoprolong":%s,"status":{"$orig":"%d","$":"%s"},'
                 '"cost":{"$":"%.2f"}}')
AUTOPROLONG_OFF = '{"$orig":"null","$":"Off"}'


def list_elem(lic, prices):
    autoprolong = lic.get("autoprolong")
    pricelist = lic["pricelist"]
    period = lic.get("period", 1)
    return ELEM_TEMPLATE % (
        lic["id"],
        wire.text_json(lic["licname"]),
        wire.text_json(lic["ip"]),
        pricelist,
        wire.quote(wire.CATALOG[pricelist][0] if pricelist in wire.CATALOG else "Tariff %s" % pricelist),
        wire.text_json(lic.get("createdate")),
        wire.text_json(lic.get("expiredate")),
        AUTOPROLONG_OFF if not autoprolong else '{"$orig":"%d","$":%s}' % (
            autoprolong, wire.quote(wire.AUTOPROLONG_NAMES.get(autoprolong, str(autoprolong)))),
        lic["status"],
        wire.STATUS_NAMES.get(lic["status"], "Unknown"),
        wire.period_cost(pricelist, lic.get("addons"), period if period in wire.ORDER_PERIODS else 1, prices),
    )


def func_soft(store, user, params):
    """The caller's licenses, deleted ones included, without keys.

    Quirk kept on purpose: one license gives ``elem`` as an object, none gives
    no ``elem`` at all (the way BILLmanager's XML-to-JSON conversion behaves).
    """
    now = time.time()
    changed = False
    for lic in store.licenses.values():
        if lic["status"] == wire.STATUS_PROCESSING and lic["owner"] == user:
            changed = store.advance(lic, now) or changed
    if changed:
        store.save()
    cached = store.list_cache.get(user)
    if cached is not None and cached[0] == store.version:
        return cached[1]
    rows = [list_elem(lic, store.prices) for lic in store.licenses.values() if lic["owner"] == user]
    if not rows:
        answer = wire.Raw('{"doc":{}}')
    elif len(rows) == 1:
        answer = wire.Raw('{"doc":{"elem":%s}}' % rows[0])
    else:
        answer = wire.Raw('{"doc":{"elem":[%s]}}' % ",".join(rows))
    store.list_cache[user] = (store.version, answer)
    return answer


def func_soft_edit(store, user, params):
    """Read (no ``sok``), change ip/licname, or ``clicked_button=newkey`` for a new key."""
    lic = store.owned(user, params.get("elid", ""))
    if not committed(params):
        doc = {
            "elid": {"$": str(lic["id"])},
            "licname": wire.text(lic["licname"]),
            "ip": wire.text(lic["ip"]),
            "pricelist": {"$": str(lic["pricelist"])},
            "status": {"$": str(lic["status"])},
            "createdate": wire.text(lic.get("createdate")),
            "expiredate": wire.text(lic.get("expiredate")),
            "autoprolong": {"$": str(lic["autoprolong"]) if lic.get("autoprolong") else "null"},
            "period": {"$": str(lic.get("period", 1))},
            "lickey": wire.text(lic.get("lickey")),
            "remoteid": wire.text(lic.get("remoteid")),
        }
        for addon_id, amount in sorted((lic.get("addons") or {}).items()):
            doc["addon_%s" % addon_id] = {"$": str(amount)}
        return {"doc": doc}
    if params.get("clicked_button") == "newkey":
        if lic["status"] != wire.STATUS_ACTIVE:
            raise deny(lic, "issue a new key for")
        lic["lickey"] = new_key()
        store.save()
        return wire.ok_doc(lickey=lic["lickey"])
    if lic["status"] == wire.STATUS_DELETED:
        raise deny(lic, "edit")
    ip = wire.parse_ip(params, required=False) or lic["ip"]
    licname = params.get("licname", "").strip() or lic["licname"]
    if ip != lic["ip"]:
        store.check_ip_free(ip, lic["pricelist"], exclude_id=lic["id"])
    if (ip, licname) != (lic["ip"], lic["licname"]):
        lic["ip"], lic["licname"] = ip, licname
        store.save()
    return wire.ok_doc(id=lic["id"])


def validate_order(store, params):
    """Checks shared by ``soft.order.param`` and ``soft.checkip``, in BILLmanager's order."""
    pricelist = wire.parse_pricelist(params)
    ip = wire.parse_ip(params)
    period = wire.parse_period(params, wire.ORDER_PERIODS)
    return pricelist, ip, period


def func_order(store, user, params):
    """Order a license; with ``skipbasket=on`` pay now, else put it in the cart (status 1)."""
    if not committed(params):
        # The order form: echoes the fields, creates nothing.
        doc = {name: wire.text(params.get(name)) for name in ("pricelist", "period", "ip", "licname", "skipbasket")}
        doc["autoprolong"] = wire.text(params.get("autoprolong") or "null")
        if params.get("pricelist"):
            pricelist = wire.parse_pricelist(params)
            node_addon = wire.CATALOG[pricelist][1]
            if node_addon:
                doc["addon_%s" % node_addon] = {"$": params.get("addon_%s" % node_addon) or "0"}
        return {"doc": doc}
    pricelist, ip, period = validate_order(store, params)
    addons = wire.parse_addons(params, pricelist)
    autoprolong = wire.parse_autoprolong(params)
    store.check_ip_free(ip, pricelist)
    licname = params.get("licname", "").strip() or ip
    day = wire.today()
    fields = dict(licname=licname, ip=ip, pricelist=pricelist, addons=addons, period=period,
                  autoprolong=autoprolong, owner=user, createdate=day.isoformat(), lickey="",
                  ordered_at=time.time(), remoteid=params.get("remoteid") or None)
    if params.get("skipbasket") == "on":
        store.charge(user, wire.period_cost(pricelist, addons, period, store.prices))
        fields.update(status=wire.STATUS_PROCESSING, expiredate=wire.period_end(day, period))
    else:
        # In the cart: not paid, not processed; BILLmanager shows the order date as end date.
        fields.update(status=wire.STATUS_ORDERED, expiredate=day.isoformat())
    lic = store.create(**fields)
    store.save()
    return wire.ok_doc(id=lic["id"])


def func_checkip(store, user, params):
    """Would an order of ``pricelist`` on ``ip`` pass? ``ok`` or the order's error."""
    pricelist, ip, _period = validate_order(store, params)
    store.check_ip_free(ip, pricelist)
    return wire.ok_doc()


def func_prolong(store, user, params):
    """Renew: from the old end date while active/processing, from today when suspended."""
    lic = store.owned(user, params.get("elid", ""))
    default = lic.get("period") if lic.get("period") in wire.PROLONG_PERIODS else 1
    period = wire.parse_period(params, wire.PROLONG_PERIODS, default=default)
    if lic["status"] in (wire.STATUS_DELETED, wire.STATUS_ORDERED):
        raise deny(lic, "renew")
    cost = wire.period_cost(lic["pricelist"], lic.get("addons"), period, store.prices)
    if lic["status"] == wire.STATUS_SUSPENDED:
        start = wire.today()
    else:
        start = wire.parse_date(lic.get("expiredate"))
    newexpiredate = wire.period_end(start, period)
    if not committed(params):
        return {"doc": {"elid": {"$": str(lic["id"])}, "period": {"$": str(period)},
                        "cost": {"$": "%.2f" % cost}, "newexpiredate": {"$": newexpiredate}}}
    store.charge(user, cost)
    lic["expiredate"] = newexpiredate
    if lic["status"] == wire.STATUS_SUSPENDED:
        lic["status"] = wire.STATUS_ACTIVE
        if not lic.get("lickey"):
            lic["lickey"] = new_key()
    store.save()
    return wire.ok_doc(newexpiredate=newexpiredate)


def _group(store, user, params, allowed, action, new_status):
    """Suspend/resume/delete every listed license, or none when one of them refuses."""
    lics = [store.owned(user, elid) for elid in elids(params)]
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


def func_suspend(store, user, params):
    """Active or suspended -> suspended (suspending twice is fine); processing refuses."""
    return _group(store, user, params, (wire.STATUS_ACTIVE, wire.STATUS_SUSPENDED), "suspend", wire.STATUS_SUSPENDED)


def func_resume(store, user, params):
    """Suspended -> active; active/processing stay as they are; deleted/ordered refuse."""
    return _group(store, user, params, (wire.STATUS_ACTIVE, wire.STATUS_SUSPENDED, wire.STATUS_PROCESSING),
                  "resume", wire.STATUS_ACTIVE)


def func_delete(store, user, params):
    """Any status but deleted -> deleted (stays listed, key cleared). Needs ``sok``."""
    if not committed(params):
        lics = [store.owned(user, elid) for elid in elids(params)]
        return {"doc": {"elid": {"$": ", ".join(str(lic["id"]) for lic in lics)}}}
    return _group(store, user, params, (wire.STATUS_ORDERED, wire.STATUS_ACTIVE, wire.STATUS_SUSPENDED,
                                        wire.STATUS_PROCESSING), "delete", wire.STATUS_DELETED)


def func_changepricelist(store, user, params):
    """Move a license to another tariff (no charge in the sandbox); the ``exists`` rule applies."""
    lic = store.owned(user, params.get("elid", ""))
    pricelist = wire.parse_pricelist(params)
    period = wire.parse_period(params, wire.ORDER_PERIODS, default=lic.get("period", 1))
    if lic["status"] == wire.STATUS_DELETED:
        raise deny(lic, "change the tariff of")
    if not committed(params):
        return {"doc": {"elid": {"$": str(lic["id"])}, "pricelist": {"$": str(pricelist)},
                        "period": {"$": str(period)}}}
    if pricelist != lic["pricelist"]:
        store.check_ip_free(lic["ip"], pricelist, exclude_id=lic["id"])
        node_addon = wire.CATALOG[pricelist][1]
        lic["addons"] = {k: v for k, v in (lic.get("addons") or {}).items() if k == str(node_addon)}
    lic["pricelist"] = pricelist
    lic["period"] = period
    store.save()
    return wire.ok_doc(id=lic["id"])


FUNCTIONS = {
    "soft": func_soft,
    "soft.edit": func_soft_edit,
    "soft.order.param": func_order,
    "soft.checkip": func_checkip,
    "service.prolong": func_prolong,
    "soft.suspend": func_suspend,
    "soft.resume": func_resume,
    "soft.delete": func_delete,
    "service.changepricelist": func_changepricelist,
}
