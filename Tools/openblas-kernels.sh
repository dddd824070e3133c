# Sourced by Recipes/common.sh (so every run.sh, Tools/main-job, Tools/all-recipes, Tools/ci-recipe) and the
# benchmark scripts in Tools/bench: the OpenBLAS kernel family, chosen once for all of them.
#
# OpenBLAS picks its AVX-512 kernels (Cooperlake) on the 2-core AVX-512 VMs of this project. On the Intel VM
# measured they ran the engine's single-threaded sgemm calls about half as fast as its AVX2 (Haswell) kernels:
# the AMI mini trained at 1.81 updates/s against 3.43 with OPENBLAS_CORETYPE=Haswell, same losses
# (2026-11-23, Recipes/ami/asr/RESULTS.md). On an AMD EPYC (Zen 4) VM the family made no measurable
# difference (Recipes/mustc/st/RESULTS.md), so Haswell is the safe choice on both. OpenBLAS reads the
# variable when it is loaded, so it must be set before any `mtla` starts; set it yourself to choose another.
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
