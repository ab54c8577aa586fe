"""Rule features_laws: every dictionary's latents, quality and frequency law -> latents.csv,
dictionaries.csv and laws.csv; the same test on the controls (the model's own tokens on the
latents' positions, the LLM stage's token counts thinned, the random-init null's latents) ->
controls.csv, and their counts -> control_counts.csv (superscale.features.laws, .controls)."""

import json

import pandas as pd

from superscale.features.controls import same_tokens, token_rows
from superscale.features.tables import dictionary_table, latent_table, law_table
from superscale.provenance.runlog import logged

smk = snakemake

with logged(smk):
    law, settings = smk.params.law, smk.params.controls
    stats = [json.load(open(path)) for path in smk.input.stats]
    latents = latent_table(stats, [pd.read_csv(path) for path in smk.input.latents])
    splices = [row for path in smk.input.splices for row in json.load(open(path))]
    dictionaries = dictionary_table(stats, splices)
    laws = law_table(latents, law)
    null_stats = [json.load(open(path)) for path in smk.input.null_stats]
    null_latents = latent_table(null_stats, [pd.read_csv(path) for path in smk.input.null_latents])
    null_laws = law_table(null_latents, law).assign(control="null (random init)", text="features")
    rows, counts = [], []
    texts = smk.params.texts
    for index, (model, path) in enumerate(zip(smk.params.models, smk.input.tokens)):
        ids = pd.read_csv(path).token.to_numpy()
        same_tokens(ids, stats + null_stats, model)
        files = smk.input.llm_counts[index * len(texts) : (index + 1) * len(texts)]  # model-major order
        llm = {text: pd.read_csv(file)["count"].to_numpy() for text, file in zip(texts, files)}
        model_rows, model_counts = token_rows(model, ids, llm, settings["thinned"], law)
        rows += model_rows
        counts += model_counts
    for key, group in null_latents.groupby(["model", "depth", "size"], sort=True):
        live = group["count"][group["count"] > 0].to_numpy()
        tokens = round(group["count"].sum() / group.frequency.sum())
        label = {"model": key[0], "control": "null (random init)", "text": f"{key[1]} x{key[2]}", "tokens": tokens}
        counts.append(pd.DataFrame(label | {"count": live}))
    controls = pd.concat([pd.DataFrame(rows), null_laws], ignore_index=True)
    latents.to_csv(smk.output.latents, index=False)
    pd.concat([dictionaries, dictionary_table(null_stats, [])], ignore_index=True).to_csv(
        smk.output.dictionaries, index=False
    )
    laws.to_csv(smk.output.laws, index=False)
    controls.to_csv(smk.output.controls, index=False)
    pd.concat(counts, ignore_index=True).to_csv(smk.output.counts, index=False)
    print(dictionaries.to_string())
    print(laws.to_string())
    print(controls.to_string())
