"""The benchmark suite of issue 7: ``python -m bench`` (``make bench``), or
``python -m bench --smoke`` for the small CI version. See docs/performance.md."""
