# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The operation of ``isp_license``: its options and ``run()``, the desired state of one license.

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.ispsystem.billmanager.plugins.module_utils._catalog import FAMILY_NAMES, PERIODS, tariff_option_spec
from ansible_collections.ispsystem.billmanager.plugins.module_utils._connection import with_connection_options
from ansible_collections.ispsystem.billmanager.plugins.module_utils._engine import LicenseReconciler


NAME = 'isp_license'


def argument_spec():
    """AnsibleModule keyword arguments of isp_license (its action plugin validates the same)."""
    spec = dict(
        state=dict(type='str', default='present', choices=['present', 'suspended', 'parked', 'absent']),
        id=dict(type='int'),
        licname=dict(type='str'),
        ip=dict(type='str'),
        family=dict(type='str', choices=list(FAMILY_NAMES)),
        nodes=dict(type='int'),
        vms=dict(type='int'),
        addons=dict(type='dict'),
        period=dict(type='int', default=1, choices=list(PERIODS)),
        trial=dict(type='bool', default=False),
        autoprolong=dict(type='int', choices=[0] + list(PERIODS)),
        skipbasket=dict(type='bool', default=True),
        renew_within_days=dict(type='int'),
        regenerate_key=dict(type='bool', default=False),
        allow_tariff_change=dict(type='bool', default=False),
        remoteid=dict(type='str'),
        resume_suspended=dict(type='bool', default=True),
        reuse_parked=dict(type='bool', default=False),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=300),
        listing_max_age=dict(type='int', default=60),
    )
    spec.update(tariff_option_spec())
    return with_connection_options(
        spec,
        mutually_exclusive=[('product', 'pricelist')],
        required_one_of=[('id', 'licname', 'ip')],
        supports_check_mode=True,
    )


def run(client, params, check_mode=False, context=None):
    """Bring the license to the desired state; the task result (changed, actions, license, diff, catalog)."""
    return LicenseReconciler(client, params, check_mode=check_mode, context=context).run()
