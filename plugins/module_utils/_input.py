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

from ansible_collections.ispsystem.billmanager.plugins.module_utils._catalog import (
    ADDON_NAMES,
    FAMILIES,
    PRODUCT_BY_PRICELIST,
    PRODUCTS,
    TRIAL,
)
from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import LicenseError

# The billing's limit on a license name is not published; 255 is the length of
# its name columns in every BILLmanager form we have seen.
LICNAME_MAX = 255
_ADDON_LABELS = {'nodes': 'node', 'vms': 'VM'}
_CONTROL = re.compile(u'[\x00-\x1f\x7f-\x9f]')


def normalize_ip(option, ip):
    """Return ``ip`` in its canonical text form, or fail naming the option.

    An IPv4-mapped IPv6 address (``::ffff:192.0.2.1``) is the IPv4 address:
    that is the one a license can be bound to.  A zone id (``fe80::1%eth0``)
    names an interface of this machine, which means nothing to the billing.
    """
    text = u'%s' % ip if ip is not None else u''
    if '%' in text:
        raise LicenseError("%s: '%s' has a zone id (after %%); give the address alone" % (option, ip))
    try:
        address = ipaddress.ip_address(text.strip())
    except (ValueError, AttributeError):
        raise LicenseError("%s: '%s' is not a valid IPv4 or IPv6 address" % (option, ip))
    mapped = getattr(address, 'ipv4_mapped', None)
    return str(mapped or address)


def normalize_licname(option, name):
    """The name trimmed as the billing stores it; fail on an empty, too long or control-character name."""
    name = name.strip()
    if name == '':
        raise LicenseError("%s: '' is empty; leave it out or give a name" % option)
    if _CONTROL.search(name):
        raise LicenseError('%s: %r holds a control character (a newline, a tab, ...); the billing '
                           'stores names on one line' % (option, name))
    if len(name) > LICNAME_MAX:
        raise LicenseError('%s: %d characters is longer than the billing accepts (%d)'
                           % (option, len(name), LICNAME_MAX))
    return name


def order_addons(params, pricelist):
    """The ``addon_<id>`` amounts of an order, from the named addons (``nodes``, ``vms``) and ``addons``."""
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
    product = PRODUCT_BY_PRICELIST.get(pricelist) if pricelist else None
    for name in ADDON_NAMES:
        amount = params.get(name)
        if amount is None:
            continue
        if amount < 0:
            raise LicenseError('%s: %s is negative' % (name, amount))
        if pricelist is None:
            continue  # no tariff given: the amount is only checked, nothing is ordered
        if product is None:
            raise LicenseError('%s: pricelist %s is not in the catalog, so its addon ids are '
                               'unknown; give the amount in addons instead' % (name, pricelist))
        if name not in product.addons:
            with_it = sorted(p.name for p in PRODUCTS.values() if name in p.addons)
            raise LicenseError("%s: product '%s' has no %s addon (products with one: %s)"
                               % (name, product.name, _ADDON_LABELS[name], ', '.join(with_it)))
        addons[product.addons[name]] = amount
    return addons


def order_period(params, pricelist, family):
    """The ``period`` an order (or a renewal) sends: months, or -100 for a trial; checked against the catalog."""
    product = PRODUCT_BY_PRICELIST.get(pricelist) if pricelist else None
    period, trial = params.get('period', 1), params.get('trial', False)
    periods = product.periods if product else None
    if product and periods == (TRIAL,):
        if period == 12:
            raise LicenseError("period: 12 does not apply to product '%s', which is sold as a trial only; "
                               "leave period out" % product.name)
        return -100, True
    if trial:
        if product and TRIAL not in periods:
            trials = sorted(p.name for p in PRODUCTS.values() if TRIAL in p.periods)
            raise LicenseError("trial: product '%s' has no trial (products with one: %s)"
                               % (product.name, ', '.join(trials)))
        return -100, True
    if product and period not in periods:
        raise LicenseError("period: %s is not sold for product '%s' (family %s): use %s"
                           % (period, product.name, product.family,
                              ' or '.join(str(p) for p in periods if p != TRIAL)))
    if not product and family == 'softexternal' and period != 1:
        raise LicenseError('period: %s is not sold for family softexternal, which is monthly only: use 1' % period)
    return period, False


def check_family(params, family):
    """Options that the family of the tariff cannot take."""
    if not FAMILIES[family].ip_bound and params.get('ip') is not None:
        what = "product '%s'" % params['product'] if params.get('product') else 'family %s' % family
        raise LicenseError("ip: %s is a platform license, which is not bound to an IP; leave ip out and "
                           "name it with licname" % what)


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
