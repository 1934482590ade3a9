"""Write a toy COCO-format dataset (see evit_dense/datasets/toy_coco.py).

Example:
    python tools/make_toy_coco.py data/toy_coco
    python tools/train.py configs/toy/retinanet_evit_m0_toy_coco.py
"""
import argparse
import warnings

# Third-party imports still use setuptools' deprecated pkg_resources; only
# that notice is silenced.
warnings.filterwarnings('ignore', 'pkg_resources is deprecated', UserWarning)

from evit_dense.datasets.toy_coco import make_toy_coco


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out_dir', help='dataset root to write')
    parser.add_argument('--num-train', type=int, default=200)
    parser.add_argument('--num-val', type=int, default=40)
    parser.add_argument('--size', type=int, nargs=2, default=(128, 128),
                        metavar=('WIDTH', 'HEIGHT'))
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def main():
    args = parse_args()
    root = make_toy_coco(args.out_dir, args.num_train, args.num_val,
                         tuple(args.size), args.seed)
    print(f'wrote {args.num_train} training and {args.num_val} validation '
          f'images to {root}')


if __name__ == '__main__':
    main()
