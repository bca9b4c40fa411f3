# -*- coding: utf-8 -*-
# Copyright (c) 2026, ispsystem.billmanager contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Make this checkout importable as ``ansible_collections.ispsystem.billmanager``.

Python imports and Ansible find the collection only under a path that ends in
``ansible_collections/ispsystem/billmanager``.  A symlink in a temporary
folder points there, outside the checkout so that nothing walks into a loop.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import os
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def collections_root():
    """The folder to put on ANSIBLE_COLLECTIONS_PATH and sys.path."""
    root = os.path.join(tempfile.gettempdir(), 'ispsystem-billmanager-%s-%s' % (
        os.getuid(), hashlib.sha256(REPO.encode('utf-8')).hexdigest()[:10]))
    namespace = os.path.join(root, 'ansible_collections', 'ispsystem')
    link = os.path.join(namespace, 'billmanager')
    if os.path.realpath(link) != REPO:
        os.makedirs(namespace, exist_ok=True)
        tmp_link = '%s.%d' % (link, os.getpid())
        os.symlink(REPO, tmp_link)
        os.replace(tmp_link, link)  # atomic: parallel test runs never see a half-made link
    return root


def install():
    root = collections_root()
    if root not in sys.path:
        sys.path.insert(0, root)
    return root
