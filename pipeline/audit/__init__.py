"""The auditor: stated totals against their parts (``reconcile``) and the
HTML report that shows them in the source text (``report``)."""
