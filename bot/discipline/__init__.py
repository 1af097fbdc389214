"""纪检组: cases referred by the complaints office, findings and 责任追究 (accountability).

Domain code: no aiohttp, no messengers (see the import contracts in pyproject.toml). It may use
``bot.complaints`` (a referral writes the complaint's timeline); ``bot.complaints`` never uses it.
"""
