"""A generated toy dataset in COCO's layout, for the quick start and tests.

It mirrors COCO 2017 (Lin et al., "Microsoft COCO: Common Objects in
Context", ECCV 2014) as mmdet's ``CocoDataset`` and ``_base_/datasets/
coco_detection.py`` expect it: JPEG images under ``train2017/`` and
``val2017/`` and ``annotations/instances_{train,val}2017.json`` with boxes
(``[x, y, w, h]``) and polygon segmentations. Each image shows a few filled
rectangles, ellipses and triangles of random colours on a noisy background;
the shapes do not overlap and are large enough for RetinaNet's smallest
anchors, so a short CPU training reaches a clearly non-trivial mAP.
"""
import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

TOY_CLASSES = ('rectangle', 'ellipse', 'triangle')
# Box sides in pixels: RetinaNet's smallest anchors are 32 px.
MIN_SIZE, MAX_SIZE = 32, 72
ELLIPSE_VERTICES = 24


def _rectangle(x0, y0, x1, y1, rng):
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def _ellipse(x0, y0, x1, y1, rng):
    angles = np.linspace(0, 2 * np.pi, ELLIPSE_VERTICES, endpoint=False)
    cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    return [(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in angles]


def _triangle(x0, y0, x1, y1, rng):
    # Apex anywhere on the top edge, so triangles differ from each other but
    # always span the whole box.
    apex = x0 + rng.uniform(0, 1) * (x1 - x0)
    return [(apex, y0), (x1, y1), (x0, y1)]


SHAPES = (_rectangle, _ellipse, _triangle)


def _polygon_area(points):
    x, y = np.asarray(points, dtype=np.float64).T
    return 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))


def _overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _free_box(rng, width, height, taken, tries=10):
    """A random box (x0, y0, x1, y1) overlapping none in ``taken``, or
    None."""
    for _ in range(tries):
        w, h = rng.integers(MIN_SIZE, MAX_SIZE + 1, size=2)
        x0 = int(rng.integers(0, width - w + 1))
        y0 = int(rng.integers(0, height - h + 1))
        box = (x0, y0, x0 + int(w), y0 + int(h))
        if not any(_overlap(box, other) for other in taken):
            return box
    return None


def make_image(rng, width, height, max_objects=4):
    """One RGB image (H, W, 3) uint8 and its objects.

    Returns:
        tuple: The image and a list of ``(label, polygon)`` with ``label`` an
        index into ``TOY_CLASSES`` and ``polygon`` a list of (x, y) points.
    """
    background = rng.integers(0, 256, 3)
    image = Image.new('RGB', (width, height),
                      tuple(int(c) for c in background))
    paint = ImageDraw.Draw(image)
    objects, boxes = [], []
    for _ in range(rng.integers(1, max_objects + 1)):
        label = int(rng.integers(len(TOY_CLASSES)))
        # Shapes do not overlap, so no box hides behind another shape.
        box = _free_box(rng, width, height, boxes)
        if box is None:
            continue
        polygon = SHAPES[label](*map(float, box), rng)
        # A colour far from the background keeps every shape visible.
        colour = (background + rng.integers(80, 176, 3)) % 256
        paint.polygon(polygon, fill=tuple(int(c) for c in colour))
        objects.append((label, polygon))
        boxes.append(box)
    pixels = np.asarray(image, dtype=np.float32)
    pixels += rng.normal(0, 12, pixels.shape)
    return np.clip(pixels, 0, 255).astype(np.uint8), objects


def _annotation(ann_id, image_id, label, polygon):
    x, y = np.asarray(polygon).T
    x0, y0, x1, y1 = x.min(), y.min(), x.max(), y.max()
    return dict(
        id=ann_id,
        image_id=image_id,
        category_id=label + 1,
        bbox=[round(float(v), 2) for v in (x0, y0, x1 - x0, y1 - y0)],
        area=round(float(_polygon_area(polygon)), 2),
        segmentation=[[round(float(v), 2) for point in polygon
                       for v in point]],
        iscrowd=0)


def make_toy_coco(out_dir, num_train=200, num_val=40, size=(128, 128),
                  seed=0):
    """Write a toy COCO-format dataset and return its root.

    Args:
        out_dir (str | Path): Dataset root (``data_root`` in configs).
        num_train (int): Training images. Defaults to 200.
        num_val (int): Validation images. Defaults to 40.
        size (tuple[int, int]): Image (width, height). Defaults to
            (128, 128).
        seed (int): Random seed; the same seed writes the same files.
    """
    if num_train < 1 or num_val < 1:
        raise ValueError(f'need at least one image per split, got '
                         f'num_train={num_train}, num_val={num_val}')
    width, height = size
    if min(width, height) < MAX_SIZE:
        raise ValueError(f'toy images need sides >= {MAX_SIZE} px to hold '
                         f'the shapes, got {size}')
    root = Path(out_dir)
    (root / 'annotations').mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    categories = [dict(id=i + 1, name=name, supercategory='shape')
                  for i, name in enumerate(TOY_CLASSES)]
    for split, count in (('train2017', num_train), ('val2017', num_val)):
        (root / split).mkdir(exist_ok=True)
        images, annotations = [], []
        for image_id in range(1, count + 1):
            pixels, objects = make_image(rng, width, height)
            file_name = f'{image_id:012d}.jpg'
            Image.fromarray(pixels).save(root / split / file_name, quality=95)
            images.append(dict(id=image_id, file_name=file_name,
                               width=width, height=height))
            for label, polygon in objects:
                annotations.append(_annotation(
                    len(annotations) + 1, image_id, label, polygon))
        with open(root / 'annotations' / f'instances_{split}.json', 'w') as f:
            json.dump(dict(images=images, annotations=annotations,
                           categories=categories), f)
    return root
