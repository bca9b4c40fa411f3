# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    # What every module of the collection shares: its action plugin, async,
    # the action group. Each module adds its own check_mode and diff_mode.
    # Used together with ansible.builtin.action_common_attributes(.flow, .actiongroups),
    # which describe these attributes. List this fragment BEFORE those in
    # extends_documentation_fragment: ansible-doc merges the fragments in order
    # and, for a key set twice, keeps the value of the one listed first
    # (``membership: []`` and ``support: N/A`` of the builtin ones would win).
    # tests/integration/ecosystem/test_ecosystem_ansible_doc.py checks what it renders.
    DOCUMENTATION = r'''
attributes:
  platform:
    support: full
    platforms: all
  action:
    support: full
    details: On the controller (C(localhost), C(delegate_to=localhost)) the action plugin runs the
      module's logic in the controller's own process; on any other host the module runs there.
  async:
    support: full
    details: An C(async) task runs the module (through Ansible's async wrapper), also on the controller.
  bypass_host_loop:
    support: none
  action_group:
    support: full
    membership:
      - ispsystem.billmanager.billmanager
'''
