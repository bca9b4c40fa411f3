# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""licctl as the BILLmanager sandbox's installer puts it under <root>/sbin/licctl.

    licctl fetch <mgr> [<key>]   fetch the panel's license from the license server
                                 (the key: the argument, else LICCTL_KEY; none: the
                                 license bound to the IP the request comes from)
    licctl info <mgr>            show the license the panel holds ("ID: 0": none)

The installer writes the shebang line (the Python 3 it found) and
``<root>/etc/licctl.conf``: ``licserver=`` (the license server's URL, from
the mirror that served the installer) and ``source_ip=`` (the address to
connect from; empty lets the system choose). ``LICCTL_SOURCE_IP`` in the
environment wins over the file. The license server checks the address the
request comes from against the IP the license is bound to; on one test
machine every panel host is a loopback address (127.x.y.z), hence the
source address.

A fetched license is kept in ``<root>/etc/<mgr>.lic`` (JSON, with its id).
Exit codes: 0 success, 1 usage, 2 the license server refused (its reason is
printed), 3 the license server could not be reached.
"""

import http.client
import json
import os
import re
import socket
import sys
import time
from urllib.parse import urlencode, urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MGR_NAME = re.compile(r"^[a-z][a-z0-9]{1,31}$")
USAGE = "usage: licctl fetch <mgr> [<key>] | licctl info <mgr>"


def read_conf():
    conf = {}
    try:
        with open(os.path.join(ROOT, "etc", "licctl.conf"), encoding="utf-8") as handle:
            for line in handle:
                name, sep, value = line.strip().partition("=")
                if sep and not name.startswith("#"):
                    conf[name.strip()] = value.strip()
    except OSError:
        pass
    if os.environ.get("LICCTL_SOURCE_IP"):
        conf["source_ip"] = os.environ["LICCTL_SOURCE_IP"]
    return conf


def lic_path(mgr):
    return os.path.join(ROOT, "etc", "%s.lic" % mgr)


def ask_license_server(url, mgr, key, source_ip, timeout=30):
    """POST <url>/fetch from ``source_ip``; returns (HTTP status, decoded JSON answer)."""
    parts = urlsplit(url)
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    source = (source_ip, 0) if source_ip else None
    connection = connection_class(parts.hostname, parts.port, timeout=timeout, source_address=source)
    fields = {"mgr": mgr}
    if key:
        fields["key"] = key
    try:
        connection.request("POST", parts.path.rstrip("/") + "/fetch", body=urlencode(fields),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
    finally:
        connection.close()
    try:
        return response.status, json.loads(text)
    except ValueError:
        return response.status, {"ok": False, "error": "HTTP %d: %s" % (response.status, text[:200])}


def fetch(mgr, key):
    conf = read_conf()
    url = conf.get("licserver")
    if not url:
        sys.stderr.write("licctl: no license server configured in %s\n" % os.path.join(ROOT, "etc", "licctl.conf"))
        return 3
    source_ip = conf.get("source_ip") or None
    try:
        status, answer = ask_license_server(url, mgr, key, source_ip)
    except (OSError, socket.timeout, http.client.HTTPException) as err:
        sys.stderr.write("licctl: cannot reach the license server %s%s: %s\n"
                         % (url, " from %s" % source_ip if source_ip else "", err))
        return 3
    if status != 200 or not answer.get("ok"):
        sys.stderr.write("licctl: the license server refused the license for %s: %s\n"
                         % (mgr, answer.get("error") or "HTTP %d" % status))
        return 2
    lic = dict(answer["license"], fetched=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    path = lic_path(mgr)
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(lic, handle, indent=1, sort_keys=True)
        handle.write("\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    print("License %s for %s on %s fetched, valid until %s" % (lic["id"], mgr, lic["ip"], lic["expiredate"]))
    return 0


def info(mgr):
    try:
        with open(lic_path(mgr), encoding="utf-8") as handle:
            lic = json.load(handle)
    except (OSError, ValueError):
        print("ID: 0")
        return 0
    print("ID: %s" % lic.get("id", 0))
    print("Panel: %s" % mgr)
    print("IP: %s" % lic.get("ip", ""))
    print("Product: %s" % (lic.get("product") or ""))
    print("Expires: %s" % lic.get("expiredate", ""))
    return 0


def main(argv):
    if os.environ.get("PANEL_ARGV_LOG"):  # sandbox only: tests check that no key is there
        with open(os.environ["PANEL_ARGV_LOG"], "a", encoding="utf-8") as handle:
            handle.write("licctl %s\n" % " ".join(argv))
    if len(argv) >= 2 and argv[0] == "fetch" and len(argv) <= 3 and MGR_NAME.match(argv[1]):
        return fetch(argv[1], argv[2] if len(argv) == 3 else os.environ.get("LICCTL_KEY") or None)
    if len(argv) == 2 and argv[0] == "info" and MGR_NAME.match(argv[1]):
        return info(argv[1])
    sys.stderr.write(USAGE + "\n")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
