"""Read reference values off the authors' published figures (vector PDFs), each with a reading error.

The figures' tick labels are outlined glyphs, not text, and some panels are embedded rasters, so
every axis is calibrated the same way on pixels: the page is rendered (or a raster panel's embedded
image taken), the axes frame is found from its long black spines, the ticks from short black marks
just outside a spine, and each tick's label is read by matching its glyphs with the DejaVu Sans
digits (matplotlib's default font). Values come from the exact vector paths (marker centres and fill
colours), from embedded heatmap and colour-bar images (colour-bar inversion), or from bar tops on the
panel's pixels. The readers are generic (heatmap with colour bar, markers on axes, bars); each
figure's reader configures them.

One module a step, each using only those before it: pixels, frames, glyphs, axes, colorbars, panels,
figures (the figure readers and the command line that writes data/authors_figures.csv).
"""
