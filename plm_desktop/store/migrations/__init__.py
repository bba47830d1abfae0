"""Numbered schema migrations: ``NNNN_name.sql``, applied in order, each in one transaction.

A migration is never edited once it has shipped; a change to the schema is a new file
with the next number.
"""
