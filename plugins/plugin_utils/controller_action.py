# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run a module's license logic inside the controller's worker process.

Started as an ordinary module, every task costs a new Python process,
module packaging and imports (0.4 to 0.5 s of CPU); the work itself is a
few HTTP calls.  When the task runs on the controller anyway (``localhost``,
``connection: local`` or ``delegate_to: localhost``), the action plugin
validates the same argument spec and runs the same ``runner.execute()``
in-process.  For any other host (an allow-listed proxy, say) it runs the
module there, as Ansible always does; so does a task with ``async``, which
needs a process that outlives the task.  tests/integration/plugins/action/
proves both paths return the same; benchmarks/ measures what this saves.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
from collections.abc import Mapping

from ansible import constants as C
from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.module_utils.basic import remove_values
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError
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
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super(ControllerAction, self).run(tmp, task_vars)
        # async needs a process that outlives the task (async_wrapper): the module path.
        if self._task.async_val or not self._runs_on_controller():
            wrap_async = bool(self._task.async_val) and not self._connection.has_native_async
            result.update(self._execute_module(module_name=self._module_name(), module_args=self._task.args,
                                               task_vars=task_vars, wrap_async=wrap_async))
            return result
        if not HAS_REQUESTS:
            raise AnsibleActionFail('the Python library requests is required on the controller '
                                    '(pip install requests): %s' % REQUESTS_IMPORT_ERROR)
        spec = OPERATIONS[self.MODULE][0]()
        argument_spec = spec.pop('argument_spec')
        spec.pop('supports_check_mode', None)
        validator = ArgumentSpecValidator(argument_spec, **spec)
        # The task's environment holds for the whole task, as it does for a
        # module: the BILLMANAGER_* fallbacks, and what requests reads at each
        # call (HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE, ...).
        with _task_environment(self._task_environment()):
            validation = validator.validate(_as_module_args(self._task.args))
            no_log_values = validation._no_log_values
            invocation = dict(module_args=sanitize_keys(
                remove_values(dict(validation.validated_parameters), no_log_values), set()))
            if validation.error_messages:
                msg = validation.errors.msg
                if isinstance(validation.errors[0], UnsupportedError):
                    # word for word what AnsibleModule says
                    msg = 'Unsupported parameters for (%s) module: %s' % (self._module_name(), msg)
                result.update(failed=True, msg=remove_values(msg, no_log_values))
                return self._with_invocation(result, invocation, task_vars)
            for warning in validation._warnings:
                self._display.warning(warning.get('warning', str(warning)) if isinstance(warning, dict)
                                      else str(warning))
            outcome = execute(self.MODULE, validation.validated_parameters,
                              check_mode=bool(self._play_context.check_mode),
                              diff_mode=bool(self._play_context.diff))
        # As AnsibleModule does: no_log values out, top-level booleans and None kept.
        kept = dict((k, v) for k, v in outcome.items() if v is None or isinstance(v, bool))
        result.update(remove_values(outcome, no_log_values))
        result.update(kept)
        return self._with_invocation(result, invocation, task_vars)

    @staticmethod
    def _with_invocation(result, invocation, task_vars):
        """Add ``invocation`` when a module would: always before ansible-core 2.21, then
        only with INJECT_INVOCATION (the action base passes it as _ansible_inject_invocation)."""
        try:
            inject = C.config.get_config_value('INJECT_INVOCATION', variables=task_vars)
        except AnsibleError:  # an ansible-core without the setting: modules always return it
            inject = True
        if inject:
            result['invocation'] = invocation
        return result

    def _module_name(self):
        return 'ispsystem.billmanager.%s' % self.MODULE

    def _task_environment(self):
        """The task's ``environment`` keyword (play and block ones included), templated, as one dict."""
        final = {}
        self._compute_environment_string(final)
        return final

    def _runs_on_controller(self):
        """True when the task's connection is the local one."""
        return getattr(self._connection, 'transport', None) == 'local' or \
            self._play_context.connection == 'local'


def _as_module_args(value):
    """The task's arguments as a module gets them (JSON): plain str, list and dict.

    ansible-core before 2.19 hands an action plugin AnsibleUnicode,
    AnsibleSequence and AnsibleMapping; the argument spec's type errors would
    name those classes ("is of type <class '...AnsibleUnicode'>") where the
    module says <class 'str'>. A vaulted value is neither, and is left as it is.
    """
    if isinstance(value, Mapping):
        return dict((_as_module_args(k), _as_module_args(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_as_module_args(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return value


class _task_environment:
    """The task's ``environment`` keyword in os.environ while the task runs.

    A module sees the task's environment; so must the in-process path: for
    the BILLMANAGER_* fallbacks and for the proxy and CA variables requests
    reads.  A worker process runs one task, so setting os.environ is safe.
    """

    def __init__(self, environment):
        self.values = dict((str(k), str(v)) for k, v in (environment or {}).items())
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
