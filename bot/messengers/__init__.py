"""Messenger adapters: the only code that knows a platform's payload formats."""
