"""Cursor pagination for every list: stable under inserts, no page counting."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class Pagination(CursorPagination):
    ordering = "-pk"
    page_size_query_param = "page_size"
    max_page_size = 200
