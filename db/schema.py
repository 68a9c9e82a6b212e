"""The schema of a claimscope knowledge base (one SQLite file)."""

from __future__ import annotations

#: Stored in ``PRAGMA user_version``; a reader refuses a file with another version.
SCHEMA_VERSION = 12
#: Stored in ``PRAGMA application_id`` so that a foreign SQLite file is recognised ("CLSC").
APPLICATION_ID = 0x434C5343

TABLES = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE sources (
    id              TEXT PRIMARY KEY,
    file            TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    title           TEXT NOT NULL,
    publisher       TEXT NOT NULL,
    authors         TEXT NOT NULL,          -- JSON list of names
    published       TEXT NOT NULL,          -- EDTF
    published_lower TEXT NOT NULL,
    published_upper TEXT NOT NULL,
    url             TEXT NOT NULL,
    language        TEXT NOT NULL,
    grade           TEXT NOT NULL CHECK (grade IN ('A', 'B', 'C', 'D', 'E', 'F')),
    grade_note      TEXT,
    note            TEXT,
    unconfirmed     TEXT NOT NULL,          -- JSON list of field names
    text_present    INTEGER NOT NULL,
    paragraph_count INTEGER,
    body_lines      TEXT NOT NULL DEFAULT '[]',  -- JSON: line ranges of the body, as the seed gives them
    heading_lines   TEXT NOT NULL DEFAULT '[]',
    excluded_lines  TEXT NOT NULL DEFAULT '[]',
    corpus_dir      TEXT,                   -- where an imported text lives (NULL: in the corpus folder)
    imported        TEXT                    -- when an import added it (NULL: from the seed files)
);
CREATE TABLE predicates (
    id            TEXT PRIMARY KEY,
    label         TEXT NOT NULL,
    inverse_label TEXT,
    subject_kinds TEXT NOT NULL,            -- JSON list
    object_kinds  TEXT NOT NULL,            -- JSON list
    value_type    TEXT CHECK (value_type IN ('number', 'text', 'date')),
    functional    INTEGER NOT NULL,
    description   TEXT,
    self_claim    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE entities (
    id             TEXT PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('group', 'outlet', 'person', 'place', 'event')),
    name           TEXT NOT NULL,
    sort_name      TEXT NOT NULL,           -- folded name, for ordered lists
    summary        TEXT NOT NULL,
    note           TEXT,
    subtype        TEXT,
    date           TEXT,                    -- EDTF, from the event's occurred_on claims
    date_lower     TEXT,
    date_upper     TEXT,
    date_precision TEXT,
    date_sort      TEXT,                    -- where the date sorts: its start, or its end if open-started
    date_inferred  INTEGER NOT NULL DEFAULT 0,  -- resolved from a relative expression ("last month")
    place_id       TEXT REFERENCES entities (id),
    alias_text     TEXT NOT NULL,           -- every alias, one a line, for full-text search
    context        TEXT NOT NULL DEFAULT '', -- an event's place and actors, for full-text search
    claim_count    INTEGER NOT NULL DEFAULT 0,
    imported       TEXT                     -- when an import added it (NULL: from the seed files)
);
CREATE TABLE aliases (
    id        INTEGER PRIMARY KEY,
    entity_id TEXT NOT NULL REFERENCES entities (id),
    alias     TEXT NOT NULL,
    folded    TEXT NOT NULL,
    compact   TEXT NOT NULL,
    weak      INTEGER NOT NULL DEFAULT 0,
    note      TEXT
);
CREATE TABLE claims (
    id           TEXT PRIMARY KEY,
    subject_id   TEXT NOT NULL REFERENCES entities (id),
    predicate_id TEXT NOT NULL REFERENCES predicates (id),
    object_id    TEXT REFERENCES entities (id),
    value_text   TEXT,
    value_number REAL,
    value_date   TEXT,
    unit         TEXT,
    qualifier    TEXT,                      -- about, at least, more than, ... for a number
    start        TEXT,
    "end"        TEXT,
    modality     TEXT NOT NULL,             -- see VALIDATIONS
    claimant_id  TEXT REFERENCES entities (id),
    statement    TEXT,
    inferred     TEXT,
    note         TEXT,
    text         TEXT NOT NULL,             -- the claim read as a sentence, for search
    disputed     INTEGER NOT NULL DEFAULT 0,
    contradicts  TEXT,                      -- JSON list of claim ids, when the curator declared any
    best_grade   INTEGER,                   -- the best (lowest) information grade of its evidence
    time_lower   TEXT,                      -- the first and last day the claim speaks of: its start and end,
    time_upper   TEXT,                      -- its date value, or its event's date (NULL: none)
    scope        TEXT                       -- what a value covers when narrower than the subject (schema 11)
);
CREATE TABLE evidence (
    id        INTEGER PRIMARY KEY,
    claim_id  TEXT NOT NULL REFERENCES claims (id),
    source_id TEXT NOT NULL REFERENCES sources (id),
    paragraph INTEGER NOT NULL,
    sentence  INTEGER,
    start     INTEGER,
    "end"     INTEGER,
    grade     INTEGER NOT NULL,
    anaphora  INTEGER NOT NULL DEFAULT 0,
    paragraph_start INTEGER,                -- the whole paragraph, to show the span in context
    paragraph_end   INTEGER,
    quote     TEXT                          -- the exact quote an imported locator was anchored by
);
CREATE TABLE passages (                  -- the body sentences of the texts present at build or import
    id        INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL REFERENCES sources (id),
    paragraph INTEGER NOT NULL,
    sentence  INTEGER NOT NULL,
    start     INTEGER NOT NULL,
    "end"     INTEGER NOT NULL,
    text      TEXT NOT NULL
);
CREATE TABLE trigram_counts (            -- how many aliases hold each trigram, for fuzzy search
    trigram TEXT PRIMARY KEY,
    aliases INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE disputes (
    dispute_id INTEGER NOT NULL,
    claim_id   TEXT NOT NULL REFERENCES claims (id),
    reason     TEXT NOT NULL,
    PRIMARY KEY (dispute_id, claim_id)
);
"""

# The rules of the two largest tables, checked by one scan each once they are written:
# a CHECK constraint evaluated row by row cost a third of the time of inserting a claim.
# Each query returns the offending rows' ids; the build fails if any does.
VALIDATIONS = (
    ("a claim's modality is one of asserted, reported, claimed, alleged, estimated, hedged, denied",
     "SELECT id FROM claims WHERE modality NOT IN"
     " ('asserted', 'reported', 'claimed', 'alleged', 'estimated', 'hedged', 'denied')"),
    ("a claimed, alleged, estimated or denied claim names its claimant",
     "SELECT id FROM claims WHERE claimant_id IS NULL AND modality IN ('claimed', 'alleged', 'estimated', 'denied')"),
    ("an asserted claim has no claimant (it is the source's own statement)",
     "SELECT id FROM claims WHERE claimant_id IS NOT NULL AND modality = 'asserted'"),
    ("a claim has an object or a value",
     "SELECT id FROM claims WHERE object_id IS NULL AND value_text IS NULL AND value_number IS NULL"
     " AND value_date IS NULL"),
    ("evidence cites a paragraph and sentence numbered from 1",
     "SELECT claim_id FROM evidence WHERE paragraph < 1 OR sentence < 1"),
    ("evidence is graded 1 to 6", "SELECT claim_id FROM evidence WHERE grade NOT BETWEEN 1 AND 6"),
)

# Every lookup path the queries use has an index.
ENTITY_INDEXES = """
CREATE INDEX entities_kind_sort ON entities (kind, sort_name, id);
CREATE INDEX entities_kind_date ON entities (kind, date_sort, date_upper, sort_name, id);
CREATE INDEX entities_place ON entities (place_id);
CREATE INDEX sources_published ON sources (published_lower, id);
CREATE INDEX aliases_compact ON aliases (compact);
CREATE INDEX aliases_entity ON aliases (entity_id);
"""
CLAIM_INDEXES = """
CREATE INDEX claims_subject ON claims (subject_id, predicate_id);
CREATE INDEX claims_object ON claims (object_id, predicate_id);
CREATE INDEX claims_claimant ON claims (claimant_id);
CREATE INDEX claims_predicate ON claims (predicate_id);
CREATE INDEX evidence_claim ON evidence (claim_id);
CREATE INDEX evidence_source ON evidence (source_id, paragraph, claim_id);
CREATE INDEX evidence_sentence ON evidence (source_id, paragraph, sentence);
CREATE INDEX claims_modality ON claims (modality);
CREATE INDEX passages_locator ON passages (source_id, paragraph, sentence);
CREATE INDEX disputes_claim ON disputes (claim_id);
"""
INDEXES = ENTITY_INDEXES + CLAIM_INDEXES

# External-content FTS5 tables named <table>_fts with content="<table>": the form that
# sqlite-utils and Datasette detect, so their search works on the file as it is. The text
# indexes stem English words (killed, killing -> kill) and ignore diacritics.
_STEMMED = "tokenize='porter unicode61 remove_diacritics 2'"
FULL_TEXT = f"""
CREATE VIRTUAL TABLE entities_fts USING fts5 (
    name, alias_text, summary, context, content="entities", {_STEMMED}
);
CREATE VIRTUAL TABLE claims_fts USING fts5 (
    text, content="claims", {_STEMMED}
);
CREATE VIRTUAL TABLE passages_fts USING fts5 (
    text, content="passages", content_rowid='id', {_STEMMED}
);
CREATE VIRTUAL TABLE aliases_fts USING fts5 (
    folded, content="aliases", content_rowid='id'
);
CREATE VIRTUAL TABLE aliases_trigram USING fts5 (
    compact, content="aliases", content_rowid='id', tokenize='trigram', detail='column'
);
"""

# Rebuilt in two steps: the name indexes while the claims are being prepared, then the claims.
ENTITY_FTS_TABLES = ("entities_fts", "aliases_fts", "aliases_trigram")
CLAIM_FTS_TABLES = ("claims_fts", "passages_fts")
