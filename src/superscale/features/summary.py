"""The stage's answer in numbers: toy alpha_m beside the paper's predictions, and the LaTeX macros
(with the tables of dictionaries, laws and toys) that the paper's section quotes.

The paper's predictions for a toy whose feature frequencies follow p_i ~ i^-alpha: alpha_m ~ 1 in
strong superposition (gamma < 0), alpha_m = alpha - 1 in weak superposition (gamma > 0; a power law
of the width only for alpha > 1), alpha the rank-frequency exponent of the fitted law.
"""

from __future__ import annotations

import pandas as pd

from superscale.features.transfer import alpha_m_by_gamma
from superscale.paper.latex import escape

DICTIONARY = ["model", "depth", "size"]


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
                    "predicted": 1.0 if strong else float(law["alpha"]) - 1.0,
                }
            )
    return pd.DataFrame(rows)


def _count(laws: pd.DataFrame, verdict: str) -> int:
    return int((laws.verdict == verdict).sum())


def answer(laws: pd.DataFrame) -> str:
    """One sentence with the verdict counts (favoured / disfavoured / undecided) over the dictionaries."""
    total = len(laws)
    parts = [f"{_count(laws, v)} of {total} {v}" for v in ("favoured", "disfavoured", "undecided")]
    return "a power law is " + ", ".join(parts)


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
        [rf"\begin{{tabular}}{{{columns}}}", r"\toprule", header + r" \\", r"\midrule", *lines, r"\bottomrule"]
        + [r"\end{tabular}"]
    )


def _f(value: float, digits: int = 2) -> str:
    return "--" if pd.isna(value) else f"{value:.{digits}f}"


def macros(
    laws: pd.DataFrame, dictionaries: pd.DataFrame, planted: pd.DataFrame, fits: pd.DataFrame, settings: dict
) -> dict[str, object]:
    """Every number and table the paper's section quotes."""
    power = planted[planted.distribution == "power"].iloc[0]
    exponential = planted[planted.distribution == "exponential"].iloc[0]
    law_lines = [
        f"{escape(r.model)} & {escape(r.depth)} ({r.layer}) & {r.size} & {r.latents_live} & {r.latents_fitted} & "
        f"{_f(r.alpha)} & {_f(r.x_min, 5)} & {_f(r.ks_distance, 3)} & {_f(r.lr_lognormal)} ({_f(r.p_lognormal, 3)}) & "
        f"{_f(r.lr_exponential)} ({_f(r.p_exponential, 3)}) & {r.verdict} \\\\"
        for r in laws.itertuples()
    ]
    missing = float("nan")
    quality_lines = [
        f"{escape(r.model)} & {escape(r.depth)} ({r.layer}) & {r.size} & {r.latents} & {_f(r.fve_heldout, 3)} & "
        f"{_f(r.l0_heldout, 1)} & {r.dead} & {r.dense} & {_f(getattr(r, 'loss_clean', missing), 3)} & "
        f"{_f(getattr(r, 'loss_increase', missing), 3)} & {_f(getattr(r, 'loss_recovered', missing), 3)} \\\\"
        for r in dictionaries.itertuples()
    ]
    toy_lines = [
        f"{escape(r.model)} & {escape(r.depth)} & {r.size} & {r.n} & {r.gamma:g} & "
        f"{_f(r.alpha_m)} $\\pm$ {_f(r.alpha_m_se)} & {_f(r.predicted)} & {_f(r.r2)} \\\\"
        for r in fits.itertuples()
    ]
    strong, weak = fits[fits.regime == "strong"], fits[fits.regime == "weak"]
    toy, planted_settings = settings["toy"], settings["planted"]
    error = abs(float(power.alpha_error))
    return {
        "FeaturesModels": ", ".join(escape(model) for model in settings["models"]),
        "FeaturesTrainTokens": settings["tokens"]["train"],
        "FeaturesHeldoutTokens": settings["tokens"]["heldout"],
        "FeaturesContext": settings["context"],
        "FeaturesSizes": ", ".join(f"{size}" for size in settings["dictionary"]["sizes"]),
        "FeaturesK": settings["dictionary"]["k"],
        "FeaturesSteps": settings["dictionary"]["steps"],
        "FeaturesDictionaries": len(laws),
        "FeaturesAnswer": answer(laws),
        "FeaturesLevel": f"{settings['law']['level']:g}",
        "FeaturesAlphaMin": float(laws.alpha.min()),
        "FeaturesAlphaMax": float(laws.alpha.max()),
        "FeaturesSizeShift": _size_shifts(laws),
        "FeaturesFveMin": float(dictionaries.fve_heldout.min()),
        "FeaturesFveMax": float(dictionaries.fve_heldout.max()),
        "FeaturesPlantedAlpha": float(power.alpha_planted),
        "FeaturesPlantedRecovered": float(power.alpha),
        "FeaturesPlantedCountsAlpha": float(power.alpha_planted_counts),
        "FeaturesPlantedWithin": "within" if error <= planted_settings["tolerance"] else "outside",
        "FeaturesPlantedVerdict": power.verdict,
        "FeaturesPlantedExpVerdict": exponential.verdict,
        "FeaturesPlantedExpLR": float(exponential.lr_exponential),
        "FeaturesPlantedExpLogLR": float(exponential.lr_lognormal),
        "FeaturesPlantedFeatures": int(power.features),
        "FeaturesPlantedLatents": int(power.latents),
        "FeaturesPlantedWidth": int(power.width),
        "FeaturesPlantedTokens": int(power.tokens),
        "FeaturesPlantedTolerance": f"{planted_settings['tolerance']:g}",
        "FeaturesToyN": toy["n"],
        "FeaturesToyDensity": f"{toy['density']:g}",
        "FeaturesToySteps": toy["steps"],
        "FeaturesToyWidths": ", ".join(str(m) for m in toy["m"]),
        "FeaturesToyStrongMean": float(strong.alpha_m.mean()) if len(strong) else float("nan"),
        "FeaturesToyWeakMean": float(weak.alpha_m.mean()) if len(weak) else float("nan"),
        "FeaturesToyWeakPredictedMean": float(weak.predicted.mean()) if len(weak) else float("nan"),
        "FeaturesLawTable": _tabular(
            "lllrrrrrrrl",
            r"model & layer & size & live & fitted & $\alpha$ & $x_{\min}$ & KS & $R$ lognormal ($p$) & "
            r"$R$ exponential ($p$) & verdict",
            law_lines,
        ),
        "FeaturesQualityTable": _tabular(
            "lllrrrrrrrr",
            r"model & layer & size & latents & FVE & $L_0$ & dead & dense & loss & $\Delta$loss & recovered",
            quality_lines,
        ),
        "FeaturesToyTable": _tabular(
            "lllrrrrr",
            r"model & layer & size & $n$ & $\gamma$ & $\alpha_m$ & predicted & $R^2$",
            toy_lines,
        ),
    }
