-- Hugging Face models, their cards and the embedded card chunks (RAG).
CREATE EXTENSION IF NOT EXISTS vector;
CREATE SCHEMA IF NOT EXISTS hf;

CREATE TABLE IF NOT EXISTS hf.models (
    model_id text PRIMARY KEY,
    pipeline_tag text,
    library text,
    license text,
    downloads bigint NOT NULL DEFAULT 0,
    likes bigint NOT NULL DEFAULT 0,
    params_billion double precision,
    num_layers integer,
    hidden_size integer,
    num_attention_heads integer,
    num_kv_heads integer,
    head_dim integer,
    max_context integer,
    num_experts integer,
    active_params_billion double precision,
    quantization text,
    family text,
    aliases text[] NOT NULL DEFAULT '{}',
    source text NOT NULL DEFAULT '',
    as_of date,
    -- popularity before normalisation: ln(downloads + 1) + ln(likes + 1) (the seed's rule)
    popularity_raw double precision GENERATED ALWAYS AS (ln(downloads + 1) + ln(likes + 1)) STORED
);
CREATE INDEX IF NOT EXISTS models_pipeline ON hf.models (pipeline_tag);
CREATE INDEX IF NOT EXISTS models_popularity ON hf.models (popularity_raw DESC);

CREATE TABLE IF NOT EXISTS hf.cards (
    card_hash text PRIMARY KEY,
    content text NOT NULL,
    source text NOT NULL DEFAULT ''
);

CREATE TABLE IF NOT EXISTS hf.model_to_card (
    model_id text NOT NULL REFERENCES hf.models (model_id) ON DELETE CASCADE,
    card_hash text NOT NULL REFERENCES hf.cards (card_hash) ON DELETE CASCADE,
    PRIMARY KEY (model_id, card_hash)
);
CREATE INDEX IF NOT EXISTS model_to_card_card ON hf.model_to_card (card_hash);

-- One row per (chunk text, embedding model). The vector has no fixed dimension here: each model
-- gets its own partial HNSW index over `embedding::vector(dim)`, created by the application
-- (stack8s.catalogs.repository.ensure_vector_index), and queries filter on the model name.
CREATE TABLE IF NOT EXISTS hf.card_chunks (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    card_hash text NOT NULL REFERENCES hf.cards (card_hash) ON DELETE CASCADE,
    chunk_index integer NOT NULL,
    content text NOT NULL,
    content_hash text NOT NULL,
    chunker_version text NOT NULL,
    embedding_model_name text NOT NULL,
    embedding_dim integer NOT NULL,
    embedding vector NOT NULL,
    UNIQUE (card_hash, chunk_index, embedding_model_name)
);
CREATE INDEX IF NOT EXISTS card_chunks_hash ON hf.card_chunks (content_hash, embedding_model_name);
