from setuptools import find_packages, setup


def read_requirements(path):
    with open(path) as f:
        return [line.strip() for line in f
                if line.strip() and not line.startswith('#')]


setup(
    name='evit_dense',
    version='0.1.0',
    description='EfficientViT (CVPR 2023) backbones for mmdet 3.x and '
                'mmsegmentation 1.x',
    long_description=open('README.md').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=['evit_dense', 'evit_dense.*']),
    python_requires='>=3.8',
    install_requires=read_requirements('requirements/runtime.txt'),
    extras_require={'tests': read_requirements('requirements/tests.txt')},
    license='MIT',
)
