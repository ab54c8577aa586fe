"""What the paper quotes: LaTeX macros and escaping, numbers, methods, the reproduction report and the
digitised authors' figures."""
