"""superscale: reproduce "Superposition Yields Robust Neural Scaling" from nothing.

Conventions used everywhere in this package:
- alpha is the paper's exponent (p_i proportional to i**-alpha), not the authors' code's alpha - 1;
- losses are summed over the n features and averaged over samples (the code's MSE times n);
- features are indexed by frequency rank, most frequent first.
"""

__version__ = "0.1.0"
