"""Pydantic v2 records: the output contract of zongjie.

Every record is frozen and forbids unknown fields. Field names follow
``../shared/gold/SCHEMA.md`` so one scorer reads gold and predictions alike.
All ``start``/``end`` offsets are half-open code-point offsets into the ORIGINAL
decoded text (before any normalisation), and ``quote == text[start:end]`` (except
in a record with ``redacted: true``, whose person names are pseudonyms).
"""

from __future__ import annotations

import functools
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

Approx = Literal["exact", "about", "at_least", "at_most"]
FactStatus = Literal["ok", "masked", "missing"]
Grounding = Literal["exact", "expanded"]
Number = Union[int, float]


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def model_post_init(self, context: Any, /) -> None:
        # pydantic keeps, per instance, the set of the fields the caller passed
        # (~700 bytes for a fact's dozen fields, more than the values take); a
        # 50 MB page holds millions of records. Records are frozen and never read
        # with exclude_unset, so every instance of a class shares one set: all of
        # its fields (model_copy still copies it before it adds to it)
        object.__setattr__(self, "__pydantic_fields_set__", _all_fields(type(self)))


@functools.lru_cache(maxsize=None)
def _all_fields(cls: type[BaseModel]) -> set[str]:
    return set(cls.model_fields)


class Grounded(Record):
    """Anything with a span in the original text."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    quote: str

    @model_validator(mode="after")
    def _ordered(self, info: ValidationInfo) -> "Grounded":
        if self.end < self.start:
            raise ValueError(f"end {self.end} < start {self.start}")
        # a redacted record (--redact-persons) has pseudonyms in its quotes: the one
        # place where a quote may differ from the input at start:end
        redacted = bool(info.context and info.context.get("redacted"))
        if len(self.quote) != self.end - self.start and not redacted:
            raise ValueError("quote length does not match its span")
        return self


class FactBase(Grounded):
    fact_id: str
    section: int | None = None
    rule_id: str
    source: Literal["rule", "ner"] = "rule"
    # "expanded" when the span had to grow to cover a whole normalisation block
    # (a stripped pinyin gloss, a mojibake repair): the quote is still raw text.
    grounding: Grounding = "exact"


class Amount(FactBase):
    type: Literal["amount"] = "amount"
    value: Number | None = None
    low: Number | None = None
    high: Number | None = None
    approx: Approx = "exact"
    per: str | None = None
    status: FactStatus = "ok"
    currency: str = "CNY"
    role: str | None = None


class Count(FactBase):
    type: Literal["count"] = "count"
    value: int | None = None
    # a vague count (十几名, 数百名) is a range, value null
    low: int | None = None
    high: int | None = None
    approx: Approx = "exact"
    status: FactStatus = "ok"
    unit: str
    subject: str | None = None


class Date(FactBase):
    type: Literal["date"] = "date"
    year: int | None = None
    year_masked: bool = False
    year_rel: int | None = None
    month: int | None = Field(default=None, ge=1, le=12)
    day: int | None = Field(default=None, ge=1, le=31)
    end_month: int | None = Field(default=None, ge=1, le=12)
    end_day: int | None = Field(default=None, ge=1, le=31)
    part: str | None = None
    masked: bool = False
    status: FactStatus = "ok"
    # the calendar year a relative year (今年, 去年) stands for, read against the
    # page's own date (Document.date); ``year`` stays as written (null for 今年)
    year_resolved: int | None = None


Fact = Annotated[Union[Amount, Count, Date], Field(discriminator="type")]

PlaceholderKind = Literal["year", "number", "date", "name", "other"]


class Placeholder(Grounded):
    kind: PlaceholderKind
    rule_id: str


class Boilerplate(Grounded):
    reason: str


class Section(Grounded):
    """A sub-report. ``start``/``end``/``quote`` are its heading line;
    ``body_end`` is where the sub-report's text stops."""

    index: int = Field(ge=1)
    body_end: int
    primary: str = "other"
    activities: list[str] = Field(default_factory=list)
    # names of the organisations (NER, label ORG) the sub-report mentions, in
    # simplified form, in order of first mention
    organisations: list[str] = Field(default_factory=list)


class Entity(Grounded):
    """A name the entity pass found (``--ner-engine``: the lexical pass or the model):
    an organisation, a beneficiary group or a person. ``text`` is the simplified
    form it read (``quote`` is the original)."""

    label: Literal["ORG", "GROUP", "PERSON"]
    text: str
    section: int | None = None
    grounding: Grounding = "exact"


class SpanRef(Record):
    start: int
    end: int


class ProductPart(Record):
    count: SpanRef
    rate: SpanRef


class Check(Record):
    check_id: str
    relation: Literal["sum", "product_sum"]
    scope: Literal["sentence", "paragraph", "document"]
    status: Literal["consistent", "inconsistent", "unverifiable"]
    total: SpanRef
    parts: list[SpanRef] | list[ProductPart]
    stated: Number | None = None
    computed: Number | None = None
    # a rate given as a range bounds the computed total: computed .. computed_high
    computed_high: Number | None = None
    difference: Number | None = None
    tolerance: Number = 0
    derivation: str
    section: int | None = None
    # the act of giving this total belongs to, when an event shares its facts
    event_id: str | None = None


class FactRef(Record):
    """A fact an event refers to: its span (as the scorer pairs them) and its id."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    fact_id: str


EventStatus = Literal["complete", "no_money", "no_recipients", "no_date", "masked"]


class Event(Grounded):
    """One act of giving stated with figures (SCHEMA.md, type = "event")."""

    type: Literal["event"] = "event"
    event_id: str
    section: int | None = None
    action: str
    giver: SpanRef | None = None
    giver_text: str | None = None  # simplified text of the giver, for tables
    recipients: list[FactRef] = Field(default_factory=list)
    amounts: list[FactRef] = Field(default_factory=list)
    date: FactRef | None = None
    activity: str
    # resolved from the facts, so a table needs no joins
    year: int | None = None
    month: int | None = None
    day: int | None = None
    recipients_subject: str | None = None
    recipients_count: int | None = None
    amount_total: Number | None = None
    rate: Number | None = None
    rate_per: str | None = None
    status: EventStatus = "complete"


class DocumentDate(Grounded):
    """The date a page states for itself: what 今年 / 去年 resolve against."""

    year: int
    month: int | None = None
    day: int | None = None
    source: Literal["published", "dateline", "signature"]


class Document(Record):
    doc_id: str
    # skipped: seen and not read (a type zongjie does not read); error says why
    status: Literal["ok", "error", "skipped"] = "ok"
    error: str | None = None
    encoding: str | None = None
    # for .docx/.pdf/.rtf/.doc/.wps: the reader whose text the offsets point into
    reader: str | None = None
    reader_version: str | None = None
    # first 16 hex digits of the SHA-256 of the input's bytes: what --resume keys on
    sha256: str | None = None
    length: int = 0
    facts: list[Fact] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    placeholders: list[Placeholder] = Field(default_factory=list)
    boilerplate: list[Boilerplate] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    # the page's own date, when it states one (never today's)
    date: DocumentDate | None = None
    # true when --redact-persons replaced person names by pseudonyms in every
    # text field: quotes then no longer equal the input at start:end
    redacted: bool = False

    def to_json(self) -> str:
        # pydantic's serializer writes the line in Rust: no dict of every field of
        # every fact is built first (for a 50 MB page, gigabytes); compact separators
        return self.model_dump_json()

    def to_json_bytes(self) -> bytes:
        """``to_json`` as UTF-8 bytes, as the batch writers write it: half the
        memory of a ``str`` holding Chinese text (two bytes a character), and
        no decoding and encoding again on the way to the file."""
        return self.__pydantic_serializer__.to_json(self)


# the record lists of a Document, in the order its JSON line writes them
DOCUMENT_LISTS = tuple(n for n, f in Document.model_fields.items() if getattr(f.annotation, "__origin__", None) is list)


def json_schema() -> dict:
    """The JSON Schema of one output line (a Document)."""
    return Document.model_json_schema()
