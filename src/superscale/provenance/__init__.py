"""What made each output: the job header every log starts with, the records joined from Snakemake and
those headers, the audit, and the code fingerprint that keys reruns to what the code means."""
