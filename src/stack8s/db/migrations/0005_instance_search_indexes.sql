-- GPU model filters are case-insensitive prefix matches ("h100" matches H100 and H100-NVL):
-- lower(gpu_model) LIKE 'h100%' can use this index; ILIKE could not use any btree.
CREATE INDEX IF NOT EXISTS instances_gpu_model_prefix
    ON cloud.instances (lower(gpu_model) text_pattern_ops);

-- Region filters, and spot searches ranked by the spot price (same tie-breaks as instances_rank).
CREATE INDEX IF NOT EXISTS instances_region ON cloud.instances (region, provider);
CREATE INDEX IF NOT EXISTS instances_spot_rank
    ON cloud.instances (spot_price_hourly_usd, total_vram_gb DESC, gpu_count DESC, provider, instance_type, region)
    WHERE spot_price_hourly_usd IS NOT NULL;
