"""Delivery: the outbox dispatcher and one module per channel (webhook, email, log, apprise).

Detection writes alerts to the outbox table; only `Dispatcher` sends them.
"""

from monitor.deliver.dispatch import Dispatcher, DispatchReport, make_test_alert

__all__ = ["DispatchReport", "Dispatcher", "make_test_alert"]
