"""A generated toy dataset in ADE20K's layout, for the quick start and tests.

It mirrors ADEChallengeData2016 (Zhou et al., "Scene Parsing through ADE20K
Dataset", CVPR 2017): JPEG images under ``images/{training,validation}`` and
single-channel PNG labels of the same name under
``annotations/{training,validation}``, where 0 is "other" and 1..150 are the
classes, so mmseg's ``ADE20KDataset`` with ``reduce_zero_label=True`` reads it
unchanged. Each scene is sky above grass with cars (rectangles) and trees
(discs) on it, plus clutter labelled 0, which training must learn to ignore.
Colours tell the classes apart, so a short CPU training clearly beats chance.
"""
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

# PNG label -> (ADE20K class name, RGB colour) of the drawn classes.
TOY_CLASSES = {
    3: ('sky', (110, 160, 230)),
    10: ('grass', (90, 180, 70)),
    21: ('car', (200, 40, 40)),
    5: ('tree', (30, 80, 30)),
}
OTHER = 0
SPLITS = {'training': 'train', 'validation': 'val'}


def _box(rng, width, height, top, min_size, max_size):
    """A random box below ``top`` with sides in [min_size, max_size)."""
    w, h = rng.integers(min_size, max_size, size=2)
    x0 = rng.integers(0, max(width - w, 1))
    y0 = rng.integers(top, max(height - h, top + 1))
    return [int(x0), int(y0), int(x0 + w), int(y0 + h)]


def _jitter(rng, colour, amount=20):
    return tuple(int(c) for c in np.clip(
        np.array(colour) + rng.integers(-amount, amount + 1, 3), 0, 255))


def make_scene(rng, width, height):
    """One RGB image (H, W, 3) uint8 and its ADE20K label map (H, W) uint8."""
    image = Image.new('RGB', (width, height))
    label = Image.new('L', (width, height), OTHER)
    paint, mark = ImageDraw.Draw(image), ImageDraw.Draw(label)
    size = min(width, height)

    horizon = int(rng.integers(height * 3 // 10, height * 6 // 10))
    for value, box in ((3, [0, 0, width, horizon]),
                       (10, [0, horizon, width, height])):
        paint.rectangle(box, fill=_jitter(rng, TOY_CLASSES[value][1]))
        mark.rectangle(box, fill=value)

    shapes = [(21, 'rectangle'), (5, 'ellipse')]
    for _ in range(rng.integers(2, 5)):
        value, shape = shapes[rng.integers(len(shapes))]
        box = _box(rng, width, height, horizon - size // 8, size // 6,
                   size // 2)
        getattr(paint, shape)(box, fill=_jitter(rng, TOY_CLASSES[value][1]))
        getattr(mark, shape)(box, fill=value)

    # Clutter of no toy class: ignored by the loss and by the metric.
    box = _box(rng, width, height, 0, size // 10, size // 4)
    paint.ellipse(box, fill=tuple(int(c) for c in rng.integers(0, 256, 3)))
    mark.ellipse(box, fill=OTHER)

    pixels = np.asarray(image, dtype=np.float32)
    pixels += rng.normal(0, 8, pixels.shape)
    return (np.clip(pixels, 0, 255).astype(np.uint8),
            np.asarray(label, dtype=np.uint8))


def make_toy_ade20k(out_dir, num_train=48, num_val=12, size=(160, 120),
                    seed=0):
    """Write a toy ADE20K-format dataset and return its root.

    Args:
        out_dir (str | Path): Dataset root (``data_root`` in configs).
        num_train (int): Training images. Defaults to 48.
        num_val (int): Validation images. Defaults to 12.
        size (tuple[int, int]): Image (width, height). Defaults to (160, 120).
        seed (int): Random seed; the same seed writes the same files.
    """
    if num_train < 1 or num_val < 1:
        raise ValueError(f'need at least one image per split, got '
                         f'num_train={num_train}, num_val={num_val}')
    width, height = size
    if min(width, height) < 32:
        raise ValueError(f'toy images need sides >= 32 px, got {size}')
    root = Path(out_dir)
    rng = np.random.default_rng(seed)
    for split, count in (('training', num_train), ('validation', num_val)):
        image_dir = root / 'images' / split
        label_dir = root / 'annotations' / split
        image_dir.mkdir(parents=True, exist_ok=True)
        label_dir.mkdir(parents=True, exist_ok=True)
        for index in range(1, count + 1):
            image, label = make_scene(rng, width, height)
            name = f'ADE_{SPLITS[split]}_{index:08d}'
            Image.fromarray(image).save(image_dir / f'{name}.jpg', quality=95)
            Image.fromarray(label).save(label_dir / f'{name}.png')
    return root
