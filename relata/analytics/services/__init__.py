"""Analytics: the writes (design.md § Writes). Only the derived tables of analytics are
written (`ClientClass`, `AnalyticsSettings`), never business tables.

Who may do what (permission module "analytics"):

- Recomputing the classes (on demand, as a job): `analytics.change` — administrators and
  analysts by default. The classes are a fact of the whole workspace (a client's ABC class
  depends on every other client's revenue), so the computation is not narrowed to the
  starter's scope; reading them is (selectors).
- Changing the thresholds and the period: `analytics.change`.
- Celery beat recomputes every workspace daily without an actor.
"""
