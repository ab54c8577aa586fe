"""The shape sweep's tables and verdicts as LaTeX macro values (written by superscale.paper.latex)
and its summary JSON."""

from __future__ import annotations

import math

import pandas as pd

from superscale.paper.latex import NARROW_COLUMNS, frame_tabular, tabular
from superscale.shapes.statistics import (
    density_by_group,
    loss_by_group,
    overlap_regression,
    pooled_similarity,
    representation_name,
    shape_table,
    similarity_by_group,
)
from superscale.shapes.verdicts import (
    abstract_sentence,
    conclusion,
    density_sentence,
    group_label,
    llm_sentence,
    loss_sentence,
    overlap_sentence,
    parameter_count,
    similarity_sentence,
)


def _with_sd(value: float, sd: float) -> str:
    return f"{value:.3f} $\\pm$ {sd:.3f}" if math.isfinite(sd) else f"{value:.3f}"


OVERLAP_HEADERS = [r"$\overline{\cos^2}$", r"$\overline{\cos^2}\,d_\mathrm{model}$", "$1-S$"]


def shape_tabular(table: pd.DataFrame) -> str:
    """The losses and overlaps by shape (one row per N group and shape)."""
    return frame_tabular(
        table,
        [
            ("r", "$N$ group", lambda row: group_label(row.n_group)),
            ("r", r"$n_\mathrm{layer}$", lambda row: row.n_layer),
            ("r", r"$d_\mathrm{model}$", lambda row: row.d_model),
            ("r", "aspect", lambda row: f"{row.aspect:g}"),
            ("r", "$N$ counted", lambda row: f"{row.n_nonembedding:,.0f}"),
            ("r", "seeds", lambda row: row.seeds),
            ("r", "loss (nats)", lambda row: _with_sd(row.loss, row.loss_sd)),
            ("r", OVERLAP_HEADERS[0], lambda row: f"{row.overlap:.4f}"),
            ("r", OVERLAP_HEADERS[1], lambda row: f"{row.overlap_ratio:.2f}"),
            ("r", OVERLAP_HEADERS[2], lambda row: f"{row.density:.4f}"),
        ],
    )


def similarity_tabular(rows: list[dict]) -> str:
    """CKA of seed pairs and different-shape pairs by N group and representation."""

    def spread(row, kind):
        return (
            f"{row[kind + '_mean']:.3f} [{row[kind + '_min']:.3f}, {row[kind + '_max']:.3f}] ({row[kind + '_pairs']})"
        )

    body = [
        f"{group_label(row['n_group'])} & {representation_name(row)} & {spread(row, 'seed')} & {spread(row, 'cross')} & "
        + (f"{row['equal_loss_mean']:.3f} ({row['equal_loss_pairs']})" if row["equal_loss_pairs"] else "none")
        + f" & {row['verdict']}"
        for row in rows
    ]
    header = r"$N$ group & representation & seed pairs & different shapes & equal-loss & verdict"
    return NARROW_COLUMNS + "\n" + tabular("llrrrl", header, body)  # its intervals are wide


def llm_tabular(llms: pd.DataFrame) -> str:
    """The registry LLMs' shapes and head overlaps ($^*$: N estimated as 12 n_layer d_model^2)."""
    return frame_tabular(
        llms,
        [
            ("l", "model", lambda row: row.model.replace("_", r"\_")),
            ("r", r"$d_\mathrm{model}$", lambda row: row.d_model),
            ("r", r"$n_\mathrm{layer}$", lambda row: row.n_layer),
            ("r", "aspect", lambda row: f"{row.aspect:.1f}"),
            (
                "r",
                "$N$",
                lambda row: (
                    parameter_count(row.n_nonembedding) + ("" if row.n_nonembedding_method == "counted" else "$^*$")
                ),
            ),
            ("r", OVERLAP_HEADERS[0], lambda row: f"{row.mean_sq_overlap:.4f}"),
            ("r", OVERLAP_HEADERS[1], lambda row: f"{row.overlap_ratio:.1f}"),
            ("r", OVERLAP_HEADERS[2], lambda row: f"{row.implied_density_vocab:.5f}"),
        ],
    )


def shapes_summary(
    models: pd.DataFrame, similarity: pd.DataFrame, llms: pd.DataFrame, corpus: dict, settings: dict
) -> tuple[dict, dict]:
    """(summary for JSON, LaTeX macro values) of the shape sweep and the registry LLMs."""
    thresholds = settings["verdicts"]
    flat, z = thresholds["loss_flat_percent"], thresholds["z"]
    table = shape_table(models)
    losses = loss_by_group(models, flat, thresholds["p_value"], thresholds["power"])
    overlap = overlap_regression(models, "d_model", z)
    similar = similarity_by_group(similarity, models, flat, z, thresholds["cka_margin"])
    pooled = pooled_similarity(similar, z, thresholds["cka_margin"])
    densities = density_by_group(table)
    llm_fit = overlap_regression(llms, "width", z) if len(llms) >= 3 else None
    summary = {
        "losses": losses,
        "overlap": overlap,
        "similarity": similar,
        "similarity_pooled": pooled,
        "densities": densities,
        "llm_overlap": llm_fit,
        "shapes": table.to_dict("records"),
        "conclusion": conclusion(losses, overlap, pooled, densities),
    }
    corpus_name = str(corpus["corpus"]).replace("_", r"\_")
    macros = {
        "ShapesCorpus": corpus_name,
        "ShapesTrainDocuments": corpus["train_documents"],
        "ShapesHeldoutDocuments": corpus["heldout_documents"],
        "ShapesTrainTokens": f"{corpus['train_tokens']:,}",
        "ShapesHeldoutTokens": f"{corpus['heldout_tokens']:,}",
        "ShapesVocab": corpus["vocab"],
        "ShapesUnigramLoss": corpus["unigram_loss_heldout"],
        "ShapesContext": settings["context"],
        "ShapesHeadDim": settings["head_dim"],
        "ShapesSteps": settings["steps"],
        "ShapesBatch": settings["batch_size"],
        "ShapesLr": f"{settings['lr']:g}",
        "ShapesWeightDecay": f"{settings['weight_decay']:g}",
        "ShapesTokensTrained": f"{int(models.tokens_trained.iloc[0]):,}",
        "ShapesEvalTokens": f"{int(models.heldout_tokens.iloc[0]):,}",
        "ShapesSimilarityTokens": f"{int(similarity[similarity.representation == 'residual'].examples.iloc[0]):,}",
        "ShapesDepths": ", ".join(f"{depth:g}" for depth in settings["similarity"]["depths"]),
        "ShapesModels": len(models),
        "ShapesGroups": models.n_group.nunique(),
        "ShapesSeeds": models.seed.nunique(),
        "ShapesShapes": len(table),
        "ShapesAspectMin": f"{models.aspect.min():g}",
        "ShapesAspectMax": f"{models.aspect.max():g}",
        "ShapesLossMin": float(models.heldout_loss.min()),
        "ShapesLossMax": float(models.heldout_loss.max()),
        "ShapesFlatPercent": f"{flat:g}",
        "ShapesZ": f"{z:g}",
        "ShapesPValue": f"{thresholds['p_value']:g}",
        "ShapesPower": f"{thresholds['power']:g}",
        "ShapesCkaMargin": f"{thresholds['cka_margin']:g}",
        "ShapesShapeTable": shape_tabular(table),
        "ShapesSimilarityTable": similarity_tabular(similar),
        "ShapesLossVerdict": " ".join(
            loss_sentence(group, flat, thresholds["p_value"], thresholds["power"]) for group in losses
        ),
        "ShapesOverlapVerdict": overlap_sentence(overlap, z, "models"),
        "ShapesSimilarityVerdict": similarity_sentence(similar, pooled),
        "ShapesSparsityVerdict": density_sentence(densities, models),
        "ShapesLlmTable": llm_tabular(llms),
        "ShapesLlmVerdict": llm_sentence(llms, llm_fit, z),
        "ShapesConclusion": summary["conclusion"],
        "ShapesAbstract": abstract_sentence(losses, pooled),
    }
    return summary, macros
