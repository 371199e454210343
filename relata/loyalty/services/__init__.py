"""Loyalty: the writes (design.md § Writes).

Who may do what (permission module "loyalty"):

- Programmes and tiers: `loyalty.create` to add, `loyalty.change` to change them.
- Issuing a card: `loyalty.create`, for a holder (company or person) the actor can see.
- Blocking a card and adjusting points by hand (with a note): `loyalty.change`.
- Spending points on an order: `loyalty.view` (the card visible) plus the right to record
  payments of the order (`catalog.change`, the order in scope): the discount is a payment.
- Earning needs no loyalty permission: it follows the payment that completes an order,
  whoever records it (relata.orders.hooks), and expiry runs as the system.

Cards have no owner of their own: a card is visible when the actor has `loyalty.view` and
can see its holder, so the own/team scopes of the client base apply to cards too.

Locks: a change of points locks the card row (`select_for_update`); when an order is
involved its row is locked first (payment_create locks it), then the card, so spends,
earnings, adjustments and expiry never wait for each other in a cycle.
"""
