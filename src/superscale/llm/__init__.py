"""The language-model stage (paper Sec. 3.3): model registry, weight sources (weights/), unembedding
statistics, losses, texts, token frequencies (Zipf) and the Eq. 6 fits."""
