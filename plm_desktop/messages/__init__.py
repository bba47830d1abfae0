"""The words that go with a win card: templates per channel and persona, filled safely.

``fill_message(channel, context, persona)`` fills a template and refuses (with
:class:`MissingPlaceholders`) when the data cannot fill it; ``x_length`` and
``linkedin_length`` count the way those networks do.
"""

from plm_desktop.messages.fill import (
    CHANNELS,
    MessageContext,
    MessageTooLong,
    MissingPlaceholders,
    TemplateDataError,
    UnknownChannel,
    default_templates,
    fill_message,
    load_templates,
    placeholders,
    product_hashtag,
    save_template,
)
from plm_desktop.messages.length import LINKEDIN_LIMIT, X_LIMIT, linkedin_length, x_length
from plm_desktop.messages.persona import (
    PERSONAS,
    UnknownPersona,
    persona_for_title,
    persona_for_user,
    set_user_persona,
)

__all__ = [
    "CHANNELS",
    "LINKEDIN_LIMIT",
    "PERSONAS",
    "X_LIMIT",
    "MessageContext",
    "MessageTooLong",
    "MissingPlaceholders",
    "TemplateDataError",
    "UnknownChannel",
    "UnknownPersona",
    "default_templates",
    "fill_message",
    "linkedin_length",
    "load_templates",
    "persona_for_title",
    "persona_for_user",
    "placeholders",
    "product_hashtag",
    "save_template",
    "set_user_persona",
    "x_length",
]
