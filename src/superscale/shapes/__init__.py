"""The shape study at fixed N (Katta's dilemma): plan, GPT, token stream, training, measures, CKA,
compressed sensing, statistics, verdicts and their tables (summary), and the open LLMs' shapes
(llm_shape); and the language-model width exponent: bottleneck heads, convergence gate, width law
and its sentences (width_summary)."""
