"""SMS intake without a framework: the gateway's inbound webhook and who is texting.

:mod:`~meldkamer.smsin.inbound` checks the gateway's signature and reads its JSON;
:mod:`~meldkamer.smsin.senders` tells a contractor's number from a tenant's (the
contractors' keywords of the follow-up issue arrive on the same number).
"""
