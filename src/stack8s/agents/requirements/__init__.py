"""Requirements agent: the conversation -> WorkloadSpec, or clarifying questions."""
