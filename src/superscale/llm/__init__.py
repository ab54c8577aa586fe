"""The language-model stage (paper Sec. 3.3): model registry, weight sources (weights/), unembedding
statistics, losses, texts, token frequencies (Zipf), the Eq. 6 fits and the headline numbers (summary)."""
