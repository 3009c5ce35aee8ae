"""What the tenant hears while their melding is handled: the texts, as data.

:mod:`meldkamer.updates.texts` reads the defaults (``texts.yml``) and a client's
overrides; the use case that picks the channel and queues the message is
:mod:`meldkamer.service.tenant_updates`.
"""
