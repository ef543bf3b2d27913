"""Research-ops kit: plan, synthesise and publish user research.

The library the template notebooks and the ``kit`` command call. One module
per concept; see README.md for the study-folder contract.
"""
from __future__ import annotations

__version__ = "0.1.0"
