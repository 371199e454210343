"""What other apps do when something happens to an order, without orders importing them.

    register_order_paid(callback)   # callback(actor, order, payment)

`payment_create` calls every registered callback in its own transaction, after the order's
new status is saved and while the order's row is locked; a callback that raises rolls the
payment back with it. Loyalty earns points here (relata/loyalty/registrations.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from relata.core.models import Membership
    from relata.orders.models import Order, Payment

OrderPaid = Callable[["Membership", "Order", "Payment"], None]

_ORDER_PAID: dict[str, OrderPaid] = {}


def register_order_paid(callback: OrderPaid) -> None:
    """Registering the same function again replaces it (module reloads in tests)."""
    _ORDER_PAID[f"{callback.__module__}.{callback.__qualname__}"] = callback


def order_paid(actor: Membership, order: Order, payment: Payment) -> None:
    """Run the callbacks of a recorded payment (whatever the order's status: each decides)."""
    for callback in list(_ORDER_PAID.values()):
        callback(actor, order, payment)
