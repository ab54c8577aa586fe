"""The shape study at fixed N (Katta's dilemma): plan, GPT, token stream, training, measures, CKA,
compressed sensing and analysis."""
