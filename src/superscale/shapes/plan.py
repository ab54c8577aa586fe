"""Which models the shape stage trains: one per (shape, seed), named L{n_layer}_d{d_model}_s{seed},
and the width ladder's, named ladder_L{n_layer}_d{d_model}_s{seed}.

A config's `shapes.sizes` lists groups of shapes [n_layer, d_model] meant to share one
non-embedding N; each group is labelled by Kaplan's 12 n_layer d_model^2 of its first shape (the
counted N of every model is recorded beside it). `shapes.ladder` lists widths at one depth, trained
on their own token budget with a learning rate that falls with width, for loss and overlap against
width. Seed s reads the windows of data seed `data_seed + s`: two seeds differ in their data order as well as their initialisation,
as two training runs do. Everything here is a pure function of the config, so that a model's spec
(its params) changes only when something that decides its weights changes.
"""

from __future__ import annotations

from superscale.core.resources import cpu_minutes

TRAINING_KEYS = ("batch_size", "steps", "lr", "warmup_steps", "min_lr_ratio", "weight_decay", "grad_clip", "log_every")


def kaplan_n(n_layer: int, d_model: int) -> int:
    """Kaplan et al.'s non-embedding parameter count 12 n_layer d_model^2 (d_ff = 4 d_model)."""
    return 12 * n_layer * d_model**2


def model_name(n_layer: int, d_model: int, seed: int) -> str:
    return f"L{n_layer}_d{d_model}_s{seed}"


def ladder_name(n_layer: int, d_model: int, seed: int) -> str:
    return "ladder_" + model_name(n_layer, d_model, seed)


def _spec(settings: dict, n_layer: int, d_model: int, seed: int, training: dict, where: str) -> dict:
    """What decides one model's weights: shape, init seed, data order and training settings."""
    if d_model % settings["head_dim"]:
        raise ValueError(f"config {where}: d_model {d_model} is not a multiple of head_dim {settings['head_dim']}")
    return {
        "n_layer": n_layer,
        "d_model": d_model,
        "head_dim": settings["head_dim"],
        "vocab": settings["vocab_size"],
        "context": settings["context"],
        "seed": seed,
        "data_seed": settings["data_seed"] + seed,
        "training": training,
    }


def shape_plan(settings: dict) -> dict[str, dict]:
    """Model name -> spec (shape, seeds, N group, training settings) for every model of the sweep."""
    training = {key: settings[key] for key in TRAINING_KEYS}
    models: dict[str, dict] = {}
    for shapes in settings["sizes"]:
        group = kaplan_n(*shapes[0])
        for n_layer, d_model in shapes:
            for seed in settings["seeds"]:
                name = model_name(n_layer, d_model, seed)
                if name in models:
                    raise ValueError(
                        f"config shapes.sizes: shape [{n_layer}, {d_model}] appears in more than one group"
                    )
                models[name] = _spec(settings, n_layer, d_model, seed, training, "shapes.sizes") | {"n_group": group}
    return models


def ladder_plan(settings: dict) -> dict[str, dict]:
    """Model name -> spec for the width ladder: `shapes.ladder.widths` at depth `ladder.n_layer`, the
    sweep's tokenizer, context, head width and optimiser, the ladder's own steps and batch size, and a
    held-out loss curve (`curve_every` steps over `curve_windows` windows) to show how near
    convergence each width is."""
    ladder = settings["ladder"]
    vocab, widest = settings["vocab_size"], max(ladder["widths"])
    if vocab < 8 * widest:
        raise ValueError(
            f"config shapes.ladder.widths: the widest, {widest}, needs vocab_size >= 8 x {widest} = {8 * widest} for "
            f"heads in strong superposition (V/m >= 8, as for the LLMs); shapes.vocab_size is {vocab}: raise it or "
            f"narrow the ladder"
        )
    curve = {"every": ladder["curve_every"], "windows": ladder["curve_windows"]}
    return {
        ladder_name(ladder["n_layer"], width, seed): _spec(
            settings, ladder["n_layer"], width, seed, ladder_training(settings, width), "shapes.ladder.widths"
        )
        | {"curve": curve}
        for width in ladder["widths"]
        for seed in ladder["seeds"]
    }


def ladder_training(settings: dict, width: int) -> dict:
    """Training settings of the ladder's model of width `width`: the sweep's, overridden by the
    ladder's own keys, with the learning rate lr (widest / width)^lr_width_exponent. The best Adam
    rate falls with width (about as 1/width in GPT-3's and muP's tables); the exponent sets how far
    this ladder follows, and the widest model (the bottleneck heads' trunk) keeps the rate `lr`."""
    ladder = settings["ladder"]
    training = {key: ladder.get(key, settings[key]) for key in TRAINING_KEYS}
    exponent = ladder.get("lr_width_exponent", 0.0)
    if exponent:
        training["lr"] = float(training["lr"] * (max(ladder["widths"]) / width) ** exponent)
    return training


def bottleneck_trunk(settings: dict) -> str:
    """The ladder model whose final hidden states the bottleneck heads read: the widest, at seed
    `bottleneck.trunk_seed`. Every listed head width must be narrower than it (the full-width head,
    whose loss is L_inf, is always trained)."""
    ladder, bottleneck = settings["ladder"], settings["bottleneck"]
    widest = max(ladder["widths"])
    if bottleneck["trunk_seed"] not in ladder["seeds"]:
        raise ValueError(
            f"config shapes.bottleneck.trunk_seed: {bottleneck['trunk_seed']} is not among shapes.ladder.seeds "
            f"{ladder['seeds']}: pick one of them, so that the trunk is a ladder model trained anyway"
        )
    if too_wide := [m for m in bottleneck["widths"] if m >= widest]:
        raise ValueError(
            f"config shapes.bottleneck.widths: {too_wide} not narrower than the trunk's width {widest} (the widest "
            f"of shapes.ladder.widths); list only narrower heads, the full-width head is always trained"
        )
    plateau = bottleneck["steps"] - bottleneck.get("cooldown_steps", 0)
    if plateau < bottleneck["curve_every"]:
        raise ValueError(
            f"config shapes.bottleneck: steps - cooldown_steps = {plateau} leaves no held-out curve point "
            f"(curve_every {bottleneck['curve_every']}) at the constant rate, which the convergence gate reads: "
            f"lower cooldown_steps or curve_every"
        )
    return ladder_name(ladder["n_layer"], widest, bottleneck["trunk_seed"])


def bottleneck_mem_mb(settings: dict) -> int:
    """torch, the cached float32 states (training and held-out, twice while they are joined) and a
    batch's logits (3 copies): at the default 1.2-2.2 GB measured (two runs), 2.28 GB estimated."""
    widest, bottleneck = max(settings["ladder"]["widths"]), settings["bottleneck"]
    positions = (bottleneck["train_windows"] + settings["eval_windows"]) * settings["context"]
    return 1200 + (8 * positions * widest + 12 * bottleneck["batch_size"] * settings["vocab_size"]) // 2**20


def train_minutes(spec: dict, threads: int) -> int:
    """Time limit of one model's training job: 6 N FLOPs per token for the blocks and 6 V d for the
    unembedding."""
    n = kaplan_n(spec["n_layer"], spec["d_model"]) + spec["vocab"] * spec["d_model"]
    tokens = spec["training"]["steps"] * spec["training"]["batch_size"] * spec["context"]
    return cpu_minutes(6 * n * tokens, threads)


def train_mem_mb(spec: dict) -> int:
    """torch itself plus the float32 activations kept for the backward pass: per token the logits
    (3 copies) and, per block, ~16 d_model values and one attention row per head."""
    per_token = 3 * spec["vocab"] + spec["n_layer"] * (
        16 * spec["d_model"] + spec["d_model"] // spec["head_dim"] * spec["context"]
    )
    tokens = spec["training"]["batch_size"] * spec["context"]
    return 1024 + 4 * tokens * per_token // 2**20
