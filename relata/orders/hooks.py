"""What other apps do when something happens to an order, without orders importing them.

    register_order_paid(callback)        # callback(actor, order, payment)
    register_order_cancelled(callback)   # callback(actor, order)
    register_default_discount(callback)  # callback(client, currency) -> (percent, why) | None

`payment_create` and `order_cancel` call their callbacks in their own transaction, after
the order's new status is saved and while the order's row is locked; a callback that
raises rolls the payment (or the cancellation) back with it. Loyalty earns points on
payment, takes them back and returns spent ones on cancellation, and gives the discount of
the client's card tier (relata/loyalty/registrations.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from relata.clients.models import Client
    from relata.core.models import Membership
    from relata.orders.models import Order, Payment

OrderPaid = Callable[["Membership", "Order", "Payment"], None]
OrderCancelled = Callable[["Membership", "Order"], None]


@dataclass(frozen=True)
class DefaultDiscount:
    percent: Decimal
    reason: str  # shown next to the order form's lines ("Card 100042, tier Gold")


DefaultDiscountSource = Callable[["Client", str], "DefaultDiscount | None"]

_ORDER_PAID: dict[str, OrderPaid] = {}
_ORDER_CANCELLED: dict[str, OrderCancelled] = {}
_DEFAULT_DISCOUNT: dict[str, DefaultDiscountSource] = {}


def _key(callback: Any) -> str:
    """Registering the same function again replaces it (module reloads in tests)."""
    return f"{callback.__module__}.{callback.__qualname__}"


def register_order_paid(callback: OrderPaid) -> None:
    _ORDER_PAID[_key(callback)] = callback


def register_order_cancelled(callback: OrderCancelled) -> None:
    _ORDER_CANCELLED[_key(callback)] = callback


def register_default_discount(callback: DefaultDiscountSource) -> None:
    _DEFAULT_DISCOUNT[_key(callback)] = callback


def order_paid(actor: Membership, order: Order, payment: Payment) -> None:
    """Run the callbacks of a recorded payment (whatever the order's status: each decides)."""
    for callback in list(_ORDER_PAID.values()):
        callback(actor, order, payment)


def order_cancelled(actor: Membership, order: Order) -> None:
    for callback in list(_ORDER_CANCELLED.values()):
        callback(actor, order)


def default_discount(client: Client, currency: str) -> DefaultDiscount | None:
    """The largest discount any app gives this client in this currency (None: none)."""
    found = [d for d in (callback(client, currency) for callback in list(_DEFAULT_DISCOUNT.values())) if d]
    found = [d for d in found if d.percent > 0]
    return max(found, key=lambda d: d.percent) if found else None
