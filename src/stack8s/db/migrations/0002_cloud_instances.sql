-- Multi-cloud instance price catalog (shipped curation + imported SkyPilot catalogs).
CREATE SCHEMA IF NOT EXISTS cloud;

CREATE TABLE IF NOT EXISTS cloud.instances (
    provider text NOT NULL,
    instance_type text NOT NULL,
    region text NOT NULL,
    gpu_model text,
    gpu_count integer NOT NULL DEFAULT 0 CHECK (gpu_count >= 0),
    vram_per_gpu_gb double precision NOT NULL DEFAULT 0,
    total_vram_gb double precision NOT NULL DEFAULT 0,
    vcpu double precision NOT NULL DEFAULT 0,
    ram_gb double precision NOT NULL DEFAULT 0,
    price_hourly_usd double precision NOT NULL CHECK (price_hourly_usd >= 0),
    spot_price_hourly_usd double precision,
    source text NOT NULL,
    as_of date,
    PRIMARY KEY (provider, instance_type, region)
);
-- The ranking order (price, VRAM desc, GPU count desc, provider, name, region) as an index, so a
-- LIMIT query walks it and stops early; plus the selective filters.
CREATE INDEX IF NOT EXISTS instances_rank
    ON cloud.instances (price_hourly_usd, total_vram_gb DESC, gpu_count DESC, provider, instance_type, region);
CREATE INDEX IF NOT EXISTS instances_gpu_rank
    ON cloud.instances (gpu_model, price_hourly_usd, total_vram_gb DESC, gpu_count DESC, provider, instance_type, region)
    WHERE gpu_count > 0;
CREATE INDEX IF NOT EXISTS instances_provider_rank
    ON cloud.instances (provider, price_hourly_usd, total_vram_gb DESC, gpu_count DESC, instance_type, region);

CREATE TABLE IF NOT EXISTS cloud.catalog_sources (
    catalog text NOT NULL,          -- instances | charts | models
    source text NOT NULL,
    rows integer NOT NULL,
    checksum text NOT NULL DEFAULT '',
    errors integer NOT NULL DEFAULT 0,
    as_of date,
    imported_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (catalog, source)
);
