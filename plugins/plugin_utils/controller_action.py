# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run a module's ``main()`` inside the controller's worker process.

Started as an ordinary module, every task costs a new Python process,
module packaging and imports (0.4 to 0.5 s of CPU); the work itself is a
few HTTP calls.  The action plugins run the module's own ``run_module()``
(module_utils/_operation.py) in the worker, with the AnsibleModule-compatible
facade of ``_controller_module.py`` instead of AnsibleModule: same
validation, same results, same masking.

The fast path applies when the task runs on the controller as the
controller's user: its connection is ``local`` (``localhost``,
``connection: local``, ``delegate_to: localhost``), no ``become``, no
``async``, and the controller's Python can import requests.  Otherwise the
module runs as Ansible always runs it (``_execute_module``):

- another host: the module must run there (an allow-listed proxy, say);
- ``become``: the module would run as another user, with that user's
  environment and files;
- ``async``: it needs a process that outlives the task (async_wrapper);
- no requests on the controller's Python (a pipx-installed ansible whose
  ``ansible_python_interpreter`` points at another Python): the module runs
  on that interpreter instead of the task failing;
- an option the facade cannot handle on public API (``NotOnTheFastPath``).

tests/integration/plugins/action/ proves both paths return the same and
which path runs when; benchmarks/ measures what this saves.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import gc
import multiprocessing
# requests' get_netrc_auth() imports netrc at its first call: imported here, in
# ansible-playbook before it forks its workers, each worker saves 1.5 ms of
# its ~25 (benchmarks/README.md, "Reading it").
import netrc  # noqa: F401 pylint: disable=unused-import
import os

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.executor.process.worker import WorkerProcess
from ansible.plugins.action import ActionBase

from ansible_collections.ispsystem.billmanager.plugins.module_utils._client import HAS_REQUESTS
from ansible_collections.ispsystem.billmanager.plugins.module_utils._http import preload_default_context
from ansible_collections.ispsystem.billmanager.plugins.module_utils._operation import run_module
try:
    from ansible_collections.ispsystem.billmanager.plugins.plugin_utils._controller_module import (
        ControllerModule, ModuleExit, NotOnTheFastPath, TaskInputs)
    FACADE_IMPORT_ERROR = None
except ImportError as exc:  # an ansible-core without what the facade imports: the module path
    FACADE_IMPORT_ERROR = str(exc)

    # stand-ins so that run() reads the same; the fast path never starts then
    class ModuleExit(Exception):
        pass

    class NotOnTheFastPath(Exception):
        pass

# The CA bundle of an https api_url without ca_path, read here, in ansible-playbook
# before it forks: a worker that read it itself would spend about 20 ms of CPU on it.
if HAS_REQUESTS:
    preload_default_context()

# What requests reads from os.environ at each call (trust_env): the proxies
# (urllib's getproxies(): every *_proxy, any case, and no_proxy), the CA
# bundle (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE) and the netrc file (NETRC);
# and what the collection reads outside the option fallbacks: the password
# file (its problems are reported by name) and the controller state folder.
_REQUESTS_VARIABLES = frozenset(['REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'NETRC',
                                 'BILLMANAGER_PASSWORD_FILE', 'BILLMANAGER_STATE_DIR'])


class ControllerAction(ActionBase):
    """Base of the collection's action plugins; subclasses set ``OPERATION``."""

    OPERATION = None  # the operation module of plugins/module_utils (_isp_license, ...)
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ControllerAction, self).run(tmp, task_vars)
        reason = self._module_path_reason()
        if reason is None:
            _freeze_inherited_objects()
            environment = self._task_environment()
            task = TaskInputs(
                module_name=self._module_name(),
                args=self._task.args,
                check_mode=bool(self._play_context.check_mode),
                diff=bool(self._play_context.diff),
                environment=environment,
                inject_invocation=self._inject_invocation(task_vars),
                run_id=controller_run_id(),
                progress=self._progress_display(task_vars.get('inventory_hostname')),
            )
            try:
                with _requests_environment(environment):
                    run_module(ControllerModule.bind(task), self.OPERATION)
            except ModuleExit as done:
                result.update(done.result)
                return result
            except NotOnTheFastPath as exc:
                reason = str(exc)
            else:  # run_module() always ends in exit_json or fail_json
                raise AnsibleError('%s: run_module() returned without a result' % self._module_name())
        self._display.vvv('%s: running the module (%s)' % (self._module_name(), reason))
        wrap_async = bool(self._task.async_val) and not self._connection.has_native_async
        result.update(self._execute_module(module_name=self._module_name(), module_args=self._task.args,
                                           task_vars=task_vars, wrap_async=wrap_async))
        return result

    def _module_path_reason(self):
        """Why this task must run the module (see the module docstring), or None for the fast path."""
        if self._task.async_val:
            return 'async'
        if not self._runs_on_controller():
            return 'the connection is not local'
        if self._play_context.become:
            return 'become'
        if not HAS_REQUESTS:
            return "the controller's Python cannot import requests"
        if FACADE_IMPORT_ERROR:
            return 'the facade cannot be imported: %s' % FACADE_IMPORT_ERROR
        return None

    def _runs_on_controller(self):
        """True when the task's connection is the local one."""
        return getattr(self._connection, 'transport', None) == 'local' or \
            self._play_context.connection == 'local'

    def _module_name(self):
        return 'ispsystem.billmanager.%s' % self.OPERATION.NAME

    def _task_environment(self):
        """The task's ``environment`` keyword as one dict, play's and block's included.

        ``self._task.environment`` (the keyword, parents' values first) and
        ``self._templar`` are what every action plugin has; the merging order
        is the documented one (the task wins).  ``_compute_environment_string``
        would do the same but is private and returns a shell string.
        """
        final = {}
        environments = self._task.environment
        if environments is None:
            return final
        for environment in environments if isinstance(environments, list) else [environments]:
            if not environment:
                continue
            templated = self._templar.template(environment)
            if not isinstance(templated, dict):
                raise AnsibleError('environment must be a dictionary, received %s (%s)'
                                   % (templated, type(templated)))
            final.update(templated)
        return dict((str(name), str(value)) for name, value in final.items())

    @staticmethod
    def _inject_invocation(task_vars):
        """Whether a module would add ``invocation``: always before ansible-core 2.21, then
        only with INJECT_INVOCATION (which the action base passes to modules; core's own
        action plugins read it the same way)."""
        try:
            return bool(C.config.get_config_value('INJECT_INVOCATION', variables=task_vars))
        except AnsibleError:  # an ansible-core without the setting: modules always return it
            return True

    def _progress_display(self, host):
        """``billmanager_progress``: the message at ``-v``, shown as the task's host's."""
        display = self._display

        def progress(msg):
            display.v(msg, host=host)
        return progress


def _freeze_inherited_objects():
    """Keep the garbage collector of this task's worker off what it inherited from ansible-playbook.

    A worker is forked for one task and exits after it.  A full collection
    in it walks every object of the parent (the inventory, the results so
    far: more with every host) and so writes to, and copies, all their
    pages: 70 to 400 ms of CPU, in about one worker of twenty at 300 hosts,
    on average more than the task's own work.  ``gc.freeze()`` (made for
    this, see its documentation) leaves them out of every collection until
    the worker exits; what the task allocates is collected as always.  Only
    in a worker: a process that runs more than one task keeps its
    collector as it is.
    """
    if isinstance(multiprocessing.current_process(), WorkerProcess):
        gc.freeze()


def controller_run_id():
    """A string naming the current ``ansible-playbook`` run on this controller, or None.

    Each task runs in a worker forked from the main ``ansible-playbook``
    process (ansible.utils.multiprocessing uses the fork context), so the
    worker's parent is the same process for every task and fork of one run.
    Its pid alone is reused by later runs; with the boot id and its start
    time (field 22 of /proc/<pid>/stat, in clock ticks since boot) it names
    one run.  Without /proc (not Linux) there is no cheap, reliable start
    time: None, as in a module process, so nothing keyed on it is shared.
    """
    parent = os.getppid()
    try:
        with open('/proc/%d/stat' % parent) as stat:
            # the command name (field 2) may hold spaces and parentheses: count after the last ')'
            start_time = stat.read().rsplit(')', 1)[1].split()[19]
        with open('/proc/sys/kernel/random/boot_id') as boot:
            boot_id = boot.read().strip()
    except (OSError, IndexError):
        return None
    return '%s-%d-%s' % (boot_id, parent, start_time)


class _requests_environment:
    """The task's proxy, CA and netrc variables in os.environ while run_module() runs.

    requests reads them from os.environ at each call (``trust_env``); there is
    no way to hand them to it per session that covers all of them (netrc,
    no_proxy matching, the CA bundle).  A worker process runs one task and
    nothing else meanwhile, so the swap is seen by this task only, and it is
    undone afterwards.  The BILLMANAGER_* fallbacks get the task environment
    from the facade instead; other variables would change nothing here.
    """

    def __init__(self, environment):
        self.values = dict((name, value) for name, value in environment.items()
                           if name in _REQUESTS_VARIABLES or name.lower().endswith('_proxy'))
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
