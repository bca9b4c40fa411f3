# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The license-reselling functions of the BILLmanager API, as the sandbox answers them.

``execute(store, params)`` takes the merged request parameters and returns the
answer tree (``{"doc": ...}`` in the ``$`` convention, see ``sandbox_render``),
which the server renders in the format ``out`` asks for.  API errors are
returned as error documents, never raised: BILLmanager answers them with HTTP
200 and an ``error`` element.

The per-family functions (``soft*``, ``platform*``, ``softexternal*``) are in
``sandbox_licenses``; this module has authentication, dispatch and the two
``service.*`` functions that serve every family.
"""

import sandbox_families as families
import sandbox_licenses as licenses
import sandbox_wire as wire
from sandbox_licenses import committed, deny
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


def func_auth(store, params):
    """``func=auth&username=U&password=P`` -> ``{"doc": {"auth": {"$id": SID, "$": SID}}}``."""
    username = params.get("username", "")
    if not store.check_password(username, params.get("password", "")):
        raise wire.ApiError("auth", "badpassword", "Invalid username or password", username)
    sid = store.new_session(username)
    return {"doc": {"auth": {"$id": sid, "$": sid}}}


# --- service.*: every family ----------------------------------------------------------

def is_trial(lic):
    return lic.get("period") == wire.TRIAL or wire.tariff_periods(lic["pricelist"]) == (wire.TRIAL,)


def func_prolong(store, user, params):
    """Renew: from the old end date while active/processing, from today when suspended.

    The answer holds ``newexpiredate`` twice: at ``doc/newexpiredate`` (what the
    sandbox always answered) and at ``doc/doc/newexpiredate``, where ISPsystem's
    own WHMCS module reads it (the real billing nests a ``doc`` in the answer).
    A trial is not renewed: the license has to change to a paid tariff.
    """
    lic = store.owned(user, params.get("elid", ""))
    allowed = [p for p in wire.PROLONG_PERIODS if p in wire.tariff_periods(lic["pricelist"])] \
        or list(wire.PROLONG_PERIODS)
    default = lic.get("period") if lic.get("period") in allowed else allowed[0]
    if lic["status"] in (wire.STATUS_DELETED, wire.STATUS_ORDERED):
        raise deny(lic, "renew")
    if is_trial(lic):
        raise wire.ApiError("value", "period", "A trial license cannot be renewed; change its tariff plan "
                            "to a paid one instead", params.get("period", ""))
    period = wire.parse_period(params, allowed, default=default)
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
    return {"doc": {"ok": {}, "newexpiredate": {"$": newexpiredate},
                    "doc": {"newexpiredate": {"$": newexpiredate}}}}


def changepricelist_cost(store, lic, pricelist, addons, period):
    """(cost, new expiredate) of a tariff change.

    From a paid license: the difference of the monthly prices for the paid
    time left, by day (a 30-day month), the end date kept; a cheaper tariff
    refunds nothing (a documented simplification: a billing would credit it).
    From a trial: the full price of ``period`` of the new tariff, which starts
    today (the trial's free time ends).
    """
    if is_trial(lic):
        return wire.period_cost(pricelist, addons, period, store.prices), wire.period_end(wire.today(), period)
    difference = (wire.monthly_price(pricelist, addons, store.prices)
                  - wire.monthly_price(lic["pricelist"], lic.get("addons"), store.prices))
    return round(max(0.0, difference) * wire.days_left(lic.get("expiredate")) / 30.0, 2), lic.get("expiredate")


def func_changepricelist(store, user, params):
    """Move a license to another tariff of its family; charged, the key stays; the ``exists`` rule applies."""
    lic = store.owned(user, params.get("elid", ""))
    pricelist = wire.parse_pricelist(params)
    target = wire.CATALOG[pricelist]
    if target.family != lic.get("family"):
        msg = "Tariff plan %s is a %s tariff; license %s is %s: the tariff can only change within one family" % (
            pricelist, target.family, lic["id"], lic.get("family"))
        raise wire.bad_value("pricelist", pricelist, msg)
    if target.periods == (wire.TRIAL,):
        raise wire.bad_value("pricelist", pricelist, "Tariff plan %s is a trial; a license cannot change to a "
                             "trial" % pricelist)
    period = wire.parse_period(params, wire.ORDER_PERIODS, default=lic.get("period", 1))
    if period not in target.periods or period == wire.TRIAL:
        raise wire.bad_value("period", period, "Period %s is not available for tariff plan %s"
                             % (period, pricelist))
    if lic["status"] == wire.STATUS_DELETED:
        raise deny(lic, "change the tariff of")
    addons = {k: v for k, v in (lic.get("addons") or {}).items() if int(k) in target.addons.values()}
    cost, expiredate = changepricelist_cost(store, lic, pricelist, addons, period)
    if not committed(params):
        return {"doc": {"elid": {"$": str(lic["id"])}, "pricelist": {"$": str(pricelist)},
                        "period": {"$": str(period)}, "cost": {"$": "%.2f" % cost}}}
    if pricelist != lic["pricelist"]:
        store.check_ip_free(lic["ip"], pricelist, exclude_id=lic["id"])
    store.charge(user, cost)
    lic.update(pricelist=pricelist, period=period, addons=addons, expiredate=expiredate)
    store.save()
    return wire.ok_doc(id=lic["id"])


def _bind(handler, family):
    return lambda store, user, params: handler(family, store, user, params)


def build_functions():
    """``func`` -> handler, from the family table: one row per family, no per-family code here."""
    table = {"service.prolong": func_prolong, "service.changepricelist": func_changepricelist}
    for family in families.FAMILIES.values():
        for func in families.family_functions(family):
            action = func[len(family.name):]
            table[func] = _bind(licenses.HANDLERS[action], family)
    return table


FUNCTIONS = build_functions()
