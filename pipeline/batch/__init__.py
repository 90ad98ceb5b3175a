"""Many documents: inputs (``inputs``: files, folders, globs, zips), the worker
pool (``run``), the resumable dataset writer (``dataset``) and the tables it
writes (``export``)."""
