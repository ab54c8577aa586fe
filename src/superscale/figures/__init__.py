"""Figures, one module per family (toy, scaling, llm, shapes) over one shared style helper."""
