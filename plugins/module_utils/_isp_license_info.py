# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The operation of ``isp_license_info``: its options and ``run()``, the licenses matching filters.

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

from ansible_collections.ispsystem.billmanager.plugins.module_utils._catalog import (
    FAMILY_NAMES,
    STATUS_CHOICES,
    family_of,
    resolve_pricelist,
    tariff_option_spec,
)
from ansible_collections.ispsystem.billmanager.plugins.module_utils._connection import with_connection_options
from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import LicenseError
from ansible_collections.ispsystem.billmanager.plugins.module_utils._identity import same_canonical_ip
from ansible_collections.ispsystem.billmanager.plugins.module_utils._input import check_ids, check_not_negative, normalize_ip
from ansible_collections.ispsystem.billmanager.plugins.module_utils._listing import list_licenses, read_license
from ansible_collections.ispsystem.billmanager.plugins.module_utils._record import days_left


NAME = 'isp_license_info'


def argument_spec():
    """AnsibleModule keyword arguments of isp_license_info (its action plugin validates the same)."""
    spec = dict(
        id=dict(type='int'),
        licname=dict(type='str'),
        ip=dict(type='str'),
        status=dict(type='list', elements='str', choices=list(STATUS_CHOICES)),
        expiring_within_days=dict(type='int'),
        family=dict(type='list', elements='str', choices=list(FAMILY_NAMES)),
        parked=dict(type='bool'),
        details=dict(type='bool', default=False),
    )
    spec.update(tariff_option_spec())
    return with_connection_options(spec, mutually_exclusive=[('product', 'pricelist')],
                                   supports_check_mode=True)


def listed_families(filters):
    """The families whose listing the filters leave possible, in listing order."""
    families = list(filters.get('family') or FAMILY_NAMES)
    if filters.get('product'):
        families = [f for f in families if f == family_of(filters)]
    return tuple(f for f in FAMILY_NAMES if f in families)


def query_licenses(client, filters, today=None, warnings=None):
    """``isp_license_info``: the licenses matching every given filter, by id.

    One listing per family the filters leave possible and filtering in
    memory; with ``details`` one ``.edit`` read per match, and no more.
    What cannot be judged is said in ``warnings`` (a list, when given).
    """
    today = today or datetime.date.today()
    # An empty filter is a mistake (an unset variable), not "any": it would match every license.
    wanted_ip = normalize_ip('ip', filters['ip']) if filters.get('ip') is not None else None
    if filters.get('licname') == '':
        raise LicenseError("licname: '' is empty; leave it out or give a name")
    check_ids(filters, 'id', 'pricelist')
    check_not_negative(filters, 'expiring_within_days')
    pricelist = resolve_pricelist(filters)
    statuses = filters.get('status')
    matches, unjudged = [], 0
    listing = list_licenses(client, listed_families(filters))
    for record in listing.records:
        if statuses and record['status'] not in statuses:
            continue
        if not statuses and record['status'] == 'deleted':
            continue
        if filters.get('id') is not None and record['id'] != filters['id']:
            continue
        if filters.get('licname') and record['licname'] != filters['licname']:
            continue
        if wanted_ip and not same_canonical_ip(record['ip'], wanted_ip):
            continue
        if filters.get('parked') is not None and record['parked'] != filters['parked']:
            continue
        if filters.get('expiring_within_days') is not None:
            left = days_left(record, today)
            if left is None and record['status'] != 'deleted':
                unjudged += record['expiredate'] is None
            if left is None or left > filters['expiring_within_days']:
                continue
        matches.append(record)
    details = filters.get('details')
    if pricelist is not None:
        matches = [r for r in matches if r['pricelist'] in (None, pricelist)]
    if details or pricelist is not None:
        # One soft.edit per license at most: it gives the key and the exact tariff at once.
        matches = [read_license(client, r) if details or r['pricelist'] is None else r for r in matches]
    if pricelist is not None:
        matches = [r for r in matches if r['pricelist'] == pricelist]
    if warnings is not None:
        warnings.extend(listing.warnings)
        if unjudged:
            warnings.append('expiring_within_days: %d license(s) have no end date the collection could read, '
                            'so they could not be judged and are left out' % unjudged)
    return sorted(matches, key=lambda r: r['id'])


def run(client, params, check_mode=False):
    """The licenses that match every given filter; never changes anything."""
    warnings = []
    licenses = query_licenses(client, params, warnings=warnings)
    return dict(changed=False, licenses=licenses, warnings=warnings)
