"""办不成事投诉台账 (the complaints office's ledger): workflow, numbers, registration, triage.

Domain code: no aiohttp, no messengers (see the import contracts in pyproject.toml).
"""
