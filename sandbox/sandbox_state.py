# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""State of the BILLmanager sandbox: users, sessions, licenses, persistence.

One ``threading.RLock`` (``Store.lock``) guards everything; the API layer takes
it for the whole of one API call, so every call is atomic, as a database
transaction would make it in the real billing system.  After each change the
state is written to the state file atomically (temporary file, then
``os.replace``), so a crash or a SIGKILL never leaves a half-written file and a
restarted sandbox keeps every license (sessions are memory-only, as in real
BILLmanager a restart of the billing core forgets them).
"""

import json
import os
import secrets
import threading
import time

import sandbox_wire as wire

STATE_VERSION = 1

# Fields of the internal license record (``GET /sandbox/licenses`` shows them).
LICENSE_FIELDS = (
    "id", "licname", "ip", "pricelist", "addons", "period", "autoprolong", "status",
    "createdate", "expiredate", "lickey", "owner", "ordered_at", "remoteid", "family",
)
# The IP the pool of parked licenses lives on (ISPsystem's WHMCS module parks
# terminated licenses there as ``free.lic``): the billing takes any number of
# licenses of any tariff on it, so the ``exists`` rule never applies there.
PARK_IP = "0.0.0.0"


def new_key():
    """A license key as the sandbox issues it: 32 random hex characters."""
    return secrets.token_hex(16)


class Store:
    """Users, sessions and licenses; callers hold ``lock`` around any use."""

    def __init__(self, path, users, processing_seconds=1.0, session_ttl=3600, prices=None):
        self.lock = threading.RLock()
        self.path = path
        self.processing_seconds = float(processing_seconds)
        self.session_ttl = float(session_ttl)
        # Price overrides by pricelist/addon id (int) -> monthly price.
        self.prices = {int(k): float(v) for k, v in (prices or {}).items()}
        self.users = {name: {"password": str(u.get("password", "")), "balance": float(u.get("balance", 0.0))}
                      for name, u in users.items()}
        self.sessions = {}  # session id -> [user, time of last request]
        self.licenses = {}  # id -> license dict, in id order
        self.next_id = 1
        # Bumped by every save(), i.e. by every change; the list answer is cached per user
        # and version, so 50 forks listing 10,000 licenses do not rebuild it each time.
        self.version = 0
        self.list_cache = {}
        # Answer shapes the real API may take (all off by default; see README "Shapes").
        self.page_size = None  # rows per list page when the client sends no p_cnt
        self.status_column = False  # status as its own column beside status_msg
        self.localized_dates = None  # None, "english" or "dotted" list dates
        self._load()

    # --- persistence ---------------------------------------------------------

    def _load(self):
        """Read the state file; a missing file starts an empty billing system."""
        if os.path.exists(self.path):
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
            for name, saved in data.get("users", {}).items():
                user = self.users.setdefault(name, {"password": saved.get("password", ""), "balance": 0.0})
                user["balance"] = float(saved.get("balance", user["balance"]))
            for lic in sorted(data.get("licenses", []), key=lambda item: int(item["id"])):
                lic.setdefault("family", wire.family_of(lic.get("pricelist")))  # state files before families
                self.licenses[int(lic["id"])] = lic
            self.next_id = max([int(data.get("next_id", 1))] + [i + 1 for i in self.licenses])
        self.save()

    def save(self):
        """Write the whole state atomically; the caller holds ``lock``. Every change ends here."""
        self.version += 1
        data = {
            "version": STATE_VERSION,
            "next_id": self.next_id,
            "users": self.users,
            "licenses": list(self.licenses.values()),
        }
        tmp = "%s.tmp.%d" % (self.path, os.getpid())
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(wire.dumps(data))
        os.replace(tmp, self.path)

    # --- users and sessions --------------------------------------------------

    def check_password(self, username, password):
        user = self.users.get(username)
        return user is not None and secrets.compare_digest(user["password"], password)

    def new_session(self, username):
        sid = secrets.token_hex(12)
        self.sessions[sid] = [username, time.time()]
        return sid

    def session_user(self, sid, refresh=True):
        """The session's user, or None when unknown or idle for longer than ``session_ttl``."""
        entry = self.sessions.get(sid)
        if entry is None:
            return None
        now = time.time()
        if now - entry[1] > self.session_ttl:
            if refresh:
                del self.sessions[sid]
            return None
        if refresh:
            entry[1] = now
        return entry[0]

    def charge(self, username, amount):
        """Take ``amount`` from the balance or raise the ``balance`` error, taking nothing."""
        user = self.users[username]
        if amount > user["balance"] + 1e-9:
            raise wire.ApiError("balance", "balance",
                                "Insufficient funds on your balance to pay for the order",
                                "%.2f" % amount)
        user["balance"] = round(user["balance"] - amount, 2)

    # --- licenses ------------------------------------------------------------

    def advance(self, lic, now=None):
        """Finish processing lazily: status 5 becomes 2 with a key ``processing_seconds`` after the order.

        Real BILLmanager hands the order to the license server and the key
        appears some time later; ISPsystem's WHMCS module polls ``soft.edit``
        until it does.  Returns True when the license changed (caller saves).
        """
        if lic["status"] != wire.STATUS_PROCESSING:
            return False
        if (now or time.time()) < (lic.get("ordered_at") or 0) + self.processing_seconds:
            return False
        lic["status"] = wire.STATUS_ACTIVE
        if not lic.get("lickey"):
            lic["lickey"] = new_key()
        return True

    def owned(self, username, elid_raw, family=None):
        """The caller's license ``elid`` (advanced); unknown, someone else's or (with ``family``)
        another family's -> ``missed``/``elid``: each family's functions see only its own licenses."""
        try:
            lic = self.licenses.get(int(str(elid_raw).strip()))
        except ValueError:
            lic = None
        if lic is None or lic["owner"] != username or (family is not None and lic.get("family") != family):
            if str(elid_raw).strip() == "":
                raise wire.missed("elid")
            raise wire.ApiError("missed", "elid", "License %s not found" % elid_raw, elid_raw)
        if self.advance(lic):
            self.save()
        return lic

    def ip_taken(self, ip, pricelist, exclude_id=None):
        """The ``exists`` rule: one non-deleted license of a tariff per IP (across all resellers),
        except on the parking IP 0.0.0.0 and for licenses without an IP (``platform``)."""
        if not ip or ip == PARK_IP:
            return False
        for lic in self.licenses.values():
            if (lic["ip"] == ip and lic["pricelist"] == pricelist and lic["status"] != wire.STATUS_DELETED
                    and lic["id"] != exclude_id):
                return True
        return False

    def check_ip_free(self, ip, pricelist, exclude_id=None):
        if self.ip_taken(ip, pricelist, exclude_id):
            raise wire.ApiError("exists", "ip", "A license of this type for IP %s already exists" % ip, ip)

    def check_trial_free(self, lic_family, pricelist, ip, owner):
        """One trial per product: per IP for IP-bound licenses (any reseller, any status, deleted
        ones too: a trial is not handed out twice), per reseller for ``platform``."""
        for lic in self.licenses.values():
            if lic["pricelist"] != pricelist or lic.get("period") != wire.TRIAL:
                continue
            if ip and lic["ip"] == ip:
                raise wire.ApiError("exists", "ip", "A trial of tariff plan %s was already used on IP %s"
                                    % (pricelist, ip), ip)
            if not ip and lic["owner"] == owner and lic.get("family") == lic_family:
                raise wire.ApiError("exists", "pricelist", "A trial of tariff plan %s was already used"
                                    % pricelist, pricelist)

    def create(self, **fields):
        """Add a license with the next id; defaults fill missing fields. The caller saves."""
        lic_id = self.next_id
        self.next_id += 1
        day = wire.today()
        lic = {
            "id": lic_id,
            "licname": "",
            "ip": "",
            "pricelist": 3541,
            "addons": {},
            "period": 1,
            "autoprolong": None,
            "status": wire.STATUS_ACTIVE,
            "createdate": day.isoformat(),
            "expiredate": wire.add_months(day, 1).isoformat(),
            "lickey": "",
            "owner": "reseller",
            "ordered_at": time.time(),
            "remoteid": None,
        }
        lic.update(fields)
        lic["id"] = lic_id
        if not lic.get("family"):
            lic["family"] = wire.family_of(lic["pricelist"])
        self.licenses[lic_id] = lic
        return lic
