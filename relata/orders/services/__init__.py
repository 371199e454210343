"""Orders and stock: the writes (design.md § Writes).

Who may do what (all of it in permission module "catalog", "Catalog and stock"):

- Reading warehouses, stock levels, movements, suppliers and purchase requests needs
  `catalog.view` (workspace-wide: they have no owner). Orders have an owner (the deal's
  owner for an order from a deal, else its creator), so the role's scope applies too.
- Creating an order **from a won deal** needs the right to change that deal (`sales.change`
  and the deal within the actor's scope) plus `catalog.view`: recording the sale the
  manager has won, and reserving its goods, is part of the manager's own work, without
  the right to edit the catalog. The storekeeper, who has no `sales` permission, cannot.
- Creating an order **directly** needs `catalog.create` (storekeepers, administrators).
- Cancelling an order needs `catalog.change`, or the right to change the order's deal (so
  the manager who made it can take it back).
- Payments, shipments, receipts, adjustments and receiving purchase requests need
  `catalog.change`; warehouses, suppliers and purchase requests made by hand need
  `catalog.create`. A shortage reservation creates its purchase request under the
  permission of the order being reserved.

The built-in roles already fit (sales manager: sales work + catalog view; storekeeper:
catalog everything + clients view, no sales), so they are unchanged and existing
workspaces need no data migration.

Stock locks: every change of stock locks the `StockLevel` rows it touches with
`select_for_update()` in the order (product id, warehouse id), after locking the order
row when one is involved; so two reservations of the last units serialise, and two
transactions never wait for each other in a cycle.
"""
