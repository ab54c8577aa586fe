"""The stage's answer in numbers: toy alpha_m beside the paper's predictions, and the LaTeX macros
(with the tables of dictionaries, laws and toys) that the paper's section quotes.

The paper's predictions for a toy whose feature frequencies follow p_i ~ i^-alpha: alpha_m ~ 1 in
strong superposition (gamma < 0), alpha_m = alpha - 1 in weak superposition (gamma > 0; a power law
of the width only for alpha > 1), alpha the rank-frequency exponent of the fitted law.
"""

from __future__ import annotations

import pandas as pd

from superscale.features.laws import EXPONENTS
from superscale.features.transfer import alpha_m_by_gamma
from superscale.paper.latex import NARROW_COLUMNS, escape

DICTIONARY = ["model", "depth", "size"]


def prediction(strong: bool, alpha: float) -> float:
    """The paper's alpha_m: 1 in strong superposition; alpha - 1 in weak, which it derives for
    alpha > 1 only (below, the loss is not a power law of m), so NaN there: no prediction."""
    if strong:
        return 1.0
    return alpha - 1.0 if alpha > 1.0 else float("nan")


def toy_fits(toy: pd.DataFrame, laws: pd.DataFrame) -> pd.DataFrame:
    """alpha_m per (dictionary, gamma), with the regime, the law's alpha and the paper's prediction."""
    rows = []
    indexed = laws.set_index(DICTIONARY)
    for key, group in toy.groupby(DICTIONARY, sort=True):
        law = indexed.loc[key]
        for fit in alpha_m_by_gamma(group.to_dict("records")):
            strong = fit["gamma"] < 0
            rows.append(
                dict(zip(DICTIONARY, key))
                | {
                    "layer": int(law["layer"]),
                    "n": int(group.n.iloc[0]),
                    "live": int(group.live.iloc[0]),
                    "density": float(group.density.iloc[0]),
                    "regime": "strong" if strong else "weak",
                    **fit,
                    "alpha": float(law["alpha"]),
                    "predicted": prediction(strong, float(law["alpha"])),
                }
            )
    return pd.DataFrame(rows)


DAGGER = r"$^\dagger$"  # marks an alpha_m of under-trained toys
ORDER = ("favoured", "undecided", "disfavoured", "rejected")  # from closest to a power law to furthest


def _count(laws: pd.DataFrame, verdict: str) -> int:
    return int((laws.verdict == verdict).sum())


def verdicts(frame: pd.DataFrame) -> str:
    """'3 of 4 disfavoured, 1 of 4 undecided' (verdicts present, from the closest to a power law)."""
    total = len(frame)
    return ", ".join(f"{_count(frame, v)} of {total} {v}" for v in ORDER if _count(frame, v))


# What a verdict says of the power law: beaten or rejected are both "against" it
STANCE = {"favoured": "favoured", "undecided": "undecided", "disfavoured": "against", "rejected": "against"}
STANCES = ("favoured", "undecided", "against")


def typical(frame: pd.DataFrame) -> str:
    """The most common stance (STANCE) of the verdicts; a tie goes to the one further from a power law."""
    counts = frame.verdict.map(STANCE).value_counts()
    return max(STANCES, key=lambda v: (counts.get(v, 0), STANCES.index(v)))


def confusion(planted: pd.DataFrame) -> pd.DataFrame:
    """Planted law x verdict: how many seeds got each verdict, through the dictionary (recovered)
    and on the planted features' own counts (a perfect dictionary)."""
    rows = []
    for label, group in planted.groupby("label", sort=False):
        for seen, column in (("through the dictionary", "verdict"), ("planted counts", "verdict_planted_counts")):
            counted = group[column].value_counts()
            rows.append(
                {"planted": label, "seen": seen, "seeds": len(group)} | {v: int(counted.get(v, 0)) for v in ORDER}
            )
    return pd.DataFrame(rows)


def answer(laws: pd.DataFrame, controls: pd.DataFrame, planted: pd.DataFrame) -> str:
    """The stage's answer, worded relative to the controls under the same test at the same budget."""
    tokens = controls[controls.control == "tokens (same positions)"]
    null = controls[controls.control.str.startswith("null")]
    power, lognormal = planted[planted.law == "power"], planted[planted.law == "lognormal"]
    parts = [
        f"Under the same test the latents of the {len(laws)} dictionaries are {verdicts(laws)} "
        f"(fitted tails of {laws.decades.min():.1f}-{laws.decades.max():.1f} decades)",
        f"the model's own tokens on the same positions {verdicts(tokens)} ({tokens.decades.max():.1f} decades)",
        f"planted power laws through a dictionary at the same budget {verdicts(power)}",
        f"a planted lognormal of the measured spread {verdicts(lognormal)}",
        f"the random-init null's latents {verdicts(null)}",
    ]
    return "; ".join(parts) + ". So " + verdict_sentence(laws, controls, planted)


def verdict_sentence(laws: pd.DataFrame, controls: pd.DataFrame, planted: pd.DataFrame) -> str:
    """What the test says of the latents against the planted laws, the tokens and the null (the
    answer's conclusion, which the abstract quotes on its own)."""
    tokens = controls[controls.control == "tokens (same positions)"]
    null = controls[controls.control.str.startswith("null")]
    power, lognormal = planted[planted.law == "power"], planted[planted.law == "lognormal"]
    latent, p_verdict, l_verdict = typical(laws), typical(power), typical(lognormal)
    if p_verdict == l_verdict:
        verdict = (
            f"at this budget the test says the same of a planted power law and a planted lognormal ({p_verdict}), "
            "so it cannot tell which of the two the latents follow"
        )
    elif latent == l_verdict:
        verdict = (
            "the latents' frequencies are as far from a power law as a planted lognormal and further than a planted "
            "power law"
        )
    elif latent == p_verdict:
        verdict = "the latents' frequencies are as close to a power law as a planted power law"
    else:
        verdict = "the latents' verdict matches neither planted law"
    order = STANCES.index(latent) - STANCES.index(typical(tokens))
    relation = (
        "closer to a power law than"
        if order < 0
        else "as close to a power law as"
        if order == 0
        else "further from a power law than"
    )
    verdict += f". The latents are {relation} the model's own tokens under the same test"
    verdict += (
        "; the random-init null gets the same verdict, so that verdict does not depend on learned features"
        if typical(null) == latent
        else f"; the random-init null's verdict is mostly {typical(null)}"
    )
    return verdict


def _size_shifts(laws: pd.DataFrame) -> str:
    """'alpha 0.91 -> 1.05 (smollm2-135m, middle), ...': alpha from the smallest to the largest size."""
    parts = []
    for (model, depth), group in laws.groupby(["model", "depth"], sort=True):
        ordered = group.sort_values("size")
        first, last = ordered.iloc[0], ordered.iloc[-1]
        parts.append(
            f"{first.alpha:.2f} at {first['size']}x to {last.alpha:.2f} at {last['size']}x ({escape(model)}, {escape(depth)})"
        )
    return "; ".join(parts)


def _tabular(columns: str, header: str, lines: list[str]) -> str:
    return "\n".join(
        [
            NARROW_COLUMNS,
            rf"\begin{{tabular}}{{{columns}}}",
            r"\toprule",
            header + r" \\",
            r"\midrule",
            *lines,
            r"\bottomrule",
        ]
        + [r"\end{tabular}"]
    )


def _f(value: float, digits: int = 2) -> str:
    return "--" if pd.isna(value) else f"{value:.{digits}f}"


def _at_bound(tau: float, atol: float = 1e-4) -> bool:
    """Whether the fit left tau at a bound of its range (EXPONENTS): the data pulled it beyond,
    so alpha is the bound's value and its standard error describes nothing."""
    return any(abs(tau - bound) <= atol for bound in EXPONENTS["alpha"])


def _bound_note(laws: pd.DataFrame) -> str:
    """' (2 of them at a bound of the fit)' where quoted exponents sit at a bound, else ''."""
    pinned = sum(_at_bound(r.tau) for r in laws.itertuples() if not pd.isna(r.alpha_quoted))
    return f" ({pinned} of them at a bound of the fit, so not measured)" if pinned else ""


def _alpha(row) -> str:
    """alpha +- se where the power law is not rejected or beaten, else a dash; "at bound" where
    the fit's tau sits at a bound of its range."""
    if pd.isna(row.alpha_quoted):
        return "--"
    if _at_bound(row.tau):
        return f"{row.alpha_quoted:.2f} (at bound)"
    return f"{row.alpha_quoted:.2f} $\\pm$ {row.alpha_se:.2f}"


def _law_cells(r) -> str:
    """The test's cells of one fitted set: quoted alpha, x_min count, decades, bootstrap p, R vs
    lognormal / exponential / cutoff (p), verdict."""
    return (
        f"{_alpha(r)} & {r.x_min_count} & {_f(r.decades, 1)} & {_f(r.p_gof)} & "
        f"{_f(r.lr_lognormal, 1)} ({_f(r.p_lognormal)}) & {_f(r.lr_exponential, 1)} ({_f(r.p_exponential)}) & "
        f"{_f(r.lr_truncated_power_law, 1)} ({_f(r.p_truncated_power_law)}) & {r.verdict}"
    )


def _where(r) -> str:
    """A control's text, or a null dictionary's layer and size."""
    return f"{r.depth} x{int(r.size)}" if r.control.startswith("null") else str(r.text)


LAW_HEADER = (
    r"$\alpha$ & $x_{\min}$ & dec. & $p_{\rm gof}$ & $R$ logn. ($p$) & $R$ exp. ($p$) & $R$ cutoff ($p$) & verdict"
)


def macros(
    laws: pd.DataFrame,
    dictionaries: pd.DataFrame,
    planted: pd.DataFrame,
    controls: pd.DataFrame,
    fits: pd.DataFrame,
    settings: dict,
) -> dict[str, object]:
    """Every number, sentence and table the paper's section quotes."""
    law_lines = [
        f"{escape(r.model)} & {escape(r.depth)} ({r.layer}) & {r.size} & {r.latents_live} & {r.latents_fitted} & "
        f"{_law_cells(r)} \\\\"
        for r in laws.itertuples()
    ]
    control_lines = [
        f"{escape(r.control)} & {escape(r.model)} & {escape(_where(r))} & "
        f"{r.tokens} & {r.latents_live} & {_law_cells(r)} \\\\"
        for r in controls.itertuples()
    ]
    table = confusion(planted)
    confusion_lines = [
        f"{escape(r.planted)} & {r.seen} & {r.seeds} & " + " & ".join(str(getattr(r, v)) for v in ORDER) + " \\\\"
        for r in table.itertuples()
    ]
    missing = float("nan")
    quality_lines = [
        f"{escape(r.model)} & {escape(getattr(r, 'source', 'trained'))} & {escape(r.depth)} ({r.layer}) & {r.size} & "
        f"{r.latents} & {_f(r.fve_heldout, 3)} & {_f(r.l0_heldout, 1)} & {r.dead} & {r.dense} & "
        f"{_f(getattr(r, 'loss_clean', missing), 3)} & {_f(getattr(r, 'loss_increase', missing), 3)} & "
        f"{_f(getattr(r, 'loss_recovered', missing), 3)} \\\\"
        for r in dictionaries.itertuples()
    ]
    toy_lines = [
        f"{escape(r.model)} & {escape(r.depth)} & {r.size} & {r.n} & {r.gamma:g} & "
        f"{_f(r.alpha_m)} $\\pm$ {_f(r.alpha_m_se)}{'' if r.trained else DAGGER} & {_f(r.predicted)} & {_f(r.r2)} \\\\"
        for r in fits.itertuples()
    ]
    strong, weak = fits[fits.regime == "strong"], fits[fits.regime == "weak"]
    toy, reference = settings["toy"], planted.iloc[0]
    tokens = controls[controls.control == "tokens (same positions)"]
    quoted = laws.alpha_quoted.dropna()
    measured = planted[planted.label.str.contains("measured") & (planted.law == "power")]
    return {
        "FeaturesModels": ", ".join(escape(model) for model in settings["models"]),
        "FeaturesTrainTokens": settings["tokens"]["train"],
        "FeaturesHeldoutTokens": settings["tokens"]["heldout"],
        "FeaturesContext": settings["context"],
        "FeaturesSampleWords": settings["sample_words"],
        "FeaturesSizes": ", ".join(f"{size}" for size in settings["dictionary"]["sizes"]),
        "FeaturesK": settings["dictionary"]["k"],
        "FeaturesSteps": settings["dictionary"]["steps"],
        "FeaturesDictionaries": len(laws),
        "FeaturesAnswer": answer(laws, controls, planted),
        "FeaturesVerdict": verdict_sentence(laws, controls, planted),
        "FeaturesLevel": f"{settings['law']['level']:g}",
        "FeaturesBootstrap": settings["law"]["bootstrap"],
        "FeaturesScan": settings["law"]["scan"],
        "FeaturesQuoted": f"{len(quoted)} of {len(laws)}",
        "FeaturesAlphaRange": (
            f"from {quoted.min():.2f} to {quoted.max():.2f}" + _bound_note(laws)
            if len(quoted)
            else "nowhere: the power law is beaten or rejected in all"
        ),
        "FeaturesDecadesMin": float(laws.decades.min()),
        "FeaturesDecadesMax": float(laws.decades.max()),
        "FeaturesDecadesEnough": "at least" if laws.decades.min() >= 2 else "fewer than",
        "FeaturesTokenDecades": float(tokens.decades.max()) if len(tokens) else float("nan"),
        "FeaturesSizeShift": _size_shifts(laws),
        "FeaturesFveMin": float(dictionaries.fve_heldout[dictionaries.get("source", "trained") == "trained"].min()),
        "FeaturesFveMax": float(dictionaries.fve_heldout[dictionaries.get("source", "trained") == "trained"].max()),
        "FeaturesThinned": ", ".join(f"{size:,}" if size else "all" for size in settings["controls"]["thinned"]),
        "FeaturesPlantedModel": escape(reference.model),
        "FeaturesPlantedDepth": escape(reference.depth),
        "FeaturesPlantedSize": int(reference["size"]),
        "FeaturesPlantedWidth": int(reference.width),
        "FeaturesPlantedLatents": int(reference.latents),
        "FeaturesPlantedFeatures": int(reference.features),
        "FeaturesPlantedTokens": int(reference.tokens),
        "FeaturesPlantedSeeds": int(planted.seed.nunique()),
        "FeaturesPlantedCap": float(reference.cap),
        "FeaturesPlantedMeasuredAlpha": float(measured.parameter.iloc[0]) if len(measured) else float("nan"),
        "FeaturesPlantedRecoveredMeasured": (
            f"{measured.alpha.min():.2f}--{measured.alpha.max():.2f}" if len(measured) else "--"
        ),
        "FeaturesToyN": toy["n"],
        "FeaturesToyDensity": f"{toy['density']:g}",
        "FeaturesToySteps": toy["steps"],
        "FeaturesToyWidths": ", ".join(str(m) for m in toy["m"]),
        "FeaturesToyFall": f"{toy['converged_fall']:g}",
        "FeaturesToyUntrained": f"{int((~fits.trained).sum())} of {len(fits)}",
        "FeaturesToyStrongMean": float(strong.alpha_m.mean()) if len(strong) else float("nan"),
        "FeaturesToyWeakMean": float(weak.alpha_m.mean()) if len(weak) else float("nan"),
        "FeaturesToyWeakPredictedMean": float(weak.predicted.mean()) if weak.predicted.notna().any() else float("nan"),
        "FeaturesToyWeakPredicted": f"{int(weak.predicted.notna().sum())} of {len(weak)}",
        "FeaturesLawTable": _tabular(
            "lllrrrrrrrrrl", r"model & layer & size & live & fitted & " + LAW_HEADER, law_lines
        ),
        "FeaturesControlTable": _tabular(
            "lllrrrrrrrrrl", r"control & model & text & tokens & values & " + LAW_HEADER, control_lines
        ),
        "FeaturesConfusionTable": _tabular(
            "llr" + "r" * len(ORDER), r"planted & seen & seeds & " + " & ".join(ORDER), confusion_lines
        ),
        "FeaturesQualityTable": _tabular(
            "llllrrrrrrrr",
            r"model & source & layer & size & latents & FVE & $L_0$ & dead & dense & loss & $\Delta$loss & recovered",
            quality_lines,
        ),
        "FeaturesToyTable": _tabular(
            "lllrrrrr",
            r"model & layer & size & $n$ & $\gamma$ & $\alpha_m$ & predicted & $R^2$",
            toy_lines,
        ),
    }
