from relata.orders.models.orders import (
    Order,
    OrderCounter,
    OrderLine,
    OrderStatus,
    Payment,
    PurchaseRequest,
    PurchaseStatus,
    Shipment,
    ShipmentDocument,
    ShipmentLine,
    Supplier,
)
from relata.orders.models.stock import ImmutableRow, MovementKind, StockLevel, StockMovement, Warehouse

__all__ = [
    "ImmutableRow",
    "MovementKind",
    "Order",
    "OrderCounter",
    "OrderLine",
    "OrderStatus",
    "Payment",
    "PurchaseRequest",
    "PurchaseStatus",
    "Shipment",
    "ShipmentDocument",
    "ShipmentLine",
    "StockLevel",
    "StockMovement",
    "Supplier",
    "Warehouse",
]
