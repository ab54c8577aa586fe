"""A registered figure the paper's text does not include gets a float of its own."""

from __future__ import annotations

from pathlib import Path

from superscale.paper.figures import placed_by_hand, placement

REPO = Path(__file__).resolve().parents[3]


def test_hand_placed_figures_are_read_from_main_and_the_files_it_inputs(tmp_path):
    (tmp_path / "sections").mkdir()
    (tmp_path / "generated").mkdir()
    (tmp_path / "main.tex").write_text(
        "\\includegraphics[width=\\textwidth]{fig03.pdf}\\hfill\\includegraphics{fig04}\n"
        "% \\includegraphics{commented}\n\\input{sections/extra}\n\\input{generated/figures.tex}\n"
    )
    (tmp_path / "sections/extra.tex").write_text("\\includegraphics[width=0.5\\textwidth]{shapes_loss.pdf}\n")
    (tmp_path / "generated/figures.tex").write_text("\\includegraphics{auto.pdf}\n")  # generated: not the paper's
    assert placed_by_hand(tmp_path / "main.tex") == {"fig03", "fig04", "shapes_loss"}


def test_the_paper_places_every_figure_of_the_default_registry_by_hand():
    from superscale.figures.registry import FIGURES

    assert set(FIGURES) <= placed_by_hand(REPO / "paper/main.tex")


def test_each_unplaced_figure_gets_a_float_with_its_escaped_caption_and_source_line():
    text = placement({"demo_plot": "Loss of 5% of alpha_m & more."})
    assert r"\includegraphics[width=\textwidth,height=0.5\textheight,keepaspectratio]{demo_plot.pdf}" in text
    assert r"\caption{Loss of 5\% of alpha\_m \& more.}" in text and r"\figsource{demo_plot}" in text
    assert text.count(r"\begin{figure}") == 1 and text.startswith(r"\section{Further figures}")
    assert placement({}).startswith("%") and r"\begin" not in placement({})  # a comment, no float
