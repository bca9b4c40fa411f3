# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run a module's license logic inside the controller's worker process.

Started as an ordinary module, every task costs a new Python process,
module packaging and imports (about 0.35 s of CPU); the work itself is a
few HTTP calls.  When the task runs on the controller anyway (``localhost``,
``connection: local`` or ``delegate_to: localhost``), the action plugin
validates the same argument spec and runs the same ``runner.execute()``
in-process.  For any other host (an allow-listed proxy, say) it runs the
module there, as Ansible always does.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible.errors import AnsibleActionFail
from ansible.module_utils.basic import remove_values
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import sanitize_keys
from ansible.plugins.action import ActionBase

from ansible_collections.ispsystem.billmanager.plugins.module_utils.api import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
)
from ansible_collections.ispsystem.billmanager.plugins.module_utils.runner import OPERATIONS, execute


class ControllerAction(ActionBase):
    """Base of the collection's action plugins; subclasses set ``MODULE``."""

    MODULE = None
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        if not self._runs_on_controller():
            return self._execute_module(module_name='ispsystem.billmanager.%s' % self.MODULE,
                                        module_args=self._task.args, task_vars=task_vars)
        result = super(ControllerAction, self).run(tmp, task_vars)
        if not HAS_REQUESTS:
            raise AnsibleActionFail('the Python library requests is required on the controller '
                                    '(pip install requests): %s' % REQUESTS_IMPORT_ERROR)
        spec = OPERATIONS[self.MODULE][0]()
        argument_spec = spec.pop('argument_spec')
        spec.pop('supports_check_mode', None)
        validator = ArgumentSpecValidator(argument_spec, **spec)
        with _task_environment(self._templar.template(self._task.environment)):
            validation = validator.validate(dict(self._task.args))
        no_log_values = validation._no_log_values
        invocation = dict(module_args=sanitize_keys(
            remove_values(dict(validation.validated_parameters), no_log_values), set()))
        if validation.error_messages:
            result.update(failed=True, msg=remove_values(validation.errors.msg, no_log_values),
                          invocation=invocation)
            return result
        for warning in validation._warnings:
            self._display.warning(warning.get('warning', str(warning)) if isinstance(warning, dict) else str(warning))
        outcome = execute(self.MODULE, validation.validated_parameters,
                          check_mode=bool(self._play_context.check_mode),
                          diff_mode=bool(self._play_context.diff))
        result.update(remove_values(outcome, no_log_values))
        result['invocation'] = invocation
        return result

    def _runs_on_controller(self):
        """True when the task's connection is the local one."""
        return getattr(self._connection, 'transport', None) == 'local' or \
            self._play_context.connection == 'local'


class _task_environment:
    """The task's ``environment`` keyword, for the BILLMANAGER_* fallbacks.

    A module sees the task's environment; so must the in-process path.  A
    worker process runs one task, so setting os.environ briefly is safe.
    """

    def __init__(self, environment):
        self.values = {}
        for entry in environment or []:
            if isinstance(entry, dict):
                self.values.update((str(k), str(v)) for k, v in entry.items())
        self.saved = {}

    def __enter__(self):
        for name, value in self.values.items():
            self.saved[name] = os.environ.get(name)
            os.environ[name] = value

    def __exit__(self, *exc_info):
        for name, value in self.saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
