# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The part of AnsibleModule that ``run_module()`` uses, for an action plugin's worker.

``run_module(module_class, operation)`` (module_utils/_operation.py) is the
whole ``main()`` of each module.  The action plugins call the same function
with ``ControllerModule`` bound to their task (``ControllerModule.bind``), so
both paths validate, run and report through one piece of code.  Only public
ansible-core API is used: ``ArgumentSpecValidator`` and the public attributes
of its result, ``env_fallback``, ``remove_values``, ``UnsupportedError``.

What the facade cannot do the way AnsibleModule does on public API (alias
warnings and deprecations: the validator keeps them in private attributes;
options AnsibleModule takes that the validator does not) it refuses with
``NotOnTheFastPath`` before anything is sent, and the action plugin runs the
module instead.

Private to this collection: not an API for other collections, it may change
in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import functools
import os

from ansible.module_utils.basic import remove_values
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import env_fallback
from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.errors import AnsibleFallbackNotFound, UnsupportedError

from ansible_collections.ispsystem.billmanager.plugins.module_utils._connection import password_fallback

# AnsibleModule keyword arguments that ArgumentSpecValidator takes as they are.
_VALIDATOR_ARGUMENTS = ('mutually_exclusive', 'required_together', 'required_one_of', 'required_if', 'required_by')
# Option keys whose effect AnsibleModule reports through the validator's private
# _warnings/_deprecations; a spec that uses them goes to the module path.
_REPORTED_PRIVATELY = ('aliases', 'deprecated_aliases', 'removed_in_version', 'removed_at_date')


class NotOnTheFastPath(Exception):
    """The task needs something only AnsibleModule does: run the module instead."""


class ModuleExit(Exception):
    """``exit_json``/``fail_json``: ends ``run_module()`` and carries the task result."""

    def __init__(self, result):
        super(ModuleExit, self).__init__('module exit')
        self.result = result


class TaskInputs:
    """What the action plugin knows of its task and hands to the facade."""

    def __init__(self, module_name, args, check_mode, diff, environment, inject_invocation=True,
                 run_id=None, progress=None):
        self.module_name = module_name
        self.args = args
        self.check_mode = check_mode
        self.diff = diff
        self.environment = environment  # the task's ``environment`` keyword, templated
        self.inject_invocation = inject_invocation
        self.run_id = run_id
        self.progress = progress


class ControllerModule:
    """AnsibleModule-compatible for ``run_module()``: ``params``, ``check_mode``, ``_diff``,
    ``warn``, ``exit_json``, ``fail_json``, plus ``billmanager_run_id`` and
    ``billmanager_progress`` (which AnsibleModule lacks).

    Validation happens in the constructor, as in AnsibleModule; a failed one
    ends the run through ``fail_json``, masked alike.
    """

    @classmethod
    def bind(cls, task):
        """The class to give ``run_module()``: called with the operation's AnsibleModule kwargs."""
        return functools.partial(cls, task=task)

    def __init__(self, argument_spec, supports_check_mode=False, task=None, **kwargs):
        unknown = sorted(set(kwargs) - set(_VALIDATOR_ARGUMENTS))
        if unknown:
            raise NotOnTheFastPath('AnsibleModule options %s' % ', '.join(unknown))
        if _uses(argument_spec, _REPORTED_PRIVATELY):
            raise NotOnTheFastPath('an option with aliases or a deprecation')
        if task.check_mode and not supports_check_mode:
            raise NotOnTheFastPath('check mode without support for it')
        self._task = task
        self._warnings = []
        self.check_mode = bool(task.check_mode)
        self._diff = bool(task.diff)  # the name AnsibleModule uses, and run_module() reads
        self.billmanager_run_id = task.run_id
        self.no_log_values = set()
        self.params = _as_sent(task.args)

        validator = ArgumentSpecValidator(_environment_fallbacks(argument_spec, task.environment),
                                          **dict((name, kwargs.get(name)) for name in _VALIDATOR_ARGUMENTS))
        validation = validator.validate(self.params)
        try:
            # public and documented since ansible-core 2.11; should a release
            # change them, nothing has been sent yet and the module can run instead
            validated, messages, errors = (validation.validated_parameters, validation.error_messages,
                                           validation.errors)
            first_error = errors[0] if messages else None
        except (AttributeError, IndexError, TypeError) as exc:
            raise NotOnTheFastPath("ArgumentSpecValidator's result has changed: %s" % exc)
        self.params.update(validated)
        # No public API lists the no_log values the validator found (its
        # _no_log_values "may move", says its docstring): they are read from
        # the spec and the validated values instead, which covers fallbacks
        # and defaults too, since both end up in validated_parameters.
        self.no_log_values = _no_log_values(argument_spec, self.params)
        if messages:
            msg = errors.msg
            if isinstance(first_error, UnsupportedError):
                # AnsibleModule's wording, so both paths fail with the same message
                # (tests/integration/plugins/action pins it).
                msg = 'Unsupported parameters for (%s) module: %s' % (task.module_name, msg)
            self.fail_json(msg=msg)

    def billmanager_progress(self, msg):
        """Show ``msg`` on the controller at ``-v`` while the task runs."""
        if self._task.progress is not None:
            self._task.progress(msg)

    def warn(self, warning):
        if not isinstance(warning, str):
            raise TypeError('warn requires a string, not a %s' % type(warning))
        self._warnings.append(warning)

    def exit_json(self, **result):
        self._end(result)

    def fail_json(self, msg, **result):
        result.update(failed=True, msg=str(msg))
        self._end(result)

    def _end(self, result):
        """Finish the result as AnsibleModule's exit does, and end ``run_module()``."""
        if 'invocation' not in result and self._task.inject_invocation:
            result['invocation'] = {'module_args': self.params}
        extra = result.pop('warnings', None)
        for warning in (extra if isinstance(extra, list) else [extra] if extra else []):
            self.warn(warning)
        if self._warnings:
            result['warnings'] = self._warnings
        # AnsibleModule keeps top-level booleans and None out of masking: a
        # no_log value "True" must not turn ``changed`` into a string.
        kept = dict((key, value) for key, value in result.items() if value is None or isinstance(value, bool))
        result = remove_values(result, self.no_log_values)
        result.update(kept)
        raise ModuleExit(result)


def _as_sent(value):
    """``value`` as a module receives it: plain dicts, lists and strs.

    The task's arguments hold ansible-core's str subclasses (AnsibleUnicode,
    unsafe text before 2.19), which a module gets as plain str through JSON;
    validation messages name the type, so they would differ between the paths.
    """
    if isinstance(value, dict):
        return dict((_as_sent(key), _as_sent(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [_as_sent(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return value


def _uses(spec, keys):
    """True when an option of ``spec`` (or of a sub-spec) sets one of ``keys``."""
    for option in spec.values():
        if any(option.get(key) for key in keys):
            return True
        if option.get('options') and _uses(option['options'], keys):
            return True
    return False


def _environment_fallbacks(spec, environment):
    """``spec`` with its ``env_fallback`` reading the task's environment over the controller's.

    A module process sees the controller's environment plus the task's
    ``environment`` keyword; this gives the fallbacks (BILLMANAGER_*) the same
    view without touching os.environ.
    """
    if not environment:
        return spec
    seen = dict(os.environ, **environment)  # what a module process started with this environment has

    def task_env_fallback(*names, **_kwargs):
        for name in names:
            if name in seen:
                return seen[name]
        raise AnsibleFallbackNotFound

    result = {}
    for name, option in spec.items():
        option = dict(option)
        fallback = option.get('fallback')
        if fallback and fallback[0] is env_fallback:
            option['fallback'] = (task_env_fallback,) + tuple(fallback[1:])
        elif fallback and fallback[0] is password_fallback:
            option['fallback'] = (password_fallback, list(fallback[1]) if len(fallback) > 1 else [],
                                  dict(environ=seen))
        if option.get('options'):
            option['options'] = _environment_fallbacks(option['options'], environment)
        result[name] = option
    return result


def _no_log_values(spec, params):
    """The strings to mask: the values of the ``no_log`` options, in sub-options too."""
    found = set()
    if not isinstance(params, dict):
        return found
    for name, option in spec.items():
        value = params.get(name)
        if value is None:
            continue
        if option.get('no_log'):
            found.update(_strings(value))
        if option.get('options'):
            for item in value if isinstance(value, list) else [value]:
                found.update(_no_log_values(option['options'], item))
    return found


def _strings(value):
    """Every scalar of ``value`` as a native string (empty ones left out: they mask nothing)."""
    if isinstance(value, dict):
        return set().union(*[_strings(item) for item in value.values()])
    if isinstance(value, (list, tuple, set, frozenset)):
        return set().union(*[_strings(item) for item in value])
    text = to_native(value)
    return {text} if text else set()
