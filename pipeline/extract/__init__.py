"""Rule extractors over NORMALISED text. ``amounts``, ``counts`` and ``dates``
each expose ``extract(text) -> list[Candidate]`` (machinery in ``base``);
``numerals`` reads Chinese and Arabic figures, ``subjects`` finds who a count
counts and ``activities`` labels a section. ``pipeline.document`` maps the
candidates to original offsets and builds the records."""
