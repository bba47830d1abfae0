"""Subcommands of ``plm-desktop``.

Each module here defines ``register(subparsers)``, which adds its parser and sets
``run=<function(args) -> int>`` as a default. Modules import their engine parts inside
``run`` so that ``plm-desktop --version`` and the window start stay fast.
"""

# Order is the order of ``plm-desktop --help``.
COMMAND_MODULES: list[str] = [
    "plm_desktop.commands.import_usage",
    "plm_desktop.commands.rank",
    "plm_desktop.commands.milestones",
    "plm_desktop.commands.export_segment",
    "plm_desktop.commands.send",
    "plm_desktop.commands.slack",
    "plm_desktop.commands.import_signups",
    "plm_desktop.commands.funnel",
    "plm_desktop.commands.card",
    "plm_desktop.commands.copy_text",
]
