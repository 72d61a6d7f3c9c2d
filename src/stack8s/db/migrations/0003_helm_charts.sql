-- Helm chart catalog with a weighted full-text column (name > keywords > description).
CREATE TABLE IF NOT EXISTS cloud.helm_charts (
    repository text NOT NULL,
    name text NOT NULL,
    repository_url text NOT NULL DEFAULT '',
    description text NOT NULL DEFAULT '',
    keywords text[] NOT NULL DEFAULT '{}',
    version text NOT NULL,
    app_version text,
    stars integer NOT NULL DEFAULT 0,
    official boolean NOT NULL DEFAULT false,
    home text,
    deprecated boolean NOT NULL DEFAULT false,
    source text NOT NULL,
    as_of date,
    search_tsv tsvector NOT NULL DEFAULT ''::tsvector,
    PRIMARY KEY (repository, name)
);
CREATE INDEX IF NOT EXISTS helm_charts_tsv ON cloud.helm_charts USING gin (search_tsv);
CREATE INDEX IF NOT EXISTS helm_charts_name_lower ON cloud.helm_charts (lower(name));
