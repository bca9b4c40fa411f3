# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection's fast path with an operation that takes ``context`` (tests only).

Put this folder on ANSIBLE_ACTION_PLUGINS.  Until the license operations use
the TaskContext, this one shows what run_module() hands them on the fast
path: ``run_id`` is returned, ``message`` is sent through ``progress``.  It
makes no API call.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.ispsystem.billmanager.plugins.module_utils._connection import with_connection_options
from ansible_collections.ispsystem.billmanager.plugins.plugin_utils.controller_action import ControllerAction


class ProbeOperation:
    """An operation as module_utils/_operation.py describes it, with ``context``."""

    NAME = 'billmanager_context_probe'

    @staticmethod
    def argument_spec():
        return with_connection_options(dict(message=dict(type='str', default='')), supports_check_mode=True)

    @staticmethod
    def run(client, params, check_mode, context):
        if params['message']:
            context.progress(params['message'])
        return dict(changed=False, run_id=context.run_id, check_mode=check_mode)


class ActionModule(ControllerAction):
    OPERATION = ProbeOperation
