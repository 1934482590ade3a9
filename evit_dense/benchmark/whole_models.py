"""Whole-model rows: a detector or segmentor from ``CONFIG[#OPTION]``.

``CONFIG`` is a path or a packaged config (``mmdet::...``); ``OPTION`` is
``deploy`` (the deploy form of its backbone and decode head), ``with_cp``
(activation checkpointing in the backbone, and in the neck where it takes
it) or ``onnxruntime`` (exported by mmdeploy, see
:mod:`.onnxruntime_runner`). Each is timed on a fake batch with plausible
ground truth, so that a training step computes real losses.
"""
import inspect
import logging

import torch

from .onnxruntime_runner import onnxruntime_model


def build_detector_or_segmentor(config, with_cp):
    from mmengine.logging import MMLogger
    from mmengine.registry import MODELS

    from ..utils import load_measured_model_config
    cfg = load_measured_model_config(config)
    if with_cp:
        cfg.model.backbone.with_cp = True
        neck = cfg.model.get('neck')
        if neck and 'with_cp' in inspect.signature(
                MODELS.get(neck.type)).parameters:
            neck.with_cp = True
    model = MODELS.build(cfg.model)
    # The heads' own initialisation (e.g. RetinaNet's prior-probability
    # bias) keeps post-processing to the few boxes a real model keeps.
    MMLogger.get_instance('mmengine').setLevel(logging.WARNING)  # init log
    model.init_weights()
    return model, cfg


def num_classes(model):
    """Classes of the model's (first) head."""
    return next(m.num_classes for m in model.modules()
                if isinstance(getattr(m, 'num_classes', None), int))


def fake_batch(scope, shape, batch, with_masks, classes):
    """One preprocessed-ready batch with plausible ground truth."""
    from mmengine.structures import InstanceData, PixelData
    height, width = shape
    inputs, samples = [], []
    for _ in range(batch):
        inputs.append(torch.randint(0, 256, (3, height, width), dtype=torch.uint8))
        meta = dict(img_shape=shape, ori_shape=shape, pad_shape=shape,
                    scale_factor=(1., 1.))
        if scope == 'mmseg':
            from mmseg.structures import SegDataSample
            sample = SegDataSample(metainfo=meta)
            sample.gt_sem_seg = PixelData(
                data=torch.randint(0, classes, (1, height, width)))
        else:
            from mmdet.structures import DetDataSample
            from mmdet.structures.mask import BitmapMasks
            sample = DetDataSample(metainfo=meta)
            xy = torch.rand(10, 2) * torch.tensor([width * 0.6, height * 0.6])
            wh = torch.rand(10, 2) * torch.tensor([width * 0.3, height * 0.3]) + 16
            boxes = torch.cat([xy, xy + wh], dim=1)
            gt = InstanceData(bboxes=boxes,
                              labels=torch.randint(0, classes, (10,)))
            if with_masks:
                masks = torch.zeros(10, height, width, dtype=torch.uint8)
                for i, (x1, y1, x2, y2) in enumerate(boxes.int().tolist()):
                    masks[i, y1:y2, x1:x2] = 1
                gt.masks = BitmapMasks(masks.numpy(), height, width)
            sample.gt_instances = gt
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def model_case(spec, shape, batch, device, preprocess_outside=False):
    """A detector or segmentor from ``CONFIG[#option]``. With
    ``preprocess_outside``, inference times the model on a batch already
    normalised and padded."""
    config, _, option = spec.partition('#')
    model, cfg = build_detector_or_segmentor(config, option == 'with_cp')
    model.to(device)
    data = fake_batch(cfg.default_scope, tuple(shape), batch,
                      getattr(model, 'with_mask', False), num_classes(model))
    if option == 'onnxruntime':
        model = onnxruntime_model(model.eval(), cfg, tuple(shape), device)
    if option == 'deploy':
        model.eval()
        for name in ('backbone', 'decode_head'):
            if hasattr(getattr(model, name, None), 'switch_to_deploy'):
                getattr(model, name).switch_to_deploy()

    if preprocess_outside:
        processed = model.data_preprocessor(data, False)

        def infer():
            return model(**processed, mode='predict')
    else:
        def infer():
            return model.test_step(data)

    def train_step():
        batch_data = model.data_preprocessor(data, training=True)
        losses = model(**batch_data, mode='loss')
        loss, _ = model.parse_losses(losses)
        loss.backward()

    return model, infer, train_step
