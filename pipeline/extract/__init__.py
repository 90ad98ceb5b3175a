"""Rule extractors, one module per dimension. Each exposes
``extract(text) -> list[Candidate]`` over NORMALISED text; ``pipeline.document``
maps candidates to original offsets and builds the records."""
