"""Inbound reactions: chat commands, card actions (and, in later issues, web pages)."""
