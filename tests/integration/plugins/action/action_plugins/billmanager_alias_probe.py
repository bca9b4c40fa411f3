# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An operation whose spec has an alias, which the facade leaves to AnsibleModule (tests only).

AnsibleModule warns when an option and its alias are both set; the warning
is in a private attribute of the validator's result, so the fast path
declines such a spec and runs the module.  This plugin has no module: the
test sees the module path by the module not being found.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.ispsystem.billmanager.plugins.module_utils._connection import with_connection_options
from ansible_collections.ispsystem.billmanager.plugins.plugin_utils.controller_action import ControllerAction


class AliasOperation:

    NAME = 'billmanager_alias_probe'

    @staticmethod
    def argument_spec():
        return with_connection_options(dict(message=dict(type='str', aliases=['msg'])), supports_check_mode=True)

    @staticmethod
    def run(client, params, check_mode):
        raise AssertionError('the fast path must not run this operation')  # pragma: no cover


class ActionModule(ControllerAction):
    OPERATION = AliasOperation
