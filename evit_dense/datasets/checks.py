"""What makes data broken, named: the checks that
``evit_dense.runtime.data_checks`` runs where mmdet and mmseg load COCO
annotations and images.
"""
from ..errors import DataError, UnreadableImageError

JPEG_START, JPEG_START_OF_SCAN = b'\xff\xd8', b'\xff\xda'
JPEG_END = b'\xff\xd9'
PNG_START, PNG_END = b'\x89PNG', b'IEND'


def check_coco_annotations(dataset, path):
    """Raise ``DataError`` unless the COCO dict ``dataset`` (the content of
    ``path``) has lists of images and categories with unique ids, and
    annotations that refer to those and have non-negative box sizes."""
    if not isinstance(dataset, dict):
        raise DataError(f'annotation file "{path}" holds a '
                        f'{type(dataset).__name__}, not a COCO dict')
    sections = {}
    for key in ('images', 'categories', 'annotations'):
        section = dataset.get(key, [])
        if not isinstance(section, list) or not all(
                isinstance(item, dict) for item in section):
            raise DataError(f'annotation file "{path}": "{key}" must be a '
                            f'list of objects')
        sections[key] = section
    ids = {}
    for key in ('images', 'categories'):
        ids[key] = set()
        for item in sections[key]:
            if 'id' not in item:
                raise DataError(f'annotation file "{path}": an entry of '
                                f'"{key}" has no "id": {item}')
            if item['id'] in ids[key]:
                raise DataError(f'annotation file "{path}": "{key}" has id '
                                f'{item["id"]} twice')
            ids[key].add(item['id'])
    for annotation in sections['annotations']:
        name = f'annotation {annotation.get("id", "without id")}'
        for field, known in (('image_id', ids['images']),
                             ('category_id', ids['categories'])):
            if field not in annotation:
                raise DataError(f'annotation file "{path}": {name} has no '
                                f'"{field}"')
            if annotation[field] not in known:
                section = 'images' if field == 'image_id' else 'categories'
                raise DataError(
                    f'annotation file "{path}": {name} refers to '
                    f'{field} {annotation[field]}, which is not in '
                    f'"{section}"')
        box = annotation.get('bbox')
        if box is not None and (len(box) != 4 or box[2] < 0 or box[3] < 0):
            raise DataError(
                f'annotation file "{path}": {name} of image '
                f'{annotation["image_id"]} has the box {box}; COCO boxes are '
                f'[x, y, width, height] with non-negative sizes')


def check_image_complete(path):
    """Raise ``UnreadableImageError`` if the JPEG or PNG file at ``path``
    lacks its end marker: the file was cut short (decoders often return
    the truncated image silently, its missing rows gray)."""
    with open(path, 'rb') as file:
        data = file.read()
    if data.startswith(JPEG_START):
        complete = data.rfind(JPEG_END) > data.find(JPEG_START_OF_SCAN) >= 0
    elif data.startswith(PNG_START):
        complete = data.rfind(PNG_END) >= 0
    else:
        return
    if not complete:
        raise UnreadableImageError(f'image "{path}" is truncated: the file '
                                   f'ends before its end-of-image marker')
