-- Architecture facts a vLLM memory/performance estimator needs beyond layers/heads/context:
-- the embedding size (vocab_size, and whether lm_head shares it), the FFN width (per expert for MoE),
-- the routed experts per token, the sliding-window width of models that use one, and the checkpoint dtype.
ALTER TABLE hf.models ADD COLUMN IF NOT EXISTS vocab_size integer;
ALTER TABLE hf.models ADD COLUMN IF NOT EXISTS tie_word_embeddings boolean;
ALTER TABLE hf.models ADD COLUMN IF NOT EXISTS intermediate_size integer;
ALTER TABLE hf.models ADD COLUMN IF NOT EXISTS num_experts_per_tok integer;
ALTER TABLE hf.models ADD COLUMN IF NOT EXISTS sliding_window integer;
ALTER TABLE hf.models ADD COLUMN IF NOT EXISTS torch_dtype text;
