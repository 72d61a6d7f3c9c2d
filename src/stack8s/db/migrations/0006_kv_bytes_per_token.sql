-- Models whose KV cache is not 2 x layers x KV heads x head dim per token (multi-head latent attention
-- in DeepSeek-V3/R1, Kimi K2: layers x (kv_lora_rank + rope head dim) values) carry their published
-- fp16 KV bytes per token here; sizing uses it instead of the GQA formula when set.
ALTER TABLE hf.models ADD COLUMN IF NOT EXISTS kv_bytes_per_token integer;
