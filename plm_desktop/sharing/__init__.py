"""Sharing a win: Slack messages with the card, LinkedIn and X hand-offs, the outbox.

- :mod:`~plm_desktop.sharing.send`: ``send_card`` / ``send_prepared``, the one way to send.
- :mod:`~plm_desktop.sharing.outbox`: every share recorded before it leaves; crash-safe.
- :mod:`~plm_desktop.sharing.slack`: the Slack Web API client and the incoming webhook.
- :mod:`~plm_desktop.sharing.secrets`: the bot token and webhook URL in the keyring.
- :mod:`~plm_desktop.sharing.social`: LinkedIn and X prefilled-post URLs.
- :mod:`~plm_desktop.sharing.links`: referral codes and UTM-tagged share links.
"""
