# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The product catalog: tariff names, ids, addons, periods, and the status names of a license.

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


# product name -> (pricelist, node addon).  The vendor's reseller guide lists
# the v5 tariffs; ISPmanager 6 tariffs come from ispmanager.com's reseller docs.
CATALOG = {
    'ispmanager_lite': (3541, None),
    'ispmanager_business': (4601, 4602),
    'billmanager': (5577, None),
    'billmanager_corporate': (5579, None),
    'vmmanager_kvm': (3045, 3049),
    'vmmanager_cloud': (3887, 3889),
    'vmmanager_ovz': (3651, 3698),
    'dcimanager': (3934, None),
    'dcimanager_enterprise': (3936, None),
    'dnsmanager': (3136, None),
    'ipmanager': (2891, None),
    'ispmanager6_lite': (55227, None),
    'ispmanager6_pro': (55228, None),
    'ispmanager6_host': (55229, None),
    'ispmanager6_business': (55230, 55236),
}
PRODUCTS = frozenset(CATALOG)
PRODUCT_BY_PRICELIST = dict((pricelist, name) for name, (pricelist, _addon) in CATALOG.items())
NODE_ADDON_BY_PRICELIST = dict((pricelist, addon) for pricelist, addon in CATALOG.values())

PERIODS = (1, 12)  # months, as the reseller guide allows for orders and renewals
STATUS_NAMES = {'1': 'ordered', '2': 'active', '3': 'suspended', '4': 'deleted', '5': 'processing'}
STATUS_CHOICES = tuple(sorted(STATUS_NAMES.values())) + ('unknown',)


def resolve_pricelist(params):
    """The tariff id the options name (``product`` or ``pricelist``), or None."""
    if params.get('product'):
        return CATALOG[params['product']][0]
    return params.get('pricelist')


def tariff_option_spec():
    """The options that name a tariff: a catalog name or a raw id."""
    return dict(
        product=dict(type='str', choices=sorted(PRODUCTS)),
        pricelist=dict(type='int'),
    )
