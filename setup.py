"""Package list for setuptools; everything else is in pyproject.toml.

``resources/`` and ``ui/`` live at the top of the repository but install inside the
``plm_desktop`` package so that :mod:`importlib.resources` finds them everywhere.
"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["plm_desktop", "plm_desktop.*"])
    + ["plm_desktop.resources_data", "plm_desktop.forms"],
)
