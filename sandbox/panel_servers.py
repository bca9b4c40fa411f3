# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The vendor's two other servers, played by the sandbox: a download mirror and a license server.

A panel host meets ISPsystem twice besides billing: it downloads the panel's
installer from a mirror, and the panel's ``licctl`` fetches the license from
a license server, which checks the IP the request comes from against the IP
the license is bound to.  Both live in the sandbox's HTTP server, next to the
billing API, and read the same licenses:

- ``GET /mirror/install.sh``: the installer (``sandbox/panel/install.sh``),
  a POSIX shell script, with this server's URLs filled in;
  ``GET /mirror/licctl``: the ``licctl`` it installs (``sandbox/panel/licctl.py``).
  ``HEAD`` answers the same headers (``get_url`` in check mode sends it).
- ``POST /licserver/fetch`` (form fields ``mgr``, ``key`` optional): grants
  the license when the key belongs to an active, unexpired license of that
  panel bound to the IP the connection comes from (without a key: the active
  license of that panel on that IP).  200 ``{"ok": true, "license": {...}}``,
  or 403 ``{"ok": false, "error": REASON}``.

Every mirror and license-server request is logged (keys never are); the
control API shows the log at ``GET /sandbox/panel``.
"""

import datetime
import ipaddress
import json
import os
import re
import threading
import time
from urllib.parse import parse_qsl

import sandbox_wire as wire

PANEL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "panel")
MIRROR_FILES = {
    # path -> (file under sandbox/panel/, content type, templated)
    "/mirror/install.sh": ("install.sh", "text/x-shellscript; charset=utf-8", True),
    "/mirror/licctl": ("licctl.py", "text/x-python; charset=utf-8", False),
}
PREFIXES = ("/mirror/", "/licserver/")
_LOG_LOCK = threading.Lock()

# The panel (licctl's <mgr>) each product line belongs to, by the catalog name's first word.
MGR_BY_LINE = {
    "ISPmanager": "ispmgr",
    "BILLmanager": "billmgr",
    "VMmanager": "vmmgr",
    "DCImanager": "dcimgr",
    "DNSmanager": "dnsmgr",
    "IPmanager": "ipmgr",
}
MGR_NAME = re.compile(r"^[a-z][a-z0-9]{1,31}$")
# What may go from a Host header into the installer's text: a host name or an IP, and a port.
SAFE_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$")


def handles(path):
    """True for the paths of the mirror and the license server."""
    return path.startswith(PREFIXES)


def mgr_of(pricelist):
    """The panel a tariff licenses (``ispmgr``, ...), None for a tariff not in the catalog."""
    entry = wire.CATALOG.get(pricelist)
    return MGR_BY_LINE.get(entry[0].split()[0]) if entry else None


class PanelLog:
    """Mirror downloads and license-server requests, in arrival order."""

    def __init__(self):
        self.lock = threading.Lock()
        self.entries = []

    def add(self, **entry):
        with self.lock:
            entry = dict(entry, seq=len(self.entries) + 1, time=time.time())
            self.entries.append(entry)
            return entry

    def snapshot(self):
        with self.lock:
            return [dict(entry) for entry in self.entries]

    def clear(self):
        with self.lock:
            self.entries = []


def panel_log(server):
    """The log of ``server`` (made on first use, so the server needs no change for it)."""
    with _LOG_LOCK:
        log = getattr(server, "panel_log", None)
        if log is None:
            log = server.panel_log = PanelLog()
        return log


def serve(handler, method, path, query, body):
    """Answer a mirror or license-server request on ``handler`` (a sandbox ``Handler``)."""
    if path.startswith("/mirror/"):
        return serve_mirror(handler, method, path)
    if path == "/licserver/fetch" and method == "POST":
        return serve_fetch(handler, query, body)
    return send_json(handler, 404 if method in ("GET", "POST", "HEAD") else 405,
                     {"ok": False, "error": "no such resource: %s %s" % (method, path)}, method)


# --- the mirror ------------------------------------------------------------------

def base_url(handler):
    """This server's URL as the client addressed it (the Host header), e.g. ``http://127.0.0.1:4711``."""
    scheme = "https" if handler.server.ssl_context is not None else "http"
    host = (handler.headers.get("Host") or "").strip()
    if not SAFE_HOST.match(host):
        address, port = handler.server.server_address[:2]
        host = "[%s]:%d" % (address, port) if ":" in address else "%s:%d" % (address, port)
    return "%s://%s" % (scheme, host)


def serve_mirror(handler, method, path):
    log = panel_log(handler.server)
    entry = MIRROR_FILES.get(path)
    if method not in ("GET", "HEAD"):
        return send_json(handler, 405, {"ok": False, "error": "the mirror only serves GET and HEAD"}, method)
    if entry is None:
        log.add(server="mirror", method=method, path=path, client=handler.client_address[0], status=404)
        return send(handler, 404, b"404 Not Found\n", "text/plain; charset=utf-8", method)
    name, content_type, templated = entry
    with open(os.path.join(PANEL_DIR, name), encoding="utf-8") as handle:
        text = handle.read()
    if templated:
        base = base_url(handler)
        text = text.replace("@@MIRROR_URL@@", base + "/mirror").replace("@@LICSERVER_URL@@", base + "/licserver")
    log.add(server="mirror", method=method, path=path, client=handler.client_address[0], status=200)
    return send(handler, 200, text.encode("utf-8"), content_type, method)


# --- the license server ------------------------------------------------------------

class Refusal(Exception):
    """The license server says no; the message is what licctl prints."""


def serve_fetch(handler, query, body):
    params = dict(parse_qsl(query, keep_blank_values=True))
    params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    mgr = params.get("mgr", "").strip()
    key = params.get("key", "").strip()
    client = handler.client_address[0].split("%")[0]
    if client.startswith("::ffff:"):
        client = client[len("::ffff:"):]
    log = panel_log(handler.server)
    if not MGR_NAME.match(mgr):
        log.add(server="licserver", path="/licserver/fetch", client=client, mgr=mgr, key_given=bool(key),
                result="bad request", license=None)
        return send_json(handler, 400, {"ok": False, "error": "mgr: expected a panel name such as ispmgr, got %r"
                                        % mgr})
    try:
        lic = grant(handler.server.store, mgr, key, client)
    except Refusal as refusal:
        log.add(server="licserver", path="/licserver/fetch", client=client, mgr=mgr, key_given=bool(key),
                result="refused", reason=str(refusal), license=None)
        return send_json(handler, 403, {"ok": False, "error": str(refusal)})
    log.add(server="licserver", path="/licserver/fetch", client=client, mgr=mgr, key_given=bool(key),
            result="granted", license=lic["id"])
    return send_json(handler, 200, {"ok": True, "license": lic})


def grant(store, mgr, key, client):
    """The license ``client`` may hold for ``mgr`` (a dict for licctl), or raise Refusal."""
    with store.lock:
        changed = False
        for lic in store.licenses.values():
            changed = store.advance(lic) or changed
        if changed:
            store.save()
        live = [lic for lic in store.licenses.values() if lic["status"] != wire.STATUS_DELETED]
        if key:
            matches = [lic for lic in live if lic.get("lickey") and lic["lickey"] == key]
            if not matches:
                raise Refusal("invalid license key: no license has this key")
            lic = matches[0]
            if not same_ip(lic["ip"], client):
                raise Refusal("license %d is bound to IP %s, but this request comes from %s"
                              % (lic["id"], lic["ip"], client))
        else:
            matches = [lic for lic in live if same_ip(lic["ip"], client) and mgr_of(lic["pricelist"]) in (mgr, None)]
            if not matches:
                raise Refusal("no %s license is bound to IP %s" % (mgr, client))
            active = [lic for lic in matches if lic["status"] == wire.STATUS_ACTIVE]
            lic = (active or matches)[0]
        lic_mgr = mgr_of(lic["pricelist"])
        if lic_mgr not in (None, mgr):
            raise Refusal("license %d (%s) is for %s, not for %s"
                          % (lic["id"], wire.CATALOG[lic["pricelist"]][0], lic_mgr, mgr))
        status = lic["status"]
        if status == wire.STATUS_SUSPENDED:
            raise Refusal("license %d is suspended" % lic["id"])
        if status == wire.STATUS_PROCESSING:
            raise Refusal("license %d is not issued yet (processing)" % lic["id"])
        if status == wire.STATUS_ORDERED:
            raise Refusal("license %d is not paid yet" % lic["id"])
        if status != wire.STATUS_ACTIVE:
            raise Refusal("license %d is not active (status %s)" % (lic["id"], status))
        if lic["expiredate"] < datetime.date.today().isoformat():
            raise Refusal("license %d expired on %s" % (lic["id"], lic["expiredate"]))
        entry = wire.CATALOG.get(lic["pricelist"])
        return {"id": lic["id"], "mgr": mgr, "ip": lic["ip"], "expiredate": lic["expiredate"],
                "pricelist": lic["pricelist"], "product": entry[0] if entry else None}


def same_ip(one, other):
    try:
        return ipaddress.ip_address(one) == ipaddress.ip_address(other)
    except ValueError:
        return one == other


# --- HTTP -----------------------------------------------------------------------

def send(handler, status, body, content_type, method="GET"):
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if method != "HEAD":
        handler.wfile.write(body)


def send_json(handler, status, obj, method="GET"):
    send(handler, status, json.dumps(obj).encode("utf-8"), "application/json", method)
