"""The use cases: one function per thing that happens, called by every adapter.

The chat (``actions/``), the console (``console/``), the worker and the CLI only
translate to and from their framework and call these. Each takes its collaborators
(:class:`~meldkamer.service.context.Collaborators`) as an argument and returns a typed
result; nothing here imports Rasa, aiohttp or sanic. This package may import every
other package of ``meldkamer``; none of them imports it back.
"""
