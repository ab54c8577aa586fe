"""The shape study at fixed N (Katta's dilemma): plan, GPT, token stream, training, measures, CKA,
compressed sensing, statistics and verdicts (their tables: superscale.paper.shapes_numbers)."""
