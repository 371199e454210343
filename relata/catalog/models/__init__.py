from relata.catalog.models.prices import PriceList, PriceListItem
from relata.catalog.models.products import DEFAULT_VAT_RATE, VAT_RATES, Category, Product, ProductKind, Unit

__all__ = [
    "DEFAULT_VAT_RATE",
    "VAT_RATES",
    "Category",
    "PriceList",
    "PriceListItem",
    "Product",
    "ProductKind",
    "Unit",
]
