# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The connection options of every module and plugin, their checks, and the client they build.

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
from urllib.parse import urlsplit

from ansible.module_utils.common.parameters import env_fallback

from ansible_collections.ispsystem.billmanager.plugins.module_utils._client import BillmanagerClient

DEFAULT_API_URL = 'https://api.ispsystem.com/manager/billmgr'


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


def with_connection_options(spec, **settings):
    argument_spec = connection_argument_spec()
    argument_spec.update(spec)
    settings['argument_spec'] = argument_spec
    return settings
