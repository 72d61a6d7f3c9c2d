-- Models whose layers mix full attention with linear attention (Qwen3.5, Kimi linear), Mamba mixers
-- (Nemotron-H) or a sliding window (gpt-oss, Gemma 4, Step): how many layers keep a KV cache for every
-- token of the context. NULL: every layer does.
ALTER TABLE hf.models ADD COLUMN IF NOT EXISTS full_attention_layers integer;
