# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Checks of the options that apply before any API call, each failing with the option's name.

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import re

from ansible_collections.ispsystem.billmanager.plugins.module_utils._catalog import NODE_ADDON_BY_PRICELIST, PRODUCT_BY_PRICELIST
from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import LicenseError


def normalize_ip(option, ip):
    """Return ``ip`` in its canonical text form, or fail naming the option."""
    try:
        return str(ipaddress.ip_address(u'%s' % ip.strip()))
    except (ValueError, AttributeError):
        raise LicenseError("%s: '%s' is not a valid IPv4 or IPv6 address" % (option, ip))


def order_addons(params, pricelist):
    """The ``addon_<id>`` amounts of an order, from ``nodes`` and ``addons``."""
    addons = {}
    for addon, amount in (params.get('addons') or {}).items():
        if not re.match(r'[0-9]+\Z', str(addon)):
            raise LicenseError("addons: key '%s' is not an addon id (digits only)" % addon)
        try:
            if isinstance(amount, float) and not amount.is_integer():
                raise ValueError(amount)
            amount = int(amount)
        except (TypeError, ValueError, OverflowError):
            raise LicenseError("addons: amount '%s' of addon %s is not a whole number" % (amount, addon))
        if amount < 0:
            raise LicenseError('addons: amount %s of addon %s is negative' % (amount, addon))
        addons[int(addon)] = amount
    nodes = params.get('nodes')
    if nodes is not None:
        addon = NODE_ADDON_BY_PRICELIST.get(pricelist) if pricelist else None
        if nodes < 0:
            raise LicenseError('nodes: %s is negative' % nodes)
        if pricelist is not None and pricelist not in NODE_ADDON_BY_PRICELIST:
            raise LicenseError('nodes: pricelist %s is not in the catalog, so its node addon is '
                               'unknown; give its amount in addons instead' % pricelist)
        if pricelist is not None and addon is None:
            raise LicenseError("nodes: product '%s' has no node addon"
                               % PRODUCT_BY_PRICELIST[pricelist])
        if addon is not None:
            addons[addon] = nodes
    return addons


def check_not_negative(params, *names):
    for name in names:
        if params.get(name) is not None and params[name] < 0:
            raise LicenseError('%s: %s is negative' % (name, params[name]))


def check_ids(params, *names):
    """Ids (of a license, of a tariff) start at 1: fail on anything less, naming the option."""
    check_not_negative(params, *names)
    for name in names:
        if params.get(name) == 0:
            raise LicenseError('%s: 0 is not an id; ids start at 1' % name)
