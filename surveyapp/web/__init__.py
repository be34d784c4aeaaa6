"""The web layer: one blueprint package per kind of user (routes, forms); thin views only."""
