# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""From an operation (``_isp_license``, ``_isp_license_info``, ...) to a task result.

``execute()`` is shared by the modules and the controller-side action
plugins: it builds the client, runs the operation and maps every failure to
``failed``/``msg`` plus ``api_error``, so both paths fail the same way.
An operation is a module of this folder with ``NAME``, ``argument_spec()``
and ``run(client, params, check_mode)`` or, to use the task's context
(``TaskContext``: the run's id, progress messages),
``run(client, params, check_mode, context)``.

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import inspect

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.ispsystem.billmanager.plugins.module_utils._client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.ispsystem.billmanager.plugins.module_utils._connection import (
    client_from_params, connection_problem, connection_warnings, url_secrets)
from ansible_collections.ispsystem.billmanager.plugins.module_utils._errors import BillmanagerError, LicenseError


def _no_progress(msg):
    """Progress messages go nowhere (a module process has no display to show them on)."""


class TaskContext:
    """What an operation may know about the task beyond its options.

    ``run_id``: a string naming the current ``ansible-playbook`` run on this
    controller (the same for every task and fork of the run), or None when it
    is not known (in a module process).  ``progress(msg)``: show ``msg`` on the
    controller while the task runs (at ``-v``); a no-op in a module process.
    """

    __slots__ = ('run_id', 'progress')

    def __init__(self, run_id=None, progress=None):
        self.run_id = run_id
        self.progress = progress or _no_progress


def _run_takes_context(operation):
    """True when ``operation.run`` accepts a ``context`` argument.

    The signature decides, so an operation opts in by naming the parameter;
    the ones written before TaskContext keep working unchanged.
    """
    try:
        return 'context' in inspect.signature(operation.run).parameters
    except (TypeError, ValueError):  # a callable without a signature: the old form
        return False


def execute(operation, params, check_mode=False, diff_mode=False, client_factory=client_from_params,
            context=None):
    """Run ``operation``; return the task result (never raises for API trouble).

    ``context`` is a ``TaskContext`` (None: no run id, no progress display).
    """
    problem = connection_problem(params)
    if problem:
        return dict(failed=True, changed=False, msg=problem)
    warnings = connection_warnings(params)
    try:
        client = client_factory(params)
        if _run_takes_context(operation):
            result = operation.run(client, params, check_mode, context or TaskContext())
        else:
            result = operation.run(client, params, check_mode)
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


def run_module(module_class, operation):
    """The whole ``main()`` of a module: validate, execute, report.

    ``module_class`` is ``AnsibleModule``, imported by the module itself, or
    the action plugins' facade (plugin_utils/_controller_module.py), which
    also offers ``billmanager_run_id`` and ``billmanager_progress(msg)``;
    AnsibleModule has neither, hence the defaults.
    """
    module = module_class(**operation.argument_spec())
    secrets = url_secrets(module.params)  # a password in api_url: refused, but the invocation shows api_url
    if secrets:
        module.no_log_values.update(secrets)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
    run_id = getattr(module, 'billmanager_run_id', None)
    progress = getattr(module, 'billmanager_progress', None)
    # AnsibleModule has neither: then execute()'s default context (no id, no display).
    extras = {}
    if run_id is not None or progress is not None:
        extras['context'] = TaskContext(run_id=run_id, progress=progress)
    result = execute(operation, module.params, module.check_mode, module._diff, **extras)
    for warning in result.pop('warnings', []):
        module.warn(warning)
    if result.pop('failed', False):
        module.fail_json(**result)
    module.exit_json(**result)
