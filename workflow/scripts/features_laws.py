"""Rule features_laws: every dictionary's latents, quality and frequency law -> latents.csv,
dictionaries.csv and laws.csv (superscale.features.laws)."""

import json

import pandas as pd

from superscale.features.tables import dictionary_table, latent_table, law_table
from superscale.provenance.runlog import logged

smk = snakemake

with logged(smk):
    stats = [json.load(open(path)) for path in smk.input.stats]
    latents = latent_table(stats, [pd.read_csv(path) for path in smk.input.latents])
    splices = [row for path in smk.input.splices for row in json.load(open(path))]
    dictionaries = dictionary_table(stats, splices)
    laws = law_table(latents, smk.params.law)
    latents.to_csv(smk.output.latents, index=False)
    dictionaries.to_csv(smk.output.dictionaries, index=False)
    laws.to_csv(smk.output.laws, index=False)
    print(dictionaries.to_string())
    print(laws.to_string())
