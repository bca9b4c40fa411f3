# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Option specs shared by the modules and their controller-side action plugins.

One place for each spec, so that a module, its action plugin and its
documentation cannot drift apart: the modules pass these to AnsibleModule,
the action plugins to ArgumentSpecValidator.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
from urllib.parse import urlsplit

from ansible.module_utils.common.parameters import env_fallback

from ansible_collections.ispsystem.billmanager.plugins.module_utils.api import (
    DEFAULT_API_URL,
    BillmanagerClient,
)
from ansible_collections.ispsystem.billmanager.plugins.module_utils.license import (
    PERIODS,
    PRODUCTS,
    STATUS_CHOICES,
)


def connection_argument_spec():
    """The connection options of every module, with their environment fallbacks."""
    return dict(
        api_url=dict(type='str', default=DEFAULT_API_URL,
                     fallback=(env_fallback, ['BILLMANAGER_URL'])),
        api_username=dict(type='str', required=True,
                          fallback=(env_fallback, ['BILLMANAGER_USERNAME'])),
        api_password=dict(type='str', required=True, no_log=True,
                          fallback=(env_fallback, ['BILLMANAGER_PASSWORD'])),
        auth_method=dict(type='str', default='authinfo', choices=['authinfo', 'session'],
                         fallback=(env_fallback, ['BILLMANAGER_AUTH_METHOD'])),
        validate_certs=dict(type='bool', default=True,
                            fallback=(env_fallback, ['BILLMANAGER_VALIDATE_CERTS'])),
        ca_path=dict(type='path', fallback=(env_fallback, ['BILLMANAGER_CA_PATH'])),
        api_timeout=dict(type='int', default=30,
                         fallback=(env_fallback, ['BILLMANAGER_TIMEOUT'])),
        api_retries=dict(type='int', default=3,
                         fallback=(env_fallback, ['BILLMANAGER_RETRIES'])),
    )


def connection_problem(params):
    """What is wrong with the connection options, naming the option, or None.

    Checked before any call: a malformed URL would otherwise be retried as a
    connection failure, and a bad timeout or CA path crash inside requests.
    """
    url = params.get('api_url') or ''
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is None or parts.scheme.lower() not in ('http', 'https') or not host:
        return "api_url: '%s' is not an http:// or https:// URL" % url
    if params.get('api_timeout') is not None and params['api_timeout'] <= 0:
        return 'api_timeout: %s is not a positive number of seconds' % params['api_timeout']
    if params.get('api_retries') is not None and params['api_retries'] < 0:
        return 'api_retries: %s is negative' % params['api_retries']
    if params.get('ca_path') and not os.path.exists(params['ca_path']):
        return "ca_path: '%s' does not exist" % params['ca_path']
    return None


def client_from_params(params, **kwargs):
    """Build the API client from validated connection options."""
    return BillmanagerClient(
        api_url=params['api_url'],
        username=params['api_username'],
        password=params['api_password'],
        auth_method=params['auth_method'],
        validate_certs=params['validate_certs'],
        ca_path=params['ca_path'],
        timeout=params['api_timeout'],
        retries=params['api_retries'],
        **kwargs
    )


def _with_connection(spec, **settings):
    argument_spec = connection_argument_spec()
    argument_spec.update(spec)
    settings['argument_spec'] = argument_spec
    return settings


def _tariff_spec():
    return dict(
        product=dict(type='str', choices=sorted(PRODUCTS)),
        pricelist=dict(type='int'),
    )


def isp_license_spec():
    """AnsibleModule keyword arguments of isp_license."""
    spec = dict(
        state=dict(type='str', default='present', choices=['present', 'suspended', 'absent']),
        id=dict(type='int'),
        licname=dict(type='str'),
        ip=dict(type='str'),
        nodes=dict(type='int'),
        addons=dict(type='dict'),
        period=dict(type='int', default=1, choices=list(PERIODS)),
        autoprolong=dict(type='int', choices=[0] + list(PERIODS)),
        skipbasket=dict(type='bool', default=True),
        renew_within_days=dict(type='int'),
        regenerate_key=dict(type='bool', default=False),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=300),
    )
    spec.update(_tariff_spec())
    return _with_connection(
        spec,
        mutually_exclusive=[('product', 'pricelist')],
        required_one_of=[('id', 'licname', 'ip')],
        supports_check_mode=True,
    )


def isp_license_info_spec():
    """AnsibleModule keyword arguments of isp_license_info."""
    spec = dict(
        id=dict(type='int'),
        licname=dict(type='str'),
        ip=dict(type='str'),
        status=dict(type='list', elements='str', choices=list(STATUS_CHOICES)),
        expiring_within_days=dict(type='int'),
        details=dict(type='bool', default=False),
    )
    spec.update(_tariff_spec())
    return _with_connection(spec, mutually_exclusive=[('product', 'pricelist')],
                            supports_check_mode=True)


def isp_license_check_spec():
    """AnsibleModule keyword arguments of isp_license_check."""
    spec = dict(
        ip=dict(type='str', required=True),
        period=dict(type='int', default=1, choices=list(PERIODS)),
    )
    spec.update(_tariff_spec())
    return _with_connection(
        spec,
        mutually_exclusive=[('product', 'pricelist')],
        required_one_of=[('product', 'pricelist')],
        supports_check_mode=True,
    )
