"""Our paper: LaTeX escaping, tabulars and the macros through which it quotes every stage's numbers,
numbers with their uncertainties, the methods section, and the abstract's and conclusion's sentences
that name the reproduction report's findings (the report itself: superscale.authors.reproduction)."""
