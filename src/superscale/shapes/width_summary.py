"""The language-model width exponent in the paper: per number its regime and whether it compares.

Two measurements of alpha_m (results/fits/llm.json, "bottleneck" and "ladder") become sentences
that state for each number its method (bottleneck heads on one trunk with L_inf measured, or a
trained ladder with L_inf profiled), its convergence gate (superscale.shapes.convergence), its
profile-likelihood interval, its planted-truth control, and whether it may be compared with the
paper's 0.91: only a converged measurement on pretrained families of 10^8-10^11 parameters could
be, so none here is; a converged bottleneck tests the mechanism, an under-trained family is
reported as that. The overlap slopes against 1/m are tabulated with their two baselines.
"""

from __future__ import annotations

import math

import pandas as pd

from superscale.shapes.convergence import CONVERGED

PAPER_SETTING = "pretrained families of $10^8$--$10^{11}$ parameters"


def _interval(fit: dict) -> str:
    low = (
        f"{fit['alpha_m_low']:.3f} (open: the smallest profiled)" if fit["lower_open"] else f"{fit['alpha_m_low']:.2f}"
    )
    high = f"{fit['alpha_m_high']:.2f} (open)" if fit["upper_open"] else f"{fit['alpha_m_high']:.2f}"
    return f"[{low}, {high}]"


def _planted(fit: dict) -> str:
    parts = [
        f"$\\alpha_m={p['alpha_planted']:g}$ as {p['alpha_median']:.2f} (median; intervals of median width "
        f"{p['interval_width_median']:.2f} cover it in {100 * p['coverage']:.0f}\\,\\% of {p['draws']} draws)"
        for p in fit["planted"]
    ]
    return " and ".join(parts)


def _planted_control(fit: dict, widths: str) -> str:
    """The planted-truth sentence: the same fit on synthetic losses at these widths and seed noise,
    or why there is none (one seed per width measures no noise to plant)."""
    if not fit["planted"]:
        return "With one seed per width there is no seed noise to plant: this fit has no planted-truth control."
    return (
        f"Planted in synthetic losses with {widths}, signal and seed noise ({fit['seed_noise']:.4f} nats), "
        f"the same fit returns {_planted(fit)}."
    )


def _lack_of_fit(fit: dict) -> str:
    """How far the points scatter about the law beside the seed noise: a ratio well above 1 says
    the law does not describe the curve (and widens the profile interval)."""
    ratio = fit["residual_sd"] / fit["seed_noise"]
    if not math.isfinite(ratio):
        return f"The points scatter about the law by {fit['residual_sd']:.4f} nats (root mean square)."
    return (
        f"The points scatter about the law by {fit['residual_sd']:.4f} nats (root mean square), "
        f"{ratio:.1f} times the seed noise"
        + (": the law does not describe these losses within their noise." if ratio > 2 else ".")
    )


def _unfitted(family: str, status: str, fit: dict) -> str:
    return (
        f"\\emph{{{family} ({status}).}} {fit['n_points']} points on too few widths for the "
        f"{fit['n_parameters']} parameters of the law: no exponent."
    )


def _local(value: float) -> str:
    """A local exponent, or why there is none: the excess loss at one of the two widths is not
    above L_inf, so its logarithm is undefined."""
    return "undefined (excess loss $\\le0$)" if not math.isfinite(value) else f"{value:.2f}"


def _widths(values) -> str:
    """The widths as LaTeX: "$m=4$--$64$" for a range, "$m=8, 16$" for two."""
    values = sorted({int(v) for v in values})
    return f"$m={values[0]}$--${values[-1]}$" if len(values) > 2 else f"$m={', '.join(map(str, values))}$"


def _gate_words(gate: dict) -> str:
    return (
        f"held-out loss falling by less than {gate['max_drop_percent']:g}\\,\\% over the last "
        f"{100 * gate['late_fraction']:.0f}\\,\\% of training"
    )


def bottleneck_sentences(fit: dict, heads: pd.DataFrame, trunk: dict, settings: dict, gate: dict) -> str:
    """The bottleneck heads' alpha_m with its regime, interval, control and the two predictions."""
    narrow = heads[~heads.full_width]
    status = fit["gate"]
    if not fit["fitted"]:
        return _unfitted("Bottleneck heads", status, fit)
    gap = 100 * (fit["L_inf"] - trunk["trunk_heldout_loss"]) / trunk["trunk_heldout_loss"]
    weak, strong = fit["predictions"]["weak"], fit["predictions"]["strong"]
    inside = [name for name, p in (("strong", strong), ("weak", weak)) if p["inside_interval"]]
    verdict = {
        ("strong",): "strong superposition's and not weak superposition's",
        ("weak",): "weak superposition's and not strong superposition's",
        ("strong", "weak"): "both predictions, so the two are not told apart here",
        (): "neither prediction",
    }[tuple(inside)]
    gate_text = (
        f"every head passes the convergence gate at its constant rate ({_gate_words(gate)} before the cooldown; largest fall "
        f"{heads.late_drop_percent.max():.2f}\\,\\%)"
        if status == CONVERGED
        else f"{len(fit['failing'])} of {len(heads)} heads fail the convergence gate ({_gate_words(gate)}: "
        f"{', '.join(fit['failing'])}), so this exponent is under-trained"
    )
    return (
        f"\\emph{{Bottleneck heads ({status}; the paper's mechanism isolated).}} The ladder's widest model "
        f"(width {trunk['trunk_width']}, $V={trunk['vocab']}$) is the trunk: its final hidden states on "
        f"{trunk['train_positions']:,} training and {trunk['heldout_positions']:,} held-out positions are cached and "
        f"heads $h\\to m\\to V$ of widths {_widths(narrow.width)} ($V/m\\ge{trunk['vocab'] // narrow.width.max()}$) "
        f"and the full width are trained on them ({heads.seed.nunique()} seeds each, {settings['steps']} steps of "
        f"{settings['batch_size']:,} positions, Adam at a constant {settings['lr']:g} for every width, then falling "
        f"linearly to zero over the last {settings.get('cooldown_steps', 0)}, which lowered the held-out loss by up to "
        f"{heads.cooldown_drop_percent.max():.1f}\\,\\%); "
        f"{gate_text}. The full-width head's held-out loss, $L_\\infty={fit['L_inf']:.3f}$ nats, is measured, not "
        f"fitted ({gap:+.1f}\\,\\% from the trunk's own {trunk['trunk_heldout_loss']:.3f}). With it, "
        f"$L-L_\\infty=C_m m^{{-\\alpha_m}}$ gives $\\alpha_m={fit['alpha_m']:.2f}$, 95\\,\\% profile interval "
        f"{_interval(fit)} (which includes the seed error of $L_\\infty$; with $L_\\infty$ at the trunk's own loss "
        f"instead, {fit['alpha_m_trunk_offset']:.2f}). {_lack_of_fit(fit)} Between successive widths the local exponent "
        f"$-d\\ln(L-L_\\infty)/d\\ln m$ runs {', '.join(_local(a) for a in fit['local_alphas'])}: the excess "
        f"loss must reach zero at the trunk's width, so near it no single power describes it. Weak superposition predicts "
        f"$\\alpha_m\\approx\\alpha_{{\\rm Zipf}}-1={weak['alpha_m']:.2f}$ (the training stream's tokens: "
        f"$\\alpha_{{\\rm Zipf}}={fit['zipf_exponent']:.2f}$), strong superposition $\\alpha_m\\approx1$: the interval "
        f"contains {verdict}. {_planted_control(fit, 'these widths')} This number isolates the "
        f"mechanism on one small trunk and one corpus; it is not comparable in setting with the paper's "
        f"0.91 ({PAPER_SETTING})."
    )


def ladder_sentences(fit: dict, ladder: pd.DataFrame, gate: dict) -> str:
    """The trained ladder's alpha_m with its gate status, profile interval and control."""
    status = fit["gate"]
    if not fit["fitted"]:
        return _unfitted("Trained width ladder", status, fit)
    fails = ladder[~ladder.passes_gate]
    reasons = []
    if (~ladder.enough_tokens).any():
        reasons.append(
            f"{int((~ladder.enough_tokens).sum())} saw fewer than {gate['min_tokens_per_parameter']:g} tokens per "
            f"parameter (from {ladder.tokens_per_parameter.max():.1f} at $m={int(ladder.d_model.min())}$ to "
            f"{ladder.tokens_per_parameter.min():.1f} at $m={int(ladder.d_model.max())}$)"
        )
    if (~ladder.flat).any():
        reasons.append(
            f"{int((~ladder.flat).sum())} still lost more than {gate['max_drop_percent']:g}\\,\\% over the last "
            f"{100 * gate['late_fraction']:.0f}\\,\\% (up to {ladder.late_drop_percent.max():.2f}\\,\\%)"
        )
    gate_text = (
        f"{len(fails)} of {len(ladder)} models fail the convergence gate: {'; '.join(reasons)}"
        if len(fails)
        else f"every model passes the convergence gate ({_gate_words(gate)} and at least "
        f"{gate['min_tokens_per_parameter']:g} tokens per parameter)"
    )
    lrs = sorted(ladder.groupby("d_model").lr.first().items())
    best = (
        f"at the smallest $\\alpha_m$ profiled ({fit['alpha_m']:.3f})"
        if fit["alpha_m"] <= fit["alpha_m_low"] and fit["lower_open"]
        else f"$\\alpha_m={fit['alpha_m']:.2f}$"
    )
    determined = (
        ": the data do not bound the exponent from below (a law linear in $\\ln m$ fits as well)"
        if fit["lower_open"]
        else ": the data do not bound the exponent from above"
        if fit["upper_open"]
        else f", $L_\\infty={fit['L_inf']:.3f}$ nats at the best fit"
    )
    comparison = (
        "it is reported as under-trained and not compared with the paper's 0.91"
        if status != CONVERGED
        else f"it is not comparable in setting with the paper's 0.91 ({PAPER_SETTING})"
    )
    control = _planted_control(fit, "the ladder's widths")
    return (
        f"\\emph{{Trained width ladder ({status}).}} {len(ladder)} models of widths {_widths(ladder.d_model)} "
        f"(learning rate {lrs[0][1]:.3g} at $m={int(lrs[0][0])}$ falling to {lrs[-1][1]:.3g} at $m={int(lrs[-1][0])}$); "
        f"{gate_text}. With $L_\\infty$ profiled, the best fit is {best}, 95\\,\\% profile interval "
        f"{_interval(fit)}{determined}. {_lack_of_fit(fit)} "
        f"{control} As a width law {comparison}."
    )


def _slope(entry: dict) -> str:
    """A slope with its error, or why there is none (fewer than three rows or a single width)."""
    if math.isfinite(entry["slope"]):
        return f"{entry['slope']:.2f} $\\pm$ {entry['slope_se']:.2f}"
    return f"not fitted ({entry['n_points']} rows)"


def overlap_table(fits: dict) -> str:
    """A tabular: the slope of log mean squared overlap against log 1/m for the raw rows, the
    centred rows and the rows at initialisation, per family."""
    lines = [
        r"\begin{tabular}{l c c c}",
        r"\toprule",
        r"rows & raw & centred (mean row removed) & at initialisation \\",
        r"\midrule",
    ]
    for label, key in (
        ("width ladder", "ladder_overlap_vs_inverse_width"),
        ("bottleneck heads", "bottleneck_overlap_vs_inverse_width"),
    ):
        slopes = fits[key]
        lines.append(f"{label} & " + " & ".join(_slope(slopes[k]) for k in ("raw", "centred", "init")) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines)


def width_summary(fits: dict, ladder: pd.DataFrame, heads: pd.DataFrame, trunk: dict, settings: dict) -> dict:
    """Macros of the width-exponent paragraph: the two measurements' sentences, the overlap table
    and the slopes the text quotes."""
    bottleneck, gate = fits["bottleneck"], settings["gate"]
    ladder_slopes, head_slopes = fits["ladder_overlap_vs_inverse_width"], fits["bottleneck_overlap_vs_inverse_width"]
    return {
        "LlmBottleneckText": bottleneck_sentences(bottleneck, heads, trunk, settings["bottleneck"], gate),
        "LlmLadderText": ladder_sentences(fits["ladder"], ladder, gate),
        "LlmWidthOverlapTable": overlap_table(fits),
        "LlmLadderOverlapSlope": float(ladder_slopes["raw"]["slope"]),
        "LlmLadderOverlapSlopeSE": float(ladder_slopes["raw"]["slope_se"]),
        "LlmLadderOverlapSlopeCentred": float(ladder_slopes["centred"]["slope"]),
        "LlmLadderOverlapSlopeInit": float(ladder_slopes["init"]["slope"]),
        "LlmBottleneckOverlapSlope": float(head_slopes["raw"]["slope"]),
        "LlmBottleneckOverlapSlopeCentred": float(head_slopes["centred"]["slope"]),
        "LlmBottleneckOverlapSlopeInit": float(head_slopes["init"]["slope"]),
        "LlmBottleneckAlphaM": float(bottleneck["alpha_m"]),
        "LlmBottleneckGate": bottleneck["gate"],
        "LlmLadderGate": fits["ladder"]["gate"],
    }
