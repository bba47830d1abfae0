"""Closing the loop: who brought whom, what shares achieved, the ask ladder, the funnel.

Plain Python over the store; the Loop page and the ``import-signups`` and ``funnel``
commands are built on it.
"""
