# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The operation of ``isp_license_check``: its options and ``run()``, can this IP take that license.

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.ispsystem.billmanager.plugins.module_utils._catalog import (
    FAMILIES,
    FAMILY_NAMES,
    PERIODS,
    family_of,
    resolve_pricelist,
    tariff_option_spec,
)
from ansible_collections.ispsystem.billmanager.plugins.module_utils._connection import with_connection_options
from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import BILLING, BillmanagerError, LicenseError
from ansible_collections.ispsystem.billmanager.plugins.module_utils._input import check_ids, normalize_ip, order_period


NAME = 'isp_license_check'


def argument_spec():
    """AnsibleModule keyword arguments of isp_license_check (its action plugin validates the same)."""
    spec = dict(
        ip=dict(type='str', required=True),
        period=dict(type='int', default=1, choices=list(PERIODS)),
        trial=dict(type='bool', default=False),
        family=dict(type='str', choices=list(FAMILY_NAMES)),
    )
    spec.update(tariff_option_spec())
    return with_connection_options(
        spec,
        mutually_exclusive=[('product', 'pricelist')],
        required_one_of=[('product', 'pricelist')],
        supports_check_mode=True,
    )


# Errors of soft.checkip that are about the request rather than the IP: those
# fail the task; any other refusal is the answer "not available".
CHECK_FAILURES = frozenset(['pricelist', 'period', 'func', 'elid'])


def check_ip(client, params):
    """``isp_license_check``: ``(available, reason)`` for an IP and a tariff."""
    ip = normalize_ip('ip', params['ip'])
    check_ids(params, 'pricelist')
    pricelist = resolve_pricelist(params)
    family = family_of(params)
    period = order_period(params, pricelist, family)[0]
    func = FAMILIES[family].functions['checkip']
    if func is None:
        # Only soft.checkip is documented: guessing "available" could send an order that fails.
        raise LicenseError('the billing API cannot be asked whether an IP can take a license of family %s '
                           '(only soft has checkip); order it and the billing says so' % family)
    try:
        client.call(func, {'ip': ip, 'pricelist': pricelist, 'period': period})
    except BillmanagerError as exc:
        if exc.kind != BILLING or exc.err_type in ('access', 'missed') or exc.err_object in CHECK_FAILURES:
            raise
        return False, exc.message
    return True, None


def run(client, params, check_mode=False):
    """Whether ``ip`` can take the tariff; an unavailable IP is an answer, not a failure."""
    available, reason = check_ip(client, params)
    return dict(changed=False, available=available, reason=reason)
