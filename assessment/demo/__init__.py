"""The demo organisation: generating its answers and seeding it into a database.

The names below are what start-up needs to find the demo again; they live here, apart from the
seeding code, so that start-up does not load the data libraries the seeding uses.
"""

#: The demo organisation's name, as its campaigns carry it.
ORGANISATION = "Demo organisation"
#: The demo's survey waves, oldest first; the last one stays open for the survey link.
WAVE_NAMES: tuple[str, ...] = ("Wave 1 (spring 2024)", "Wave 2 (autumn 2024)")
