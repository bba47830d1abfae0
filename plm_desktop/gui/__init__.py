"""The Qt layer: the only package that imports PySide6.

It presents and dispatches; every engine call runs through :mod:`plm_desktop.gui.tasks`
and every error the founder sees goes through :mod:`plm_desktop.gui.errors`. How to add a
page is in ``README.md`` beside this file.
"""
