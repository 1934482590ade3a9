import json

import numpy as np
import pytest
from mmdet.datasets.api_wrappers import COCO
from mmengine.dataset import BaseDataset
from PIL import Image

import evit_dense  # noqa: F401  applies the checks
from evit_dense.datasets import make_toy_ade20k
from evit_dense.datasets.checks import check_image_complete
from evit_dense.errors import CorruptFileError, DataError, UnreadableImageError


def coco_dict():
    return dict(
        images=[dict(id=1, file_name='a.jpg', width=8, height=8),
                dict(id=2, file_name='b.jpg', width=8, height=8)],
        categories=[dict(id=5, name='shape')],
        annotations=[dict(id=10, image_id=1, category_id=5,
                          bbox=[0, 0, 4, 4], area=16, iscrowd=0)])


def write_json(path, content):
    path.write_text(json.dumps(content))
    return str(path)


def test_valid_coco_file_loads(tmp_path):
    coco = COCO(write_json(tmp_path / 'ok.json', coco_dict()))
    assert coco.get_ann_ids(img_ids=[1]) == [10]


def test_coco_file_that_is_not_json_names_file_and_line(tmp_path):
    path = tmp_path / 'broken.json'
    path.write_text('{"images": [\n  {"id": 1,}\n]}')
    with pytest.raises(CorruptFileError, match=rf'{path}.*line 2'):
        COCO(str(path))


@pytest.mark.parametrize('change, message', [
    (lambda d: d['annotations'][0].update(image_id=7),
     r'annotation 10 refers to image_id 7, which is not in "images"'),
    (lambda d: d['annotations'][0].update(category_id=3),
     r'annotation 10 refers to category_id 3, which is not in "categories"'),
    (lambda d: d['annotations'][0].update(bbox=[0, 0, -2, 4]),
     r'annotation 10 of image 1 has the box \[0, 0, -2, 4\]'),
    (lambda d: d['images'].append(dict(id=2)), r'"images" has id 2 twice'),
    (lambda d: d['annotations'][0].pop('image_id'),
     r'annotation 10 has no "image_id"'),
])
def test_coco_parts_that_do_not_fit_are_named(tmp_path, change, message):
    content = coco_dict()
    change(content)
    path = write_json(tmp_path / 'bad.json', content)
    with pytest.raises(DataError, match=message) as error:
        COCO(path)
    assert path in str(error.value)


def jpeg_bytes(tmp_path):
    path = tmp_path / 'image.jpg'
    pixels = np.random.default_rng(0).integers(0, 255, (64, 64, 3), np.uint8)
    Image.fromarray(pixels).save(path, quality=95)
    return path, path.read_bytes()


def test_truncated_jpeg_and_png_are_named(tmp_path):
    path, data = jpeg_bytes(tmp_path)
    check_image_complete(path)
    path.write_bytes(data[:len(data) * 9 // 10])
    with pytest.raises(UnreadableImageError, match=rf'{path}.*truncated'):
        check_image_complete(path)

    png = tmp_path / 'image.png'
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(png)
    check_image_complete(png)
    png.write_bytes(png.read_bytes()[:-12])
    with pytest.raises(UnreadableImageError, match='truncated'):
        check_image_complete(png)


def test_image_loading_names_truncated_and_undecodable_files(tmp_path):
    from mmcv.transforms import LoadImageFromFile
    path, data = jpeg_bytes(tmp_path)
    load = LoadImageFromFile()
    assert load(dict(img_path=str(path)))['img'].shape == (64, 64, 3)

    path.write_bytes(data[:len(data) * 9 // 10])
    with pytest.raises(UnreadableImageError, match=str(path)):
        load(dict(img_path=str(path)))
    path.write_bytes(b'not an image')
    with pytest.raises(UnreadableImageError, match=rf'{path}.*decoded'):
        load(dict(img_path=str(path)))


def test_label_map_of_another_size_than_its_image_is_named(tmp_path):
    from mmcv.transforms import LoadImageFromFile
    from mmseg.datasets.transforms import LoadAnnotations
    root = make_toy_ade20k(tmp_path, num_train=1, num_val=1)
    image = next((root / 'images' / 'training').iterdir())
    label = root / 'annotations' / 'training' / (image.stem + '.png')
    results = dict(img_path=str(image), seg_map_path=str(label),
                   reduce_zero_label=True, seg_fields=[])
    load_image, load_label = LoadImageFromFile(), LoadAnnotations()
    load_label(load_image(dict(results)))

    Image.open(label).resize((40, 30)).save(label)
    with pytest.raises(DataError, match=rf'{label}" is 30x40 but its image '
                       rf'"{image}" is 120x160'):
        load_label(load_image(dict(results)))


class ImagePaths(BaseDataset):
    """Samples are their image files, loaded by the pipeline."""

    def __init__(self, paths):
        self.paths = paths
        super().__init__(pipeline=[dict(type='mmcv.LoadImageFromFile')],
                         serialize_data=False)

    def load_data_list(self):
        return [dict(img_path=str(path)) for path in self.paths]


def test_unreadable_image_is_skipped_only_when_asked(tmp_path):
    from multiprocessing import Value
    good, _ = jpeg_bytes(tmp_path)
    bad = tmp_path / 'bad.jpg'
    bad.write_bytes(b'not an image')
    dataset = ImagePaths([bad, good])
    with pytest.raises(UnreadableImageError, match=str(bad)):
        dataset[0]

    dataset.unreadable_images_skipped = Value('i', 0)
    # the dataset draws replacements at random until one loads
    assert dataset[0]['img_path'] == str(good)
    assert dataset.unreadable_images_skipped.value >= 1
