"""The development stack, not part of the ``meldkamer`` core.

Real Rasa and action servers for end-to-end tests, benchmarks and transcripts
(:mod:`devstack.stack`), and a simulated tenant that talks to them (:mod:`devstack.tenant`).
"""
