# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The product catalog and the families of license functions: the one source of both.

Modules (their option choices), the module docs (a test proves the literal
``choices`` equal this), the role (through ``catalog`` in isp_license's
result) and the tests read the catalog from here.  A new product is a row in
``PRODUCTS``; a new family a row in ``FAMILIES``.

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from collections import namedtuple

TRIAL = 'trial'  # the API's period -100: a free trial, which cannot be renewed
TRIAL_PERIOD = -100
MONTHLY = (1,)
MONTHLY_OR_YEARLY = (1, 12)
PERIODS = MONTHLY_OR_YEARLY  # every period an order or a renewal may name, in months

# One family = the functions a tariff is handled with.  ``functions`` maps each
# operation to its API function (None: the API has none).  ``ip_bound``: a
# license of the family is bound to an IP (platform licenses are not, and carry
# a ``comment`` instead of a name: ``name_field``).  ``parkable``: it can sit in
# the reuse pool on 0.0.0.0, which needs an IP.
Family = namedtuple('Family', 'name functions name_field ip_bound parkable')


def _family(name, name_field='licname', ip_bound=True, checkip=None):
    functions = dict(
        list=name, read=name + '.edit', edit=name + '.edit', order=name + '.order.param',
        suspend=name + '.suspend', resume=name + '.resume', delete=name + '.delete',
        renew='service.prolong', tariff='service.changepricelist', checkip=checkip,
    )
    return Family(name, functions, name_field, ip_bound, ip_bound)


FAMILIES = {
    # ISPmanager and every product of the v5 guide.
    'soft': _family('soft', checkip='soft.checkip'),
    # VMmanager 6 and DCImanager 6 ("Reselling of v6 ISPsystem's licenses via API"):
    # no IP, no licname, a comment.  The list and the suspend/resume/delete
    # names follow the soft pattern: a best guess, so a ``missed`` answer to the
    # list is "no such licenses", not a failure (_listing.py).
    'platform': _family('platform', name_field='comment', ip_bound=False),
    # Third-party licenses (CloudLinux, Softaculous, KernelCare): no checkip is documented.
    'softexternal': _family('softexternal'),
}
FAMILY_NAMES = ('soft', 'platform', 'softexternal')  # the order listings are read in

# ``addons``: the named addons (option name -> addon id); ``periods``: what an
# order may ask for (months, and TRIAL); ``panel``: licctl's <mgr> for the
# role, None where the collection knows no activation.
Product = namedtuple('Product', 'name pricelist family addons periods panel note')


def _product(name, pricelist, family='soft', addons=None, periods=MONTHLY_OR_YEARLY, panel=None, note=''):
    return Product(name, pricelist, family, addons or {}, tuple(periods), panel, note)


V5 = 'v5: no longer sold'
PRODUCTS = dict((p.name, p) for p in (
    _product('ispmanager6_lite', 55227, panel='ispmgr'),
    _product('ispmanager6_pro', 55228, panel='ispmgr'),
    _product('ispmanager6_host', 55229, panel='ispmgr'),
    _product('ispmanager6_business', 55230, addons={'nodes': 55236}, panel='ispmgr'),
    _product('ispmanager6_trial', 55239, periods=(TRIAL,), panel='ispmgr'),
    _product('ispmanager6_business_trial', 55240, periods=(TRIAL,), panel='ispmgr'),
    _product('vmmanager6', 55163, family='platform', addons={'nodes': 55165, 'vms': 55164},
             periods=MONTHLY_OR_YEARLY + (TRIAL,)),
    _product('dcimanager6', 55161, family='platform', periods=MONTHLY_OR_YEARLY + (TRIAL,)),
    _product('cloudlinux', 9203, family='softexternal', periods=MONTHLY),
    _product('softaculous', 9204, family='softexternal', periods=MONTHLY),
    _product('kernelcare', 11738, family='softexternal', periods=MONTHLY),
    _product('ispmanager_lite', 3541, panel='ispmgr', note=V5),
    _product('ispmanager_business', 4601, addons={'nodes': 4602}, panel='ispmgr', note=V5),
    _product('billmanager', 5577, panel='billmgr'),
    _product('billmanager_corporate', 5579, panel='billmgr'),
    _product('vmmanager_kvm', 3045, addons={'nodes': 3049}, panel='vmmgr', note='v5'),
    _product('vmmanager_cloud', 3887, addons={'nodes': 3889}, panel='vmmgr', note='v5'),
    _product('vmmanager_ovz', 3651, addons={'nodes': 3698}, panel='vmmgr', note='v5'),
    _product('dcimanager', 3934, panel='dcimgr', note='v5'),
    _product('dcimanager_enterprise', 3936, panel='dcimgr', note='v5'),
    _product('dnsmanager', 3136, panel='dnsmgr'),
    _product('ipmanager', 2891, panel='ipmgr'),
))
PRODUCT_BY_PRICELIST = dict((p.pricelist, p) for p in PRODUCTS.values())
ADDON_NAMES = ('nodes', 'vms')  # the options that give a named addon's amount


STATUS_NAMES = {'1': 'ordered', '2': 'active', '3': 'suspended', '4': 'deleted', '5': 'processing'}
STATUS_CHOICES = tuple(sorted(STATUS_NAMES.values())) + ('unknown',)


def product_name(pricelist):
    """The catalog name of a tariff id, None when the catalog does not list it."""
    product = PRODUCT_BY_PRICELIST.get(pricelist)
    return product.name if product else None


def resolve_pricelist(params):
    """The tariff id the options name (``product`` or ``pricelist``), or None."""
    if params.get('product'):
        return PRODUCTS[params['product']].pricelist
    return params.get('pricelist')


def family_of(params):
    """The family the options name: the product's, else the ``family`` option, else soft."""
    if params.get('product'):
        return PRODUCTS[params['product']].family
    return params.get('family') or 'soft'


def catalog_entry(pricelist):
    """What the catalog knows of a tariff, as a task returns it (``catalog``), or None."""
    product = PRODUCT_BY_PRICELIST.get(pricelist)
    if product is None:
        return None
    return dict(product=product.name, pricelist=product.pricelist, family=product.family,
                panel=product.panel, addons=dict(product.addons),
                periods=[p for p in product.periods if p != TRIAL],
                trial=TRIAL in product.periods, trial_only=product.periods == (TRIAL,))


def tariff_option_spec():
    """The options that name a tariff: a catalog name, or a raw id and its family."""
    return dict(
        product=dict(type='str', choices=sorted(PRODUCTS)),
        pricelist=dict(type='int'),
    )
