"""Privacy (AVG): retention terms and their job, and the data subject's rights.

* :mod:`meldkamer.privacy.policy`: the retention terms (``retention.yml`` and the
  clients' overrides);
* :mod:`meldkamer.privacy.retention`: the worker's daily job that applies them;
* :mod:`meldkamer.privacy.subject`: finding, exporting and erasing one person's data;
* :mod:`meldkamer.privacy.contract`: a client's data at the end of a contract.

See docs/PRIVACY.md.
"""
