"""Latency, throughput and peak memory of EfficientViT against reference
backbones and models: the measuring behind ``tools/benchmark.py``.

A row of a table is a *spec*: a backbone (``m4``, ``m4:deploy``,
``m4:with_cp``, ``m4:official``, ``b1:mit``, ``resnet18``; see
:mod:`.backbones`) or a whole detector or segmentor from a config
(``CONFIG``, ``CONFIG#deploy``, ``CONFIG#with_cp``, ``CONFIG#onnxruntime``;
see :mod:`.whole_models`). Each spec is built into a *case*, a model and the
step to time (:mod:`.cases`).

How the numbers are taken (:mod:`.runs` drives it): latency is the median
over ``repeat`` runs after ``warmup`` runs, all specs timed in turn in one
process so that a drift of the machine's speed affects them alike
(:mod:`.timing`). Peak memory is measured for each spec alone in a fresh
process (:mod:`.isolation`), over one step after a warm-up step
(:mod:`.memory`). Ratios, tables and plots are :mod:`.report` and
:mod:`.plot`; the reference implementations are :mod:`.references` (their
code is in the source tree's ``third_party/``); ONNX Runtime through
mmdeploy is :mod:`.onnxruntime_runner`.
"""
from .runs import backbone_specs, benchmark, benchmark_deploy, model_specs

__all__ = ['backbone_specs', 'benchmark', 'benchmark_deploy', 'model_specs']
