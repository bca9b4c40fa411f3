# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Turn an operation of the license logic into a task result.

``execute()`` is shared by the modules and the controller-side action
plugins: it builds the client, runs the operation and maps every failure to
``failed``/``msg`` plus ``api_error``, so both paths fail the same way.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.ispsystem.billmanager.plugins.module_utils.api import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    BillmanagerError,
)
from ansible_collections.ispsystem.billmanager.plugins.module_utils.license import (
    LicenseError,
    check_ip,
    query_licenses,
)
from ansible_collections.ispsystem.billmanager.plugins.module_utils.license_state import ensure_license
from ansible_collections.ispsystem.billmanager.plugins.module_utils.options import (
    client_from_params,
    connection_problem,
    isp_license_check_spec,
    isp_license_info_spec,
    isp_license_spec,
)


def license_info(client, params, check_mode=False):
    return dict(changed=False, licenses=query_licenses(client, params))


def license_check(client, params, check_mode=False):
    available, reason = check_ip(client, params)
    return dict(changed=False, available=available, reason=reason)


# module name -> (AnsibleModule keyword arguments, operation)
OPERATIONS = {
    'isp_license': (isp_license_spec, ensure_license),
    'isp_license_info': (isp_license_info_spec, license_info),
    'isp_license_check': (isp_license_check_spec, license_check),
}


def execute(name, params, check_mode=False, diff_mode=False, client_factory=client_from_params):
    """Run the operation of module ``name``; return the task result (never raises for API trouble)."""
    operation = OPERATIONS[name][1]
    problem = connection_problem(params)
    if problem:
        return dict(failed=True, changed=False, msg=problem)
    warnings = []
    if not params.get('validate_certs', True):
        warnings.append('validate_certs is false: the certificate of %s is not checked, so '
                        'the credentials may go to an impostor' % params.get('api_url'))
    try:
        result = operation(client_factory(params), params, check_mode)
    except LicenseError as exc:
        result = dict(exc.result, failed=True, msg=exc.msg)
    except BillmanagerError as exc:
        result = dict(failed=True, msg=str(exc), api_error=exc.to_dict())
    result.setdefault('changed', False)
    diff = result.pop('diff', None)
    if diff_mode and diff is not None:
        result['diff'] = diff
    warnings.extend(result.pop('warnings', None) or [])
    if warnings:
        result['warnings'] = warnings
    return result


def run_module(module_class, name):
    """The whole ``main()`` of a module: validate, execute, report.

    ``module_class`` is ``AnsibleModule``, imported by the module itself.
    """
    module = module_class(**OPERATIONS[name][0]())
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
    result = execute(name, module.params, module.check_mode, module._diff)
    for warning in result.pop('warnings', []):
        module.warn(warning)
    if result.pop('failed', False):
        module.fail_json(**result)
    module.exit_json(**result)
