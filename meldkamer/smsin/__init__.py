"""SMS intake without a framework: the gateway's inbound webhook.

:mod:`~meldkamer.smsin.inbound` checks the gateway's signature and reads its JSON. A text
from a contractor's number goes to the work-order keywords
(:mod:`meldkamer.service.workorder_sms`), every other one to the tenants' assistant.
"""
