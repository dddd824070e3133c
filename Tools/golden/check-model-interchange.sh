#!/usr/bin/env bash
# Checkpoint interchange, mtla -> PyTorch: for every model golden's config, `mtla model init` writes a
# fresh checkpoint (fairseq names), `mtla model run` computes our outputs on the golden's inputs, and
# the reference fairseq model (Tools/golden/refmodel.py, peers venv) loads that checkpoint strictly and
# must reproduce our outputs within 1e-5. The PyTorch -> mtla direction is the ModelGoldenTests suite.
#   Tools/golden/check-model-interchange.sh [case ...]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
py=${PEERS_VENV:-$root/../peers-venv}/bin/python
work=$(mktemp -d /tmp/mtla-interchange.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$root"
swift build -c release --product mtla >/dev/null
mtla=.build/release/mtla
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(speech_mtla_s2 speech_mtla_s3_tied speech_mha speech_gqa speech_mla text_mtla_s2 speech_conformer_mtla_s2)
status=0
for c in "${cases[@]}"; do
    g=Data/golden/model/$c
    "$mtla" model init --config "$g.json" --seed 7 -o "$work/$c.safetensors"
    "$mtla" model run "$work/$c.safetensors" --inputs "$g.safetensors" -o "$work/$c.ours.safetensors"
    if "$py" Tools/golden/check_model_interchange.py "$work/$c.safetensors" --config "$work/$c.json" \
        --inputs "$g.safetensors" --expect "$work/$c.ours.safetensors" --tol 1e-5; then
        echo "PASS $c"
    else
        echo "FAIL $c"; status=1
    fi
done
exit $status
