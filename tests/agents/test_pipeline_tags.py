"""The model table's task (pipeline tag) follows the stated domain: a fraud classifier is tabular or text
classification, never object detection; a RAG request's table is its generator's."""

from __future__ import annotations

import pytest

from stack8s.agents.architect.model_table import pipeline_tag_for
from stack8s.planning.spec import WorkloadSpec


@pytest.mark.parametrize(
    ("domain", "needs", "use_case", "tag"),
    [
        ("tabular", "fraud detection on card transactions", None, "tabular-classification"),
        (None, "fraud detection on card transactions", None, "tabular-classification"),
        ("tabular", "anomaly detection on payments", None, "tabular-classification"),
        ("tabular", "sales forecast", None, "time-series-forecasting"),
        ("nlp", "fraud detection in customer emails", None, "text-classification"),
        ("nlp", "classify support tickets by topic", None, "text-classification"),
        ("nlp", "spam detection", None, "text-classification"),
        ("nlp", "semantic search embeddings", None, "sentence-similarity"),
        ("nlp", "retrieval augmented generation chat assistant", "rag", "text-generation"),
        ("nlp", "chat assistant", None, "text-generation"),
        ("computer_vision", "detect defects on a conveyor", None, "object-detection"),
        ("computer_vision", "classify x-ray images", None, "image-classification"),
        ("audio", "classify bird sounds", None, "audio-classification"),
    ],
)
def test_the_table_task_follows_the_domain(domain: str | None, needs: str, use_case: str | None, tag: str) -> None:
    spec = WorkloadSpec(task_type="inference", domain=domain, model_needs=needs, use_case=use_case)
    assert pipeline_tag_for(spec) == tag
