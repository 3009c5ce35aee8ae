"""The agent console and the public pages of the meldkamer (aiohttp, server-rendered)."""
