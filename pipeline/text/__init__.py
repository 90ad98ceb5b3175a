"""Text stages: reading bytes (``reading``), normalising with an offset map to
the original (``normalize``), template gaps (``placeholders``), sub-reports and
boilerplate (``segment``), and the span arithmetic they share (``spans``)."""
